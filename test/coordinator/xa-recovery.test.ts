import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { startCoordinatorFixture, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitFor, waitForStatus } from '../helpers/wait';
import { XaBranches, xaGid } from '../helpers/xa-branches';

/** Starts the global side of an XA transaction as a child process calling `urls` in turn. */
function globalSide(dtm: string, gid: string, urls: string[]): ChildProcess {
  const entry = join(__dirname, '..', 'helpers', 'xa-global-main.ts');
  return spawn(process.execPath, ['--import', 'tsx', entry, dtm, gid, ...urls], { stdio: 'ignore' });
}

for (const store of STORES) {
  describe(`xa crash recovery (${store} store)`, function () {
    this.timeout(60_000);
    let fx: CoordinatorFixture;
    let branches: XaBranches;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      branches = await new XaBranches().start();
    });
    after(async () => {
      await branches.close();
      await fx.close();
    });

    it('rolls back a branch left prepared by a SIGKILLed global side once the timeout passed', async () => {
      const gid = xaGid('crash');
      // The second branch never answers, so the global side is still waiting when it is killed.
      fx.busi.script('Hang', 'hang');
      const child = globalSide(fx.dtm, gid, [`${branches.url}/a/ok`, `${fx.busi.url}/Hang`]);
      try {
        await waitFor(
          'the global side to call its second branch',
          async () => (fx.busi.callsOf('Hang').some((c) => c.query.gid === gid) ? true : undefined),
          20_000,
        );
        assert.deepEqual(await branches.prepared(gid), [`${gid}-01`], 'the first branch is XA-prepared');
        child.kill('SIGKILL');
        await once(child, 'exit');
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      const stranded = await queryTrans(fx.dtm, gid);
      assert.equal(stranded.transaction?.status, 'prepared');
      assert.deepEqual(branchStatuses(stranded), ['rollback:prepared', 'commit:prepared']);

      await fx.recover(); // a minute: past the default timeout of TIMEOUT_TO_FAIL_MS (35 s)
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.match(String(answer.transaction?.rollback_reason), /Timeout after 35 seconds/);
      assert.deepEqual(branchStatuses(answer), ['rollback:succeed', 'commit:prepared']);
      assert.deepEqual(await branches.prepared(gid), [], 'XA RECOVER no longer lists the branch');
      assert.deepEqual(await branches.probes('a', gid), []);
      assert.deepEqual(await branches.barrierRows(gid), ['01:action:rollback']);
    });
  });
}
