import Docker from 'dockerode';
import { pushImage } from '/work/main/src/core/push/pushImage';
import { parseReference } from '/work/main/src/core/push/reference';
import { EnginePusher } from '/work/main/src/providers/registry/enginePusher';
import { startFaultProxy } from '/work/main/test/support/faultProxy';
import { buildTestImage, startRegistry } from '/work/main/test/support/registry';
it("dbg", async function () {
  this.timeout(100000);
  const docker = new Docker({ socketPath: '/tmp/hd-dev-d/docker.sock' });
  await buildTestImage(docker, 'hd-dbg:1', 4);
  const reg = await startRegistry();
  const proxy = await startFaultProxy({ upstream: reg.host, rate: 0.3, kinds: ['drop'], maxFaults: 20, seed: 888565923 });
  const r = await pushImage(new EnginePusher(docker), { source: 'hd-dbg:1', ref: parseReference(`${proxy.host}/acme/x:1`), credentials: { name: 'n', get: async () => undefined }, policy: { attempts: 40, baseDelayMs: 50, maxDelayMs: 500 },
    onEvent: (e) => { if (e.type !== 'layer' || !['pushing','preparing','waiting'].includes(e.layer.status)) console.log('EV', JSON.stringify(e)); } });
  for (const x of proxy.records) console.log(x.method, x.url.replace(/_state=[^&]+/, '').replace(/uploads\/[0-9a-f-]+/, 'uploads/U'), x.status, x.fault ?? '');
  const { resentConfirmedBlobs } = await import('/work/main/test/support/faultProxy'); console.log('RESENT', resentConfirmedBlobs(proxy.records));
  await proxy.stop(); await reg.stop();
});
