import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readProject } from '../../../../src/core/config/project';
import { cloudDeployPayload } from '../../../../src/providers/helix-cloud/payload';

// The Helix Cloud payload re-reads helix.toml from disk at deploy time: it must be held to the same bounds as the
// editor and `validate`, or a file grown past them (edited after the project was read) reaches the parser.

describe('Helix Cloud payload: bounded reading of helix.toml', () => {
  it('refuses a helix.toml past the file limits, naming the file', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'payload-'));
    const file = path.join(dir, 'helix.toml');
    const text = '[project]\nname = "p"\n\n[cloud.prod.helix]\ncluster_id = "c1"\n';
    fs.writeFileSync(file, text);
    const project = readProject(file, text)!;
    const env = project.environments.find((e) => e.name === 'prod')!;
    assert.ok(env, 'the v2 cloud environment is read');
    // Grown on disk after the project was read: 200,000 characters of comment.
    fs.writeFileSync(file, text + '#'.repeat(200_000) + '\n');
    await assert.rejects(
      cloudDeployPayload(project, env),
      (err: Error) => err.message.startsWith(`${file}: the file is`) && /characters long/.test(err.message),
    );
  });
});
