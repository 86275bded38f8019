import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { BranchFailure, BranchOngoing, InvalidInput, NotFound, SagaGrpc } from '../../common';
import { callDtmGrpc, newGidGrpc } from '../../common/sdk/dtm-grpc';
import { gidFor } from '../helpers/coordinator-fixture';
import { startGrpcFixture, type GrpcFixture } from '../helpers/grpc-fixture';
import { STORES } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

/** Bytes that are not valid UTF-8: the coordinator must pass them through untouched. */
const BINARY = Buffer.from([0x0a, 0x03, 0xff, 0x00, 0x80, 0x41]);

for (const store of STORES) {
  describe(`coordinator gRPC saga (${store} store)`, () => {
    let fx: GrpcFixture;
    before(async () => {
      fx = await startGrpcFixture(store);
    });
    after(async () => fx.close());

    const saga = (gid: string, names = ['TransIn', 'TransOut']) => {
      const s = new SagaGrpc(fx.server, gid);
      for (const name of names) s.add(fx.grpcBusi.url(name), fx.grpcBusi.url(`${name}Revert`), BINARY);
      return s;
    };

    it('answers NewGid', async () => {
      assert.match(await newGidGrpc(fx.server), /^[0-9a-f]{32}$/);
    });

    it('runs every action over gRPC with the raw payload and the DTM metadata', async function () {
      const gid = gidFor(this.test!.title);
      await saga(gid)
        .withOptions({ branchHeaders: { 'X-Tenant': 't7' } })
        .submit();
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'compensate:prepared',
        'action:succeed',
        'compensate:prepared',
        'action:succeed',
      ]);
      assert.equal(answer.transaction?.protocol, 'grpc');
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['TransIn', 'TransOut']);
      const call = fx.grpcBusi.callsOf('TransOut', gid)[0]!;
      assert.deepEqual(call.payload, BINARY);
      assert.equal(call.metadata['dtm-gid'], gid);
      assert.equal(call.metadata['dtm-trans_type'], 'saga');
      assert.equal(call.metadata['dtm-branch_id'], '02');
      assert.equal(call.metadata['dtm-op'], 'action');
      assert.equal(call.metadata['dtm-dtm'], '');
      assert.equal(call.metadata['x-tenant'], 't7');
      assert.equal(answer.branches[1]?.bin_data, BINARY.toString('base64'), 'query shows the stored bytes');
    });

    it('rolls back in reverse order when an action answers ABORTED, and wait_result answers ABORTED', async function () {
      const gid = gidFor(this.test!.title);
      fx.grpcBusi.script('TransOut', status.ABORTED);
      await assert.rejects(saga(gid).withOptions({ waitResult: true }).submit(), BranchFailure);
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(branchStatuses(answer), [
        'compensate:succeed',
        'action:succeed',
        'compensate:succeed',
        'action:failed',
      ]);
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['TransIn', 'TransOut', 'TransOutRevert', 'TransInRevert']);
      assert.deepEqual(fx.grpcBusi.callsOf('TransInRevert', gid)[0]?.payload, BINARY);
      assert.match(String(answer.transaction?.rollback_reason), /scripted ABORTED/);
    });

    it('retries UNAVAILABLE and INTERNAL with back-off, then succeeds', async function () {
      const gid = gidFor(this.test!.title);
      fx.grpcBusi.script('TransOut', status.UNAVAILABLE, status.INTERNAL);
      await saga(gid).submit();
      await fx.coordinator.service.drain();
      const stuck = await queryTrans(fx.dtm, gid);
      assert.equal(stuck.transaction?.status, 'submitted');
      assert.equal(stuck.transaction?.next_cron_interval, 20, 'the 10 s interval doubled');
      await fx.recover();
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['TransIn', 'TransOut', 'TransOut', 'TransOut']);
    });

    it('asks again after FAILED_PRECONDITION (ONGOING) without doubling the interval', async function () {
      const gid = gidFor(this.test!.title);
      fx.grpcBusi.script('TransIn', status.FAILED_PRECONDITION);
      await assert.rejects(saga(gid).withOptions({ waitResult: true }).submit(), BranchOngoing);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.next_cron_interval, 10);
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['TransIn', 'TransIn', 'TransOut']);
    });

    it('gives up on a branch that does not answer within request_timeout, and calls it again later', async function () {
      const gid = gidFor(this.test!.title);
      fx.grpcBusi.script('TransIn', 'hang');
      await saga(gid).withOptions({ requestTimeout: 1 }).submit();
      await fx.coordinator.service.drain();
      const stuck = await queryTrans(fx.dtm, gid);
      assert.equal(stuck.transaction?.status, 'submitted');
      assert.equal(stuck.transaction?.retry_count, 1);
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'succeed');
    });

    it('calls an http(s) branch of a gRPC transaction over HTTP, as DTM does', async function () {
      const gid = gidFor(this.test!.title);
      await new SagaGrpc(fx.server, gid)
        .add(fx.grpcBusi.url('TransIn'), fx.grpcBusi.url('TransInRevert'), BINARY)
        .add(`${fx.busi.url}/TransOut`, `${fx.busi.url}/TransOutRevert`, Buffer.from('{"amount":30}'))
        .submit();
      await waitForStatus(fx.dtm, gid, 'succeed');
      const http = fx.busi.calls.find((c) => c.query.gid === gid)!;
      assert.equal(http.name, 'TransOut');
      assert.deepEqual(http.body, { amount: 30 });
    });

    it('runs a saga submitted over HTTP with protocol grpc against gRPC branches (DTM: the protocol field decides)', async function () {
      const gid = gidFor(this.test!.title);
      const res = await fetch(`${fx.dtm}/submit`, {
        method: 'POST',
        body: JSON.stringify({
          gid,
          trans_type: 'saga',
          protocol: 'grpc',
          steps: [{ action: fx.grpcBusi.url('TransIn'), compensate: fx.grpcBusi.url('TransInRevert') }],
          payloads: ['{"amount":"30€"}'],
        }),
      });
      assert.equal(res.status, 200);
      await waitForStatus(fx.dtm, gid, 'succeed');
      assert.equal(fx.grpcBusi.callsOf('TransIn', gid)[0]?.payload.toString('utf8'), '{"amount":"30€"}');
    });

    it('refuses over HTTP a gRPC branch URL in an http transaction, naming the step', async function () {
      const res = await fetch(`${fx.dtm}/submit`, {
        method: 'POST',
        body: JSON.stringify({
          gid: gidFor(this.test!.title),
          trans_type: 'saga',
          steps: [{ action: fx.grpcBusi.url('TransIn'), compensate: '' }],
          payloads: ['{}'],
        }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { field: string }).field, 'steps[0].action');
    });

    it('answers INVALID_ARGUMENT naming the field for a malformed request, and stores nothing', async function () {
      const gid = gidFor(this.test!.title);
      const bad = new SagaGrpc(fx.server, gid).add('not a url', '', BINARY);
      const err = await bad.submit().then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof InvalidInput);
      assert.equal(err.field, 'steps[0].action');
      assert.equal((await queryTrans(fx.dtm, gid)).transaction, null);
      await assert.rejects(
        callDtmGrpc(fx.server, 'Submit', { Gid: gid, TransType: 'saga', Steps: '[{' }),
        (e: unknown) => e instanceof InvalidInput && e.field === 'steps',
      );
    });

    it('answers NOT_FOUND for an unknown gid and ABORTED for a refused move', async function () {
      const gid = gidFor(this.test!.title);
      await assert.rejects(callDtmGrpc(fx.server, 'Abort', { Gid: gid, TransType: 'msg' }), NotFound);
      await saga(gid).submit();
      await waitForStatus(fx.dtm, gid, 'succeed');
      await assert.rejects(callDtmGrpc(fx.server, 'Abort', { Gid: gid, TransType: 'saga' }), BranchFailure);
    });
  });
}
