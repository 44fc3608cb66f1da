import { messageOf } from '../../core/errors';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CredentialSource } from '../../core/credentials/types';
import { run, ToolNotFoundError } from '../../core/process/spawn';
import { dockerConfigKey } from '../../core/push/registryKind';
import type { RegistryCredential } from '../../core/push/types';

// The user's own Docker login comes first: `docker login` already put it in ~/.docker/config.json or a
// credential helper (desktop, osxkeychain, pass, ecr-login, gcloud...). We only read; we never write there.

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export class DockerConfigCredentials implements CredentialSource {
  readonly name = 'docker config';

  /** `configDir` defaults to $DOCKER_CONFIG or ~/.docker, as the docker CLI does. */
  constructor(private readonly configDir = process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker')) {}

  async get(registry: string): Promise<RegistryCredential | undefined> {
    const config = await this.read();
    if (!config) return undefined;
    const key = dockerConfigKey(registry);
    const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[key] ?? config.credsStore;
    if (helper) {
      const fromHelper = await credentialHelperGet(helper, key);
      if (fromHelper) return fromHelper;
    }
    const entry = config.auths?.[key] ?? config.auths?.[registry] ?? config.auths?.[`https://${registry}`];
    if (entry?.identitytoken) return { username: '<token>', secret: entry.identitytoken, source: this.name };
    if (entry?.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1), source: this.name };
    }
    return undefined;
  }

  private async read(): Promise<DockerConfigFile | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.configDir, 'config.json'), 'utf8')) as DockerConfigFile;
    } catch {
      // Missing or unreadable config: simply no credential from here.
      return undefined;
    }
  }
}

/**
 * Runs `docker-credential-<helper> get` with the server URL on stdin (the helper protocol). The secret
 * arrives on stdout and stays in memory; stderr is not logged since helpers sometimes echo input.
 */
export async function credentialHelperGet(helper: string, serverUrl: string): Promise<RegistryCredential | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) throw new Error(`Invalid credential helper name "${helper}" in Docker config`);
  const program = `docker-credential-${helper}`;
  try {
    const r = await run(program, ['get'], { input: serverUrl, killAfterMs: 10_000 });
    if (r.code !== 0) return undefined; // "credentials not found in native keychain"
    let v: { Username?: string; Secret?: string };
    try {
      v = JSON.parse(r.stdout);
    } catch {
      // JSON.parse quotes its input in the message: never let that reach a log.
      throw new Error('unreadable answer (not JSON)');
    }
    if (!v.Secret) return undefined;
    return { username: v.Username || '<token>', secret: v.Secret, source: `credential helper ${helper}` };
  } catch (err) {
    if (err instanceof ToolNotFoundError) return undefined; // config names a helper that is not installed
    throw new Error(`Credential helper ${program} failed: ${messageOf(err).split('\n')[0]}`);
  }
}
