import assert from 'node:assert/strict';
import request from 'supertest';
import { BranchFailure, Xa, xaGlobalTransaction } from '../../common';
import { xaType } from '../../coordinator/trans-types/xa';
import { BranchCaller } from '../../coordinator/trans/branch-call';
import { TransRun } from '../../coordinator/trans/trans-run';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES, testConfig, testLogger } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

/**
 * The coordinator's side of XA, with the scripted business server standing in for the branches: the
 * test registers each branch's phase-2 URL itself, as a prepared XA branch would.
 */
for (const store of STORES) {
  describe(`coordinator xa (${store} store)`, () => {
    let fx: CoordinatorFixture;
    before(async () => {
      fx = await startCoordinatorFixture(store);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const callsOf = (gid: string) => fx.busi.calls.filter((c) => c.query.gid === gid);
    const register = async (xa: Xa, ...names: string[]) => {
      for (const name of names) await xa.registerBranch(xa.nextBranchId(), `${fx.busi.url}/${name}`);
    };

    it('commits every registered branch on submit, in registration order, by POST without a body', async function () {
      const gid = gidFor(this.test!.title);
      await xaGlobalTransaction(fx.dtm, gid, (xa) => register(xa, 'XaA', 'XaB'));
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'rollback:prepared',
        'commit:succeed',
        'rollback:prepared',
        'commit:succeed',
      ]);
      const calls = callsOf(gid);
      assert.deepEqual(
        calls.map((c) => `${c.name}:${c.method}`),
        ['XaA:POST', 'XaB:POST'],
      );
      assert.deepEqual(calls[0]!.query, { branch_id: '01', gid, op: 'commit', trans_type: 'xa' });
      assert.deepEqual(calls[0]!.body, {});
    });

    it('rolls back every registered branch when the global side aborts', async function () {
      const gid = gidFor(this.test!.title);
      await assert.rejects(
        xaGlobalTransaction(fx.dtm, gid, async (xa) => {
          await register(xa, 'XaA', 'XaB');
          throw new BranchFailure('the third branch refused');
        }),
        BranchFailure,
      );
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.equal(answer.transaction?.rollback_reason, 'the third branch refused');
      assert.deepEqual(branchStatuses(answer), [
        'rollback:succeed',
        'commit:prepared',
        'rollback:succeed',
        'commit:prepared',
      ]);
      assert.deepEqual(
        callsOf(gid).map((c) => `${c.name}:${c.query.op}`),
        ['XaA:rollback', 'XaB:rollback'],
      );
    });

    it('retries a phase-2 call until it succeeds, whatever it answered', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('XaB', 500, 409, 425);
      await xaGlobalTransaction(fx.dtm, gid, (xa) => register(xa, 'XaA', 'XaB'));
      await fx.coordinator.service.drain();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'submitted');
      for (let i = 0; i < 3; i++) await fx.recover();
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'rollback:prepared',
        'commit:succeed',
        'rollback:prepared',
        'commit:succeed',
      ]);
      assert.deepEqual(
        callsOf(gid).map((c) => c.name),
        ['XaA', 'XaB', 'XaB', 'XaB', 'XaB'],
        'the committed branch is not called again',
      );
    });

    it('rolls back a transaction whose global side vanished, after timeout_to_fail', async function () {
      const gid = gidFor(this.test!.title);
      const xa = new Xa(fx.dtm, gid).withOptions({ timeoutToFail: 3 });
      await xa.prepare();
      await register(xa, 'XaA');
      await fx.recover(2_000);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'prepared', 'not before the timeout');
      await fx.recover(2_000);
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.match(String(answer.transaction?.rollback_reason), /Timeout after 3 seconds/);
      assert.deepEqual(branchStatuses(answer), ['rollback:succeed', 'commit:prepared']);
      await assert.rejects(xa.submit(), BranchFailure);
    });

    it('rolls back a branch that registered after a timed-out pass read the branches', async function () {
      const gid = gidFor(this.test!.title);
      const xa = new Xa(fx.dtm, gid).withOptions({ timeoutToFail: 3 });
      await xa.prepare();
      const readByThePass = await fx.coordinator.store.findBranches(gid);
      await register(xa, 'XaLate');
      fx.clock.advance(4_000);
      const caller = new BranchCaller(1000);
      try {
        const deps = {
          store: fx.coordinator.store,
          conf: testConfig(store),
          clock: fx.clock.now,
          caller,
          metrics: fx.coordinator.metrics,
        };
        const g = (await fx.coordinator.store.findGlobal(gid))!;
        const run = new TransRun({ ...deps, log: testLogger('run') }, g, { defaultTimeoutMs: 0, alwaysPost: true });
        await xaType.processOnce(run, readByThePass);
        await run.flush();
      } finally {
        await caller.close();
      }
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'failed');
      assert.deepEqual(branchStatuses(answer), ['rollback:succeed', 'commit:prepared']);
      assert.deepEqual(
        callsOf(gid).map((c) => `${c.name}:${c.query.op}`),
        ['XaLate:rollback'],
      );
    });

    it('refuses to register a branch once the transaction moved on', async function () {
      const gid = gidFor(this.test!.title);
      await xaGlobalTransaction(fx.dtm, gid, async () => undefined);
      await waitForStatus(fx.dtm, gid, 'succeed');
      await assert.rejects(new Xa(fx.dtm, gid).registerBranch('01', `${fx.busi.url}/XaA`), BranchFailure);
    });

    it('serves registerXaBranch as registerBranch and names a missing url', async function () {
      const gid = gidFor(this.test!.title);
      const api = request(`http://127.0.0.1:${fx.coordinator.port}`);
      await api.post('/api/dtmsvr/prepare').send({ gid, trans_type: 'xa' }).expect(200);
      await api
        .post('/api/dtmsvr/registerXaBranch')
        .send({ gid, trans_type: 'xa', branch_id: '01', url: `${fx.busi.url}/XaA` })
        .expect(200);
      const missing = await api
        .post('/api/dtmsvr/registerBranch')
        .send({ gid, trans_type: 'xa', branch_id: '02' })
        .expect(400);
      assert.equal(missing.body.field, 'url');
      assert.deepEqual(branchStatuses(await queryTrans(fx.dtm, gid)), ['rollback:prepared', 'commit:prepared']);
      await api.post('/api/dtmsvr/abort').send({ gid, trans_type: 'xa' }).expect(200);
      await waitForStatus(fx.dtm, gid, 'failed');
    });
  });
}
