// A stand-in for the extension host in the crash test: it starts an apply and is then killed with
// SIGKILL by the test (no cleanup of any kind), like a VS Code window crashing mid-apply.
import { harness, planAndApprove } from './harness';

async function main(): Promise<void> {
  const root = process.argv[2];
  const h = await harness('crash', { root });
  h.writeTf(`
resource "terraform_data" "first" { input = "ok" }
resource "terraform_data" "slow" {
  depends_on = [terraform_data.first]
  provisioner "local-exec" { command = "sleep 4" }
}
`);
  const approved = await planAndApprove(h);
  await h.engine.startApply(approved.run.id);
  h.engine.onRunEvent((e) => {
    if (e.type === 'progress' && e.event.kind === 'apply-start' && e.event.address === 'terraform_data.slow') {
      process.stdout.write(`APPLYING ${approved.run.id}\n`);
    }
  });
  setInterval(() => undefined, 1000);
}

main().catch((err) => {
  process.stdout.write(`FAILED ${err?.stack ?? err}\n`);
  process.exit(1);
});
