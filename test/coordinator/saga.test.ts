import assert from 'node:assert/strict';
import { BranchFailure, Saga } from '../../common';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

for (const store of STORES) {
  describe(`coordinator saga (${store} store)`, () => {
    let fx: CoordinatorFixture;
    before(async () => {
      fx = await startCoordinatorFixture(store);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const saga = (gid: string, names = ['TransIn', 'TransOut']) => {
      const s = new Saga(fx.dtm, gid);
      for (const name of names) s.add(`${fx.busi.url}/${name}`, `${fx.busi.url}/${name}Revert`, { amount: 30, name });
      return s;
    };
    const namesFor = (gid: string) => fx.busi.calls.filter((c) => c.query.gid === gid).map((c) => c.name);

    it('runs every action in order and succeeds', async function () {
      const gid = gidFor(this.test!.title);
      await saga(gid).submit();
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'compensate:prepared',
        'action:succeed',
        'compensate:prepared',
        'action:succeed',
      ]);
      assert.deepEqual(namesFor(gid), ['TransIn', 'TransOut']);
      const call = fx.busi.calls.find((c) => c.query.gid === gid && c.name === 'TransOut')!;
      assert.equal(call.method, 'POST');
      assert.deepEqual(call.query, { gid, trans_type: 'saga', branch_id: '02', op: 'action' });
      assert.deepEqual(call.body, { amount: 30, name: 'TransOut' });
    });

    it('rolls back in reverse order when an action answers FAILURE', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TransOut', 409);
      await saga(gid).submit();
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(branchStatuses(answer), [
        'compensate:succeed',
        'action:succeed',
        'compensate:succeed',
        'action:failed',
      ]);
      assert.deepEqual(namesFor(gid), ['TransIn', 'TransOut', 'TransOutRevert', 'TransInRevert']);
      assert.match(String(answer.transaction?.rollback_reason), /FAILURE/);
    });

    it('retries an action that answered 500, with back-off, then succeeds', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TransOut', 500);
      await saga(gid).submit();
      await fx.coordinator.service.drain();
      const stuck = await queryTrans(fx.dtm, gid);
      assert.equal(stuck.transaction?.status, 'submitted');
      assert.equal(stuck.transaction?.next_cron_interval, 20, 'the 10 s interval doubled');
      assert.equal(stuck.transaction?.retry_count, 1);
      assert.ok((await fx.recover()).includes(gid));
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'compensate:prepared',
        'action:succeed',
        'compensate:prepared',
        'action:succeed',
      ]);
      assert.deepEqual(namesFor(gid), ['TransIn', 'TransOut', 'TransOut']);
    });

    it('asks again after an ONGOING answer without doubling the interval', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TransIn', 425);
      await saga(gid).submit();
      await fx.coordinator.service.drain();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.next_cron_interval, 10);
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(namesFor(gid), ['TransIn', 'TransIn', 'TransOut']);
    });

    it('keeps retrying a compensation until it succeeds', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TransOut', 409);
      fx.busi.script('TransInRevert', 500, 409);
      await saga(gid).submit();
      await fx.coordinator.service.drain();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'aborting');
      await fx.recover();
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(namesFor(gid), [
        'TransIn',
        'TransOut',
        'TransOutRevert',
        'TransInRevert',
        'TransInRevert',
        'TransInRevert',
      ]);
    });

    it('runs a concurrent saga by its branch orders', async function () {
      const gid = gidFor(this.test!.title);
      const s = saga(gid, ['A', 'B', 'C']).enableConcurrent().addBranchOrder(2, [0, 1]);
      await s.submit();
      await waitForStatus(fx.dtm, gid, 'succeed');
      const names = namesFor(gid);
      assert.equal(names.length, 3);
      assert.equal(names[2], 'C', 'C starts only after A and B succeeded');
    });

    it('rolls a concurrent saga back, compensating only what ran', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('B', 409);
      await saga(gid, ['A', 'B', 'C']).enableConcurrent().addBranchOrder(2, [0, 1]).submit();
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(branchStatuses(answer), [
        'compensate:succeed',
        'action:succeed',
        'compensate:succeed',
        'action:failed',
        'compensate:prepared',
        'action:prepared',
      ]);
      assert.ok(!namesFor(gid).includes('C'));
    });

    it('rolls back after timeout_to_fail while an action keeps failing', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TransOut', 500);
      await saga(gid).withOptions({ timeoutToFail: 5 }).submit();
      await fx.coordinator.service.drain();
      await fx.recover(11_000);
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.match(String(answer.transaction?.rollback_reason), /Timeout after 5 seconds/);
      assert.deepEqual(branchStatuses(answer), [
        'compensate:succeed',
        'action:succeed',
        'compensate:succeed',
        'action:prepared',
      ]);
    });

    it('retries each erroring action at once, up to retry_limit more times, and commits', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TransIn', 500);
      fx.busi.script('TransOut', 500, 500);
      await saga(gid).withOptions({ retryLimit: 2, waitResult: true }).submit();
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'succeed');
      assert.deepEqual(namesFor(gid), ['TransIn', 'TransIn', 'TransOut', 'TransOut', 'TransOut']);
    });

    it('rolls back an action that errored 1 + retry_limit times', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('TransOut', 500, 500, 500);
      await assert.rejects(saga(gid).withOptions({ retryLimit: 2, waitResult: true }).submit(), /retry_limit 2/);
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.match(String(answer.transaction?.rollback_reason), /retry_limit 2 reached/);
      assert.deepEqual(namesFor(gid), [
        'TransIn',
        'TransOut',
        'TransOut',
        'TransOut',
        'TransOutRevert',
        'TransInRevert',
      ]);
    });

    it('returns the outcome with wait_result', async function () {
      const gid = gidFor(this.test!.title);
      await saga(gid).withOptions({ waitResult: true }).submit();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
      const failing = gidFor(`${this.test!.title}-fail`);
      fx.busi.script('TransOut', 409);
      await assert.rejects(saga(failing).withOptions({ waitResult: true }).submit(), BranchFailure);
      assert.equal((await queryTrans(fx.dtm, failing)).transaction?.status, 'failed');
    });

    it('treats a repeated submit of the same gid as one', async function () {
      const gid = gidFor(this.test!.title);
      await saga(gid).withOptions({ waitResult: true }).submit();
      await saga(gid).withOptions({ waitResult: true }).submit();
      await fx.coordinator.service.drain();
      assert.deepEqual(namesFor(gid), ['TransIn', 'TransOut']);
    });

    it('passes branch headers and passthrough headers to branches', async function () {
      const gid = gidFor(this.test!.title);
      await saga(gid, ['H'])
        .withOptions({ branchHeaders: { 'x-branch': 'b1' }, passthroughHeaders: ['x-trace'] })
        .submit({ 'x-trace': 't-42' });
      await waitForStatus(fx.dtm, gid, 'succeed');
      const call = fx.busi.callsOf('H').find((c) => c.query.gid === gid)!;
      assert.equal(call.headers['x-branch'], 'b1');
      assert.equal(call.headers['x-trace'], 't-42');
    });
  });
}
