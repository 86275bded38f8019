import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import {
  BranchFailure,
  UpstreamError,
  Xa,
  xaGlobalTransaction,
  xaHandlePhase2,
  xaLocalTransaction,
} from '../../common';
import { startCoordinatorFixture, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES, testConfig } from '../helpers/test-env';
import { branchStatuses, waitFor, waitForStatus } from '../helpers/wait';
import { XaBranches, xaGid } from '../helpers/xa-branches';

const conf = testConfig();
const options = { barrierDb: conf.barrierDb };

for (const store of STORES) {
  describe(`SDK xa with MySQL XA branches (${store} store)`, () => {
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

    it('commits both branches, in two databases, and leaves nothing prepared', async () => {
      const gid = xaGid('commit');
      await xaGlobalTransaction(
        fx.dtm,
        gid,
        async (xa) => {
          await xa.callBranch({ n: 1 }, `${branches.url}/a/ok`);
          await xa.callBranch({ n: 2 }, `${branches.url}/b/ok`);
        },
        { waitResult: true },
      );
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'rollback:prepared',
        'commit:succeed',
        'rollback:prepared',
        'commit:succeed',
      ]);
      assert.deepEqual(await branches.probes('a', gid), ['01']);
      assert.deepEqual(await branches.probes('b', gid), ['02']);
      assert.deepEqual(await branches.barrierRows(gid), ['01:action:action', '02:action:action']);
      assert.deepEqual(await branches.prepared(gid), []);
    });

    it('rolls back the prepared branch when the next one refuses, and its own work with it', async () => {
      const gid = xaGid('rollback');
      await assert.rejects(
        xaGlobalTransaction(
          fx.dtm,
          gid,
          async (xa) => {
            await xa.callBranch({}, `${branches.url}/a/ok`);
            await xa.callBranch({}, `${branches.url}/b/refuse`);
          },
          { waitResult: true },
        ),
        BranchFailure,
      );
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(branchStatuses(answer), ['rollback:succeed', 'commit:prepared']);
      assert.deepEqual(await branches.probes('a', gid), []);
      assert.deepEqual(await branches.probes('b', gid), []);
      assert.deepEqual(await branches.barrierRows(gid), ['01:action:rollback']);
      assert.deepEqual(await branches.prepared(gid), []);
    });

    it('refuses an action that arrives after the transaction was aborted, leaving nothing prepared', async () => {
      const gid = xaGid('late');
      const xa = new Xa(fx.dtm, gid);
      await xa.prepare();
      await xa.abort();
      await assert.rejects(xa.callBranch({}, `${branches.url}/a/ok`), BranchFailure);
      assert.deepEqual(await branches.probes('a', gid), []);
      assert.deepEqual(await branches.prepared(gid), []);
    });

    it('makes phase 2 idempotent: a second commit, or a rollback of an unknown xid, succeeds', async () => {
      const gid = xaGid('idem');
      await xaGlobalTransaction(fx.dtm, gid, (xa) => xa.callBranch({}, `${branches.url}/a/ok`).then(() => undefined), {
        waitResult: true,
      });
      const commit = { gid, trans_type: 'xa', branch_id: '01', op: 'commit' };
      await xaHandlePhase2(commit, branches.pools.a, options);
      assert.deepEqual(await branches.probes('a', gid), ['01']);

      const rollback = { gid, trans_type: 'xa', branch_id: '02', op: 'rollback' };
      await xaHandlePhase2(rollback, branches.pools.a, options);
      await xaHandlePhase2(rollback, branches.pools.a, options);
      assert.deepEqual(await branches.barrierRows(gid), ['01:action:action', '02:action:rollback']);
      // The action of a branch rolled back before it started can never run afterwards.
      await assert.rejects(
        xaLocalTransaction(
          { ...rollback, op: 'action', dtm: fx.dtm, phase2_url: `${branches.url}/a/ok` },
          branches.pools.a,
          async () => assert.fail('the work of a rolled-back branch ran'),
          options,
        ),
        BranchFailure,
      );
      assert.deepEqual(await branches.prepared(gid), []);
    });

    it('never reports a commit it did not make while the prepared xid is still held by its session', async () => {
      const gid = xaGid('held');
      const xid = `${gid}-01`;
      const holder = await mysql.createConnection({ host: conf.mysql.host, port: conf.mysql.port, user: 'root' });
      try {
        await holder.query('XA START ?', [xid]);
        await holder.query(`INSERT INTO \`${branches.dbs.a}\`.probe (gid, branch_id) VALUES (?, '01')`, [gid]);
        await holder.query('XA END ?', [xid]);
        await holder.query('XA PREPARE ?', [xid]);
        const commit = { gid, trans_type: 'xa', branch_id: '01', op: 'commit' };
        // MariaDB keeps a prepared transaction attached until its session ends (MySQL 8 detaches it).
        const first = await xaHandlePhase2(commit, branches.pools.a, options).then(
          () => 'committed',
          (err: unknown) => (err instanceof UpstreamError ? 'refused' : String(err)),
        );
        if (first === 'committed') assert.deepEqual(await branches.probes('a', gid), ['01']);
        else assert.equal(first, 'refused');
        await holder.end();
        // The server ends the session shortly after the client quits; until then phase 2 is refused.
        await waitFor('the commit to be accepted once the session ended', () =>
          xaHandlePhase2(commit, branches.pools.a, options).then(
            () => true,
            (err: unknown) => {
              if (err instanceof UpstreamError) return undefined;
              throw err;
            },
          ),
        );
        assert.deepEqual(await branches.probes('a', gid), ['01']);
        assert.deepEqual(await branches.prepared(gid), []);
      } finally {
        holder.destroy();
      }
    });

    it('answers FAILURE naming the field for a query it can never accept', async () => {
      const bad = async (query: Record<string, string>, field: string) =>
        assert.rejects(
          xaLocalTransaction(query, branches.pools.a, async () => undefined, options),
          (e: unknown) => e instanceof BranchFailure && e.field === field,
        );
      const ok = { gid: xaGid('bad'), trans_type: 'xa', branch_id: '01', op: 'action', dtm: fx.dtm };
      await bad({ ...ok, phase2_url: 'http://x/y', op: 'try' }, 'op');
      await bad({ ...ok, phase2_url: 'http://x/y', gid: '' }, 'gid');
      await bad(ok, 'phase2_url');
      await bad({ ...ok, phase2_url: 'http://x/y', dtm: 'ftp://x' }, 'dtm');
      await bad({ ...ok, phase2_url: 'http://x/y', gid: 'g'.repeat(70) }, 'gid');
    });
  });
}
