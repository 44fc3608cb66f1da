import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  cliInvocation,
  dockerClisOnPath,
  findBuildKitClient,
  type BuildKitClient,
} from '../../../../src/providers/docker/buildkit-cli';
import { parseHost } from '../../../../src/providers/docker/connect';
import { buildKitFeatures } from '../../../../src/providers/docker/buildkit-features';
import { BuildKitProgress } from '../../../../src/providers/docker/buildkit-progress';

// Which Dockerfiles need BuildKit (routed to a BuildKit client, or refused with the feature and line), and
// how a BuildKit client's progress becomes the build log and the failing step.

const features = (text: string) => buildKitFeatures(text).map((f) => `${f.line}: ${f.feature}`);

describe('BuildKit feature detection', () => {
  it('a plain Dockerfile needs nothing (it stays on the engine API)', () => {
    const df = [
      '# escape=\\',
      '# A comment that mentions RUN --mount and <<EOF',
      'FROM --platform=linux/amd64 scratch AS base',
      'COPY --chown=1:1 --from=base busybox /bin/busybox',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      'RUN echo a \\',
      '  && cat > /x <<-EOF-not-heredoc',
      'HEALTHCHECK CMD ["/bin/busybox","true"]',
    ].join('\n');
    assert.deepEqual(features(df), []);
  });

  it('finds RUN --mount/--network/--security with their line, also inside a continuation', () => {
    const df = [
      'FROM scratch',
      'RUN --mount=type=cache,target=/root/.cache \\',
      '    --network=none make',
      'RUN --security=insecure true',
    ].join('\n');
    assert.deepEqual(features(df), ['2: RUN --mount', '2: RUN --network', '4: RUN --security']);
  });

  it('finds a # syntax= directive only in the leading directive block', () => {
    assert.deepEqual(features('# syntax=docker/dockerfile:1.7\nFROM scratch\n'), [
      '1: # syntax=docker/dockerfile:1.7 (a frontend image)',
    ]);
    assert.deepEqual(features('FROM scratch\n# syntax=docker/dockerfile:1\n'), []);
    assert.deepEqual(features('# escape=`\n# syntax = docker/dockerfile:1\nFROM scratch\n'), [
      '2: # syntax=docker/dockerfile:1 (a frontend image)',
    ]);
  });

  it('finds heredocs (RUN and COPY) and does not read their bodies as instructions', () => {
    const df = [
      'FROM scratch',
      'RUN <<EOF',
      'RUN --mount=type=cache this is shell, not an instruction',
      'EOF',
      'COPY <<"CONF" /etc/app.conf',
      'x=1',
      'CONF',
    ].join('\n');
    assert.deepEqual(features(df), ['2: RUN heredoc (<<EOF)', '5: COPY heredoc (<<CONF)']);
  });

  it('finds COPY/ADD flags the legacy builder lacks, case-insensitively', () => {
    const df = [
      'from scratch',
      'copy --link --chmod=755 a /a',
      'ADD --checksum=sha256:abc https://x.invalid/f /f',
      'COPY --chown=1 b /b',
    ].join('\n');
    assert.deepEqual(features(df), ['2: COPY --link', '2: COPY --chmod', '3: ADD --checksum']);
  });

  it('honours the escape directive for continuations', () => {
    const df = [
      '# escape=`',
      'FROM scratch',
      'RUN echo `',
      '  --mount=not-a-flag-here',
      'RUN `',
      '  --mount=type=cache,target=/c true',
    ].join('\n');
    assert.deepEqual(features(df), ['5: RUN --mount']);
  });
});

