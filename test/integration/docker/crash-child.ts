// Child process for the crash test: starts an environment through the core (journaled) and is killed
// with SIGKILL by the parent while the run is still going. Args: <journal file> <context dir> <project> <port>.
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalService } from '../../../src/core/local/service';
import { localTarget, testEngine } from './support';

async function main() {
  const [file, dir, project, port, kind] = process.argv.slice(2);
  const journal = await Journal.open(file);
  const svc = new LocalService({
    engine: testEngine(),
    journal,
    health: new HealthService(),
    who: async () => 'crash-child',
  });
  journal.onDidChange((e) => {
    if (e.type === 'log' && /Waiting for|Step 2\//.test(e.lines[0]))
      setTimeout(() => console.log(`RUNNING ${e.run.id}`), 300); // after the batched log line is fsync'd
  });
  const t = localTarget(dir, project, 'dev', {}, Number(port));
  if (kind === 'build') await svc.build(t);
  else await svc.start(t, { healthDeadlineMs: 120_000 });
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
