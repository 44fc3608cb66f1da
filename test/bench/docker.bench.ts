import { spawnSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal } from '../../src/core/engine/journal';
import { HealthService } from '../../src/core/health/service';
import type { ContainerInfo } from '../../src/core/local/engine';
import { presentContainer, isHelixContainer } from '../../src/core/local/present';
import { LocalService } from '../../src/core/local/service';
import { EngineWatch } from '../../src/core/local/watch';
import {
  cleanup,
  dockerHost,
  fixtureContext,
  localTarget,
  testEngine,
  tmpRoot,
  uid,
  freePort,
} from '../integration/docker/support';
import type { BenchResult } from './types';

// Local Docker loop figures, each beside its anchor measured in the same run on the same engine:
// - build through dockerode vs `docker build` (legacy builder on both sides: the test engine has no buildx)
// - start-to-healthy through LocalService vs `docker run -d` + a curl loop
// - Deployments refresh mapping for 500 containers; engine API calls while idle.

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function docker(args: string[]): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: dockerHost(), DOCKER_BUILDKIT: '0' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
}

function curlOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = spawn('curl', ['-sf', '-o', '/dev/null', '--max-time', '5', url], { stdio: 'ignore' });
    c.on('exit', (code) => resolve(code === 0));
    c.on('error', () => resolve(false));
  });
}

export async function run(): Promise<BenchResult[]> {
  const engine = testEngine();
  const project = `b${uid()}`;
  const journal = await Journal.open(path.join(fs.mkdtempSync(path.join(tmpRoot(), 'bench-')), 'runs.journal'));
  const svc = new LocalService({ engine, journal, health: new HealthService(), who: async () => 'bench' });
  const results: BenchResult[] = [];
  try {
    // 1. Build: same context, alternating, no cache (a real build) and cached (the edit-rebuild loop).
    const ctx = fixtureContext('health-app');
    const tag = `hd-test-${project}:dev`;
    for (const noCache of [true, false]) {
      const ours: number[] = [];
      const theirs: number[] = [];
      await engine.build({ context: ctx, tag, noCache }); // warm-up
      docker(['build', '-q', ...(noCache ? ['--no-cache'] : []), '-t', `${tag}-cli`, ctx]);
      for (let i = 0; i < 9; i++) {
        const t0 = performance.now();
        await engine.build({ context: ctx, tag, noCache });
        ours.push(performance.now() - t0);
        theirs.push(docker(['build', '-q', ...(noCache ? ['--no-cache'] : []), '-t', `${tag}-cli`, ctx]).ms);
      }
      const o = median(ours);
      const a = median(theirs);
      results.push({
        name: `docker: build via dockerode (${noCache ? 'no cache' : 'cached'}), median of 9`,
        value: o,
        unit: 'ms',
        anchor: { name: `docker build${noCache ? ' --no-cache' : ''}`, value: a, unit: 'ms' },
        ratio: o / a,
        goal: 'ratio <= 1.1',
      });
    }
    docker(['rmi', '-f', `${tag}-cli`]);

    // 2. Start-to-healthy: LocalService.start (journal, port check, create, start, probes) vs docker run + curl loop.
    const httpCtx = fixtureContext('http-app');
    const httpTag = `hd-test-${project}-http:dev`;
    await engine.build({ context: httpCtx, tag: httpTag });
    const oursStart: number[] = [];
    const theirsStart: number[] = [];
    for (let i = 0; i < 5; i++) {
      const port = await freePort();
      const t = localTarget(httpCtx, project, `e${i}`, {}, port);
      t.environment.image = `hd-test-${project}-http`;
      const t0 = performance.now();
      const out = await svc.start(t, { healthDeadlineMs: 20_000 });
      oursStart.push(performance.now() - t0);
      if (out.health.status !== 'healthy') throw new Error('not healthy');
      await engine.remove(out.container.id);

      const port2 = await freePort();
      const name = `hd-bench-${project}-${i}`;
      const t1 = performance.now();
      docker([
        'run',
        '-d',
        '--name',
        name,
        '--label',
        `helix.project=${project}`,
        '-p',
        `127.0.0.1:${port2}:8080`,
        httpTag,
      ]);
      while (!(
        (await curlOk(`http://127.0.0.1:${port2}/healthz`)) && (await curlOk(`http://127.0.0.1:${port2}/readyz`))
      ))
        await new Promise((r) => setTimeout(r, 10));
      theirsStart.push(performance.now() - t1);
      docker(['rm', '-f', name]);
    }
    const os = median(oursStart);
    const as = median(theirsStart);
    results.push({
      name: 'docker: start-to-healthy overhead vs docker run + curl loop',
      value: os - as,
      unit: 'ms',
      anchor: { name: 'docker run -d + curl /healthz,/readyz loop', value: as, unit: 'ms' },
      ratio: os / as,
      goal: '< 100 ms',
      note: `ours ${os.toFixed(0)} ms median of 5 (includes the fsync'd journal run)`,
    });

    // 3. Deployments tree mapping for 500 containers (what DeploymentsTree does per refresh).
    const fake: ContainerInfo[] = Array.from({ length: 500 }, (_, i) => ({
      id: `${i}`.padStart(64, 'a'),
      name: `helix-proj${i % 50}-env${i}`,
      state: i % 3 ? 'running' : 'exited',
      health: (['healthy', 'starting', 'unhealthy', 'none'] as const)[i % 4],
      status: 'Up 5 minutes (healthy)',
      image: `helix-proj${i % 50}-env${i}:dev`,
      ports: [{ hostIp: '127.0.0.1', host: 10000 + i, container: 8080 }],
      labels: { 'helix.project': `proj${i % 50}`, 'helix.environment': `env${i}`, 'helix.dir': `/ws/proj${i % 50}` },
      created: Date.now(),
    }));
    const times: number[] = [];
    for (let k = 0; k < 21; k++) {
      const t0 = performance.now();
      const nodes = fake
        .filter(isHelixContainer)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((c) => presentContainer(c));
      if (nodes.length !== 500) throw new Error('mapping lost containers');
      times.push(performance.now() - t0);
    }
    results.push({
      name: 'docker: Deployments refresh mapping, 500 containers',
      value: median(times),
      unit: 'ms',
      goal: '< 50 ms',
      note: 'core mapping (filter, sort, present); TreeItem construction is a field copy',
    });

    // 4. Idle: the watch subscribed to the event stream, nothing happening.
    const watch = new EngineWatch(engine);
    watch.setActive(true);
    const upBy = Date.now() + 10_000;
    while (watch.state !== 'up' && Date.now() < upBy) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    const before = watch.apiCalls;
    const idleMs = 10_000;
    await new Promise((r) => setTimeout(r, idleMs));
    const calls = ((watch.apiCalls - before) * 60_000) / idleMs;
    watch.dispose();
    results.push({
      name: 'docker: engine API calls per minute while idle',
      value: calls,
      unit: 'calls/min',
      goal: '0',
      note: `measured over ${idleMs / 1000} s with the event stream open`,
    });
  } finally {
    await cleanup(engine, project);
    await engine.docker
      .getImage(`hd-test-${project}-http:dev`)
      .remove({ force: true })
      .catch(() => undefined);
    await journal.close();
  }
  return results;
}