describe('BuildKit progress', () => {
  it('plain output: keeps step lines, drops digests, names the failing step as the legacy builder does', () => {
    const out: string[] = [];
    const p = new BuildKitProgress((l) => out.push(l));
    const text = [
      '#4 [stage-0 2/2] RUN --mount=type=cache,target=/c ["/bin/busybox", "false"]',
      '#4 sha256:ec25eaf98619fc89a49caa533e51a1b7a06df9c5fdb0445a541b31543d118cd2',
      '#4 0.101 some output',
      '#4 ERROR: executor failed running [/bin/busybox false]: exit code: 1',
      '------',
      ' > [stage-0 2/2] RUN --mount=type=cache,target=/c ["/bin/busybox", "false"]:',
      '------',
      'executor failed running [/bin/busybox false]: exit code: 1',
    ];
    for (const l of text) p.line(l);
    assert.ok(!out.some((l) => /sha256:ec25/.test(l)));
    assert.ok(out.includes('#4 0.101 some output'));
    assert.equal(p.failedStep, 'Step 2/2 : RUN --mount=type=cache,target=/c ["/bin/busybox", "false"]');
    assert.equal(p.error, 'executor failed running [/bin/busybox false]: exit code: 1');
  });

  it('buildx rawjson: vertexes and base64 logs become plain lines; the error names the step', () => {
    const out: string[] = [];
    const p = new BuildKitProgress((l) => out.push(l));
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const d1 = 'sha256:1111';
    const d2 = 'sha256:2222';
    const events = [
      { vertexes: [{ digest: d1, name: '[1/2] COPY busybox /bin/busybox', started: '2026-01-01T00:00:00Z' }] },
      {
        vertexes: [
          {
            digest: d1,
            name: '[1/2] COPY busybox /bin/busybox',
            started: '2026-01-01T00:00:00Z',
            completed: '2026-01-01T00:00:01Z',
          },
        ],
      },
      {
        vertexes: [
          { digest: d2, name: '[2/2] RUN --mount=type=cache,target=/c make', started: '2026-01-01T00:00:01Z' },
        ],
      },
      { logs: [{ vertex: d2, stream: 1, data: b64('compiling\npart'), timestamp: '2026-01-01T00:00:02Z' }] },
      { logs: [{ vertex: d2, stream: 1, data: b64('ial line\n'), timestamp: '2026-01-01T00:00:02Z' }] },
      {
        vertexes: [
          {
            digest: d2,
            name: '[2/2] RUN --mount=type=cache,target=/c make',
            started: '2026-01-01T00:00:01Z',
            completed: '2026-01-01T00:00:03Z',
            error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2',
          },
        ],
      },
    ];
    for (const e of events) p.line(JSON.stringify(e));
    p.line('ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2');
    assert.deepEqual(out.slice(0, 6), [
      '#1 [1/2] COPY busybox /bin/busybox',
      '#1 DONE',
      '#2 [2/2] RUN --mount=type=cache,target=/c make',
      '#2 compiling',
      '#2 partial line',
      '#2 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
    ]);
    assert.equal(p.failedStep, 'Step 2/2 : RUN --mount=type=cache,target=/c make');
    assert.equal(p.error, 'failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2');
  });
});

