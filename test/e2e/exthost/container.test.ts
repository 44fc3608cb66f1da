// The container builds each shared service once: every kind of run goes into the one run history of the
// window, and health results into one HealthService (no feature keeps a second writer on the same file).
import { strict as assert } from 'node:assert';
import { api } from './helpers';

describe('container (extension host)', () => {
  it('the local loop and the deploy engine share the one run history and the one health service', async () => {
    const { container } = await api();
    const history = await container.journal;
    assert.equal(history, container.history);
    assert.equal(await container.local.ready(), history, "the local loop writes the window's run history");
    const engine = await container.deploy.engine.get();
    assert.equal(engine.journal, history, "the deploy engine writes the window's run history");
    assert.equal(container.local.health, container.health, 'one HealthService for local, deploy and cloud health');
    assert.equal(container.local, container.local, 'a getter builds its service once');
  });
});
