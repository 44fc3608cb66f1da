// Root hooks for the UI layer: every failing test leaves a screenshot of each open workbench,
// so a person can see what the test saw.
import { openWorkbenches } from './workbench';

export const mochaHooks = {
  async afterEach(this: Mocha.Context) {
    const t = this.currentTest;
    if (!t || t.state !== 'failed') return;
    const name = `FAILED-${t.fullTitle()}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 120);
    let i = 0;
    for (const wb of openWorkbenches) await wb.screenshot(`${name}${i++ ? `-${i}` : ''}`).catch(() => undefined);
  },
};
