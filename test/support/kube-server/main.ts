// Runs the stand-in API server in its own process (benchmarks: so it does not share the client's event
// loop, as a real API server would not). Usage: tsx main.ts [seed.json] -> prints {"url": ...} on stdout,
// stops on SIGTERM or when stdin closes.
import * as fs from 'node:fs';
import { startKubeServer } from './server';

(async () => {
  const server = await startKubeServer({ stepMs: Number(process.env.KUBE_STANDIN_STEP_MS ?? 30), bookmarkMs: 60_000 });
  const seed = process.argv[2];
  if (seed) for (const o of JSON.parse(fs.readFileSync(seed, 'utf8'))) server.seed(o);
  process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
})();