describe('BuildKit client', () => {
  const req = {
    context: '/src/app',
    dockerfile: 'docker/Dockerfile',
    tag: 'helix-demo-dev:latest',
    buildArgs: { TOKEN: 's3cret-value', PATH: '/opt/bin' },
    labels: { 'helix.project': 'demo' },
    noCache: true,
  };
  const buildx: BuildKitClient = { cli: '/usr/bin/docker', kind: 'buildx', version: 'v0.14.1', progress: 'rawjson' };
  const classic: BuildKitClient = { cli: '/usr/bin/docker', kind: 'classic', version: '20.10.24', progress: 'plain' };

  it('buildx: loads the image into the engine, JSON progress, the engine as DOCKER_HOST; build-arg values stay off the command line', () => {
    const { args, env } = cliInvocation(buildx, parseHost('tcp://127.0.0.1:2375', 'setting'), req, '/tmp/iid', {
      DOCKER_CONTEXT: 'other',
      HOME: '/root',
    });
    assert.deepEqual(args, [
      'buildx',
      'build',
      '--load',
      '--progress=rawjson',
      '--iidfile',
      '/tmp/iid',
      '-t',
      'helix-demo-dev:latest',
      '-f',
      '/src/app/docker/Dockerfile',
      '--build-arg',
      'TOKEN',
      '--build-arg',
      'PATH=/opt/bin',
      '--label',
      'helix.project=demo',
      '--no-cache',
      '/src/app',
    ]);
    assert.ok(!args.join(' ').includes('s3cret-value'));
    assert.equal(env.TOKEN, 's3cret-value');
    assert.equal(env.DOCKER_HOST, 'tcp://127.0.0.1:2375');
    assert.equal(env.DOCKER_CONTEXT, undefined);
    assert.equal(env.HOME, '/root', "the user's docker config and credentials stay as they are");
  });

  it('classic docker CLI: docker build with DOCKER_BUILDKIT=1; a context endpoint is left to the CLI', () => {
    const { args, env } = cliInvocation(
      classic,
      { ...parseHost('unix:///run/user/1000/docker.sock', 'context') },
      { context: '/src', tag: 't:1' },
      '/tmp/iid',
      { DOCKER_CONTEXT: 'rootless' },
    );
    assert.deepEqual(args, [
      'build',
      '--progress=plain',
      '--iidfile',
      '/tmp/iid',
      '-t',
      't:1',
      '-f',
      '/src/Dockerfile',
      '/src',
    ]);
    assert.equal(env.DOCKER_BUILDKIT, '1');
    assert.equal(env.DOCKER_HOST, undefined);
    assert.equal(env.DOCKER_CONTEXT, 'rootless');
  });

  it('prefers a docker CLI with buildx (rawjson when its help lists it) over a classic one, and says why others cannot', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bk-clis-'));
    const script = (name: string, body: string) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return p;
    };
    const modern = script(
      'docker-28',
      'case "$1" in --version) echo "Docker version 28.2.2, build e6534b4";; *) exit 1;; esac',
    );
    const old = script(
      'docker-20',
      'case "$1" in --version) echo "Docker version 20.10.24+dfsg1, build 297e128";; *) exit 1;; esac',
    );
    const withBuildx = script(
      'docker-bx',
      'if [ "$1" = buildx ] && [ "$2" = version ]; then echo "github.com/docker/buildx v0.14.1 59582f8"; exit 0; fi\nif [ "$1" = buildx ]; then echo "--progress string  Set type of progress output (auto, plain, rawjson, tty)"; exit 0; fi\nexit 1',
    );
    const podman = script('podman-docker', 'echo "podman version 4.3.1"');
    try {
      let found = await findBuildKitClient([modern, podman, old, withBuildx]);
      assert.deepEqual(found.client, { cli: withBuildx, kind: 'buildx', version: 'v0.14.1', progress: 'rawjson' });
      found = await findBuildKitClient([modern, podman, old]);
      assert.deepEqual(found.client, { cli: old, kind: 'classic', version: '20.10.24', progress: 'plain' });
      found = await findBuildKitClient([modern, podman]);
      assert.equal(found.client, undefined);
      assert.match(
        found.rejected.join('\n'),
        /docker-28 \(docker 28\.2\.2, which builds with BuildKit only through the buildx plugin/,
      );
      assert.match(found.rejected.join('\n'), /podman-docker \(not a docker CLI: podman version 4\.3\.1\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docker CLIs on PATH', () => {
  it('lists each executable once in PATH order and ignores relative PATH entries', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bk-path-'));
    const mk = (dir: string) => {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      const p = path.join(root, dir, 'docker');
      fs.writeFileSync(p, '#!/bin/sh\n', { mode: 0o755 });
      return p;
    };
    try {
      const a = mk('a');
      const b = mk('b');
      fs.mkdirSync(path.join(root, 'c'));
      fs.symlinkSync(a, path.join(root, 'c', 'docker'));
      const found = dockerClisOnPath({
        PATH: [
          path.join(root, 'b'),
          path.relative(process.cwd(), path.join(root, 'a')),
          path.join(root, 'c'),
          path.join(root, 'a'),
        ].join(path.delimiter),
      }).filter((p) => p.startsWith(root));
      assert.deepEqual(found, [b, path.join(root, 'c', 'docker')]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
