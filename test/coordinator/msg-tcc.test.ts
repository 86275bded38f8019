import assert from 'node:assert/strict';
import { BranchFailure, Msg, Tcc, tccGlobalTransaction } from '../../common';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

for (const store of STORES) {
  describe(`coordinator msg and tcc (${store} store)`, () => {
    let fx: CoordinatorFixture;
    before(async () => {
      fx = await startCoordinatorFixture(store);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const msg = (gid: string) =>
      new Msg(fx.dtm, gid).add(`${fx.busi.url}/MsgA`, { n: 1 }).add(`${fx.busi.url}/MsgB`, { n: 2 });
    const callsOf = (gid: string) => fx.busi.calls.filter((c) => c.query.gid === gid);

    it('delivers every step of a submitted message', async function () {
      const gid = gidFor(this.test!.title);
      const m = msg(gid);
      await m.prepare(`${fx.busi.url}/QueryPrepared`);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'prepared');
      await m.submit();
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed']);
      assert.deepEqual(
        callsOf(gid).map((c) => c.name),
        ['MsgA', 'MsgB'],
      );
    });

    it('retries a step that fails, whatever it answered', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('MsgB', 409);
      await msg(gid).doAndSubmit(`${fx.busi.url}/QueryPrepared`, async () => undefined);
      await fx.coordinator.service.drain();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'submitted');
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'succeed');
    });

    it('aborts a prepared message without calling a step', async function () {
      const gid = gidFor(this.test!.title);
      const m = msg(gid);
      await m.prepare(`${fx.busi.url}/QueryPrepared`);
      await m.abort();
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'failed');
      assert.deepEqual(branchStatuses(answer), ['action:prepared', 'action:prepared']);
      await assert.rejects(m.submit(), BranchFailure);
      assert.equal(callsOf(gid).length, 0);
    });

    it('submits a timed-out prepared message when query_prepared answers 200', async function () {
      const gid = gidFor(this.test!.title);
      await msg(gid).withOptions({ timeoutToFail: 3 }).prepare(`${fx.busi.url}/QueryPrepared`);
      await fx.recover(4_000);
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      const query = callsOf(gid)[0]!;
      assert.equal(query.name, 'QueryPrepared');
      assert.equal(query.method, 'GET');
      assert.deepEqual(query.query, { gid, trans_type: 'msg', branch_id: '00', op: 'msg' });
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed']);
    });

    it('aborts a timed-out prepared message when query_prepared answers FAILURE', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('QueryPrepared', 409);
      await msg(gid).withOptions({ timeoutToFail: 3 }).prepare(`${fx.busi.url}/QueryPrepared`);
      await fx.recover(4_000);
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(
        callsOf(gid).map((c) => c.name),
        ['QueryPrepared'],
      );
      assert.match(String(answer.transaction?.rollback_reason), /query_prepared answered FAILURE/);
    });

    it('waits for a delayed message before calling its steps', async function () {
      const gid = gidFor(this.test!.title);
      await msg(gid)
        .setDelay(30)
        .doAndSubmit(`${fx.busi.url}/QueryPrepared`, async () => undefined);
      await fx.coordinator.service.drain();
      assert.equal(callsOf(gid).length, 0);
      await fx.recover(31_000);
      await waitForStatus(fx.dtm, gid, 'succeed');
    });

    it('confirms every TCC branch on success', async function () {
      const gid = gidFor(this.test!.title);
      await tccGlobalTransaction(fx.dtm, gid, async (tcc) => {
        await tcc.callBranch({ a: 1 }, `${fx.busi.url}/TryA`, `${fx.busi.url}/ConfirmA`, `${fx.busi.url}/CancelA`);
        await tcc.callBranch({ b: 2 }, `${fx.busi.url}/TryB`, `${fx.busi.url}/ConfirmB`, `${fx.busi.url}/CancelB`);
      });
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'cancel:prepared',
        'confirm:succeed',
        'cancel:prepared',
        'confirm:succeed',
      ]);
      assert.deepEqual(
        callsOf(gid).map((c) => c.name),
        ['TryA', 'TryB', 'ConfirmB', 'ConfirmA'],
      );
      assert.deepEqual(callsOf(gid)[3]!.body, { a: 1 });
    });

    it('cancels every TCC branch when a try fails', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TryB', 409);
      await assert.rejects(
        tccGlobalTransaction(fx.dtm, gid, async (tcc) => {
          await tcc.callBranch({ a: 1 }, `${fx.busi.url}/TryA`, `${fx.busi.url}/ConfirmA`, `${fx.busi.url}/CancelA`);
          await tcc.callBranch({ b: 2 }, `${fx.busi.url}/TryB`, `${fx.busi.url}/ConfirmB`, `${fx.busi.url}/CancelB`);
        }),
        BranchFailure,
      );
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(branchStatuses(answer), [
        'cancel:succeed',
        'confirm:prepared',
        'cancel:succeed',
        'confirm:prepared',
      ]);
      assert.deepEqual(
        callsOf(gid).map((c) => c.name),
        ['TryA', 'TryB', 'CancelB', 'CancelA'],
      );
    });

    it('cancels a TCC transaction whose caller vanished, after timeout_to_fail', async function () {
      const gid = gidFor(this.test!.title);
      const tcc = new Tcc(fx.dtm, gid).withOptions({ timeoutToFail: 3 });
      await tcc.prepare();
      await tcc.callBranch({ a: 1 }, `${fx.busi.url}/TryA`, `${fx.busi.url}/ConfirmA`, `${fx.busi.url}/CancelA`);
      await fx.recover(4_000);
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.match(String(answer.transaction?.rollback_reason), /Timeout after 3 seconds/);
      assert.deepEqual(
        callsOf(gid).map((c) => c.name),
        ['TryA', 'CancelA'],
      );
    });

    it('refuses to register a branch once the TCC transaction moved on', async function () {
      const gid = gidFor(this.test!.title);
      await tccGlobalTransaction(fx.dtm, gid, async () => undefined);
      await assert.rejects(
        new Tcc(fx.dtm, gid).registerBranch('01', {}, `${fx.busi.url}/C`, `${fx.busi.url}/X`),
        BranchFailure,
      );
    });
  });
}
