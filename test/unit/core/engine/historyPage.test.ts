// The Deployments view over a history of 10,000 runs: a page of the newest runs and a "Show more" row,
// each "Show more" one page further, never all 10,000 as tree items.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { historyFile, RunHistory } from '../../../../src/core/engine/history';
import { HISTORY_PAGE, historyPage } from '../../../../src/core/engine/historyPage';
import { historyText } from '../../../bench/history.bench';

describe('run history of 10,000 runs, paged for the Deployments view', function () {
  this.timeout(60_000);

  it('the newest page first, the count of older runs, one page more per Show more, to the end', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'history-page-'));
    try {
      fs.mkdirSync(path.join(dir, '.helix'));
      fs.writeFileSync(historyFile(dir), historyText(dir));
      // Kept whole: the default compaction (over 8 MiB, to 1,000 runs) depends on how long the temp path is.
      const h = new RunHistory({ keepRuns: 20_000 });
      await h.openProject(dir);
      const list = () => h.list();
      const first = historyPage(list, [{ name: 'bench', dir }], HISTORY_PAGE);
      assert.equal(first.runs.length, HISTORY_PAGE, 'one page, not 10,000 items');
      assert.equal(first.more, 10_000 - HISTORY_PAGE);
      assert.ok(first.runs[0]!.startedAt > first.runs[1]!.startedAt, 'newest first');
      let shown = HISTORY_PAGE;
      let page = first;
      while (page.more) {
        shown += HISTORY_PAGE;
        page = historyPage(list, [{ name: 'bench', dir }], shown);
        assert.equal(page.runs.length + page.more, 10_000);
      }
      assert.equal(shown, 10_000);
      assert.equal(new Set(page.runs.map((r) => r.id)).size, 10_000);
      assert.deepEqual(
        historyPage(list, [{ name: 'bench', dir: path.join(dir, 'elsewhere') }], HISTORY_PAGE),
        { runs: [], more: 0 },
        "only the workspace's projects, by folder",
      );
      await h.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
