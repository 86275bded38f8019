import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { RowDataPacket } from 'mysql2';
import { BranchFailure, MysqlBarrier, UpstreamError, Workflows, type Workflow } from '../../common';
import { createServiceApp } from '../../common/http/service-app';
import { createMysqlPool, type MysqlPool } from '../../common/mysql';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES, testConfig, testLogger } from '../helpers/test-env';
import { branchStatuses, queryTrans } from '../helpers/wait';

const conf = testConfig();

for (const store of STORES) {
  describe(`SDK workflow against the coordinator (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let server: Server;
    let workflows: Workflows;
    let pool: MysqlPool;
    let barrier: MysqlBarrier;
    let busi: string;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      busi = fx.busi.url;
      let callback = '';
      workflows = new Workflows(fx.dtm, () => callback);
      const router = express.Router().all('/wf/resume', workflows.callbackHandler());
      const app = createServiceApp(testLogger('workflow-client'), [router]);
      server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      callback = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wf/resume`;
      await MysqlBarrier.ensureSchema(conf);
      pool = createMysqlPool(conf, conf.barrierDb, 2);
      barrier = new MysqlBarrier(pool, conf.barrierDb);
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
      await fx.close();
    });
    afterEach(() => fx.busi.clearScripts());

    const input = JSON.stringify({ amount: 30 });
    const callsOf = (gid: string) =>
      fx.busi.calls.filter((c) => c.query.gid === gid).map((c) => `${c.name}:${c.query.branch_id}:${c.query.op}`);
    /** Saga style: each branch's action and its compensation. */
    const sagaStyle = (names: string[]) => async (wf: Workflow, data: string) => {
      const body: unknown = JSON.parse(data);
      for (const name of names) {
        await wf
          .newBranch()
          .onRollback(() => wf.call(`${busi}/${name}Revert`, body))
          .call(`${busi}/${name}`, body);
      }
    };
    /** TCC style: try as the action, confirm on commit, cancel on rollback. */
    const tccStyle = (names: string[]) => async (wf: Workflow, data: string) => {
      const body: unknown = JSON.parse(data);
      for (const name of names) {
        await wf
          .newBranch()
          .onRollback(() => wf.call(`${busi}/Cancel${name}`, body))
          .onCommit(() => wf.call(`${busi}/Confirm${name}`, body))
          .call(`${busi}/Try${name}`, body);
      }
    };

    it('saga style: runs each action once, records it and ends succeed', async function () {
      const gid = gidFor(this.test!.title);
      workflows.register(gid, sagaStyle(['A', 'B']));
      await workflows.execute(gid, gid, input);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'succeed');
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed']);
      assert.deepEqual(callsOf(gid), ['A:01:action', 'B:02:action']);
      const call = fx.busi.calls.find((c) => c.query.gid === gid)!;
      assert.deepEqual(call.query, { gid, trans_type: 'workflow', branch_id: '01', op: 'action' });
      assert.deepEqual(call.body, { amount: 30 });
    });

    it('saga style: a FAILURE rolls back the branches before it, newest first, and ends failed', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('C', 409);
      workflows.register(gid, sagaStyle(['A', 'B', 'C']));
      await assert.rejects(workflows.execute(gid, gid, input), BranchFailure);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'failed');
      assert.match(String(answer.transaction?.rollback_reason), /action .*\/C failed/);
      assert.deepEqual(callsOf(gid), [
        'A:01:action',
        'B:02:action',
        'C:03:action',
        'BRevert:02:rollback',
        'ARevert:01:rollback',
      ]);
      assert.deepEqual(branchStatuses(answer), [
        'action:succeed',
        'action:succeed',
        'action:failed',
        'rollback:succeed',
        'rollback:succeed',
      ]);
    });

    it('rolls back the failed branch too with compensateErrorBranch', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('B', 409);
      workflows.register(gid, sagaStyle(['A', 'B']), { compensateErrorBranch: true });
      await assert.rejects(workflows.execute(gid, gid, input), BranchFailure);
      assert.deepEqual(callsOf(gid), ['A:01:action', 'B:02:action', 'BRevert:02:rollback', 'ARevert:01:rollback']);
    });

    it('TCC style: tries, then confirms newest first on success', async function () {
      const gid = gidFor(this.test!.title);
      workflows.register(gid, tccStyle(['A', 'B']));
      await workflows.execute(gid, gid, input);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'succeed');
      assert.deepEqual(callsOf(gid), ['TryA:01:action', 'TryB:02:action', 'ConfirmB:02:commit', 'ConfirmA:01:commit']);
      assert.deepEqual(branchStatuses(answer), [
        'action:succeed',
        'action:succeed',
        'commit:succeed',
        'commit:succeed',
      ]);
    });

    it('TCC style: a failed try cancels the tries before it', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TryB', 409);
      workflows.register(gid, tccStyle(['A', 'B']));
      await assert.rejects(workflows.execute(gid, gid, input), BranchFailure);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'failed');
      assert.deepEqual(callsOf(gid), ['TryA:01:action', 'TryB:02:action', 'CancelA:01:rollback']);
    });

    it('resumes through the callback after the client stopped, replaying what was recorded', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('B', 500);
      workflows.register(gid, sagaStyle(['A', 'B']));
      await assert.rejects(workflows.execute(gid, gid, input), UpstreamError);
      const stopped = await queryTrans(fx.dtm, gid);
      assert.equal(stopped.transaction?.status, 'prepared');
      assert.deepEqual(branchStatuses(stopped), ['action:succeed']);
      assert.ok((await fx.recover(11_000)).includes(gid));
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'succeed');
      assert.deepEqual(callsOf(gid), ['A:01:action', 'B:02:action', 'B:02:action'], 'A was not called again');
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed']);
    });

    it('retries a rollback that errored on the next run, and ends failed', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('B', 409);
      fx.busi.script('ARevert', 500);
      workflows.register(gid, sagaStyle(['A', 'B']));
      await assert.rejects(workflows.execute(gid, gid, input), UpstreamError);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'prepared');
      await fx.recover(11_000);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'failed');
      assert.deepEqual(callsOf(gid), ['A:01:action', 'B:02:action', 'ARevert:01:rollback', 'ARevert:01:rollback']);
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:failed', 'rollback:succeed']);
    });

    it('answers a finished workflow from its record without calling anything', async function () {
      const gid = gidFor(this.test!.title);
      workflows.register(gid, sagaStyle(['A']));
      await workflows.execute(gid, gid, input);
      await workflows.execute(gid, gid, input);
      assert.deepEqual(callsOf(gid), ['A:01:action']);
      const failedGid = `${gid}-f`;
      fx.busi.script('A', 409);
      await assert.rejects(workflows.execute(gid, failedGid, input), BranchFailure);
      await assert.rejects(workflows.execute(gid, failedGid, input), /action .*\/A failed/);
      assert.deepEqual(callsOf(failedGid), ['A:01:action']);
    });

    it('runs local work behind the barrier: a rollback that is called twice changes things once', async function () {
      const gid = gidFor(this.test!.title);
      const done: string[] = [];
      let rollbackRuns = 0;
      fx.busi.script('B', 409);
      workflows.register(gid, async (wf) => {
        await wf
          .newBranch()
          .onRollback(async (bb) => {
            await barrier.call(bb, async () => void done.push('undo local'));
            rollbackRuns += 1;
            // The reply is lost the first time: the rollback runs again on the next run.
            if (rollbackRuns === 1) throw new Error('lost after the local rollback committed');
          })
          .do((bb) => barrier.call(bb, async () => void done.push('local')));
        await wf.newBranch().call(`${busi}/B`, {});
      });
      await assert.rejects(workflows.execute(gid, gid, ''), /lost after the local rollback/);
      await fx.recover(11_000);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'failed');
      assert.equal(rollbackRuns, 2);
      assert.deepEqual(done, ['local', 'undo local']);
      const rows = (
        await pool.query<RowDataPacket[]>('SELECT branch_id, op, reason FROM barrier WHERE gid=? ORDER BY id', [gid])
      )[0].map((r) => `${r.branch_id}:${r.op}:${r.reason}`);
      assert.deepEqual(rows, ['01:action:action', '01:rollback:rollback']);
    });

    it('refuses a second workflow of the same name and an unknown name', async function () {
      const gid = gidFor(this.test!.title);
      workflows.register(gid, sagaStyle([]));
      assert.throws(() => workflows.register(gid, sagaStyle([])), /registered already/);
      await assert.rejects(workflows.execute(`${gid}-unknown`, gid, ''), /no workflow named/);
    });
  });
}
