import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { BranchFailure, MsgGrpc, tccGlobalTransactionGrpc, TccGrpc } from '../../common';
import { callDtmGrpc } from '../../common/sdk/dtm-grpc';
import { gidFor } from '../helpers/coordinator-fixture';
import { startGrpcFixture, type GrpcFixture } from '../helpers/grpc-fixture';
import { STORES } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

const PAYLOAD = Buffer.from([0x08, 0x96, 0x01]);

for (const store of STORES) {
  describe(`coordinator gRPC msg and tcc (${store} store)`, () => {
    let fx: GrpcFixture;
    before(async () => {
      fx = await startGrpcFixture(store);
    });
    after(async () => fx.close());

    const msg = (gid: string) =>
      new MsgGrpc(fx.server, gid).add(fx.grpcBusi.url('TransIn'), PAYLOAD).add(fx.grpcBusi.url('TransOut'), PAYLOAD);

    it('delivers every step of a message prepared and submitted over gRPC', async function () {
      const gid = gidFor(this.test!.title);
      const m = msg(gid);
      await m.prepare(fx.grpcBusi.url('QueryPrepared'));
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'prepared');
      await m.submit();
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed']);
      const call = fx.grpcBusi.callsOf('TransOut', gid)[0]!;
      assert.deepEqual(call.payload, PAYLOAD);
      assert.equal(call.metadata['dtm-op'], 'action');
      assert.equal(call.metadata['dtm-branch_id'], '02');
    });

    it('asks the gRPC query_prepared of a timed-out message and submits it on OK', async function () {
      const gid = gidFor(this.test!.title);
      await msg(gid).prepare(fx.grpcBusi.url('QueryPrepared'));
      await fx.recover(40_000);
      await waitForStatus(fx.dtm, gid, 'succeed');
      const query = fx.grpcBusi.callsOf('QueryPrepared', gid)[0]!;
      assert.equal(query.metadata['dtm-branch_id'], '00');
      assert.equal(query.metadata['dtm-op'], 'msg');
      assert.equal(query.payload.length, 0);
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['QueryPrepared', 'TransIn', 'TransOut']);
    });

    it('fails a timed-out message whose gRPC query_prepared answers ABORTED', async function () {
      const gid = gidFor(this.test!.title);
      fx.grpcBusi.script('QueryPrepared', status.ABORTED);
      await msg(gid).prepare(fx.grpcBusi.url('QueryPrepared'));
      await fx.recover(40_000);
      const answer = await waitForStatus(fx.dtm, gid, 'failed');
      assert.deepEqual(branchStatuses(answer), ['action:prepared', 'action:prepared']);
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['QueryPrepared']);
    });

    it('doAndSubmit asks query_prepared over gRPC when the local step errs, and submits on OK', async function () {
      const gid = gidFor(this.test!.title);
      await assert.rejects(
        msg(gid).doAndSubmit(fx.grpcBusi.url('QueryPrepared'), async () => {
          throw new Error('connection lost after commit');
        }),
        /connection lost/,
      );
      await waitForStatus(fx.dtm, gid, 'succeed');
      assert.equal(fx.grpcBusi.callsOf('QueryPrepared', gid)[0]?.metadata['dtm-dtm'], fx.server);
    });

    it('aborts a prepared message over gRPC without calling a step', async function () {
      const gid = gidFor(this.test!.title);
      const m = msg(gid);
      await m.prepare(fx.grpcBusi.url('QueryPrepared'));
      await m.abort();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'failed');
      await assert.rejects(m.submit(), BranchFailure);
      assert.deepEqual(fx.grpcBusi.namesFor(gid), []);
    });

    it('delivers a topic step to the gRPC subscribers registered over gRPC', async function () {
      const gid = gidFor(this.test!.title);
      const topic = `grpc-topic-${gid}`;
      await callDtmGrpc(fx.server, 'Subscribe', { Topic: topic, URL: fx.grpcBusi.url('TransIn'), Remark: 'in' });
      await callDtmGrpc(fx.server, 'Subscribe', { Topic: topic, URL: fx.grpcBusi.url('TransOut'), Remark: 'out' });
      await callDtmGrpc(fx.server, 'Unsubscribe', { Topic: topic, URL: fx.grpcBusi.url('TransOut') });
      await new MsgGrpc(fx.server, gid).add(`topic://${topic}`, PAYLOAD).submit();
      await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['TransIn']);
      await callDtmGrpc(fx.server, 'DeleteTopic', { Topic: topic });
      const kv = (await (await fetch(`${fx.dtm}/queryKV?cat=topics&key=${topic}`)).json()) as { kv: unknown[] };
      assert.deepEqual(kv.kv, []);
    });

    it('confirms every TCC branch registered over gRPC, with the registered payload', async function () {
      const gid = gidFor(this.test!.title);
      await tccGlobalTransactionGrpc(fx.server, gid, async (tcc) => {
        for (const name of ['TransIn', 'TransOut']) {
          await tcc.callBranch(
            PAYLOAD,
            fx.grpcBusi.url(`${name}Try`),
            fx.grpcBusi.url(`${name}Confirm`),
            fx.grpcBusi.url(`${name}Cancel`),
          );
        }
      });
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'cancel:prepared',
        'confirm:succeed',
        'cancel:prepared',
        'confirm:succeed',
      ]);
      assert.deepEqual(fx.grpcBusi.namesFor(gid), ['TransInTry', 'TransOutTry', 'TransOutConfirm', 'TransInConfirm']);
      const tryCall = fx.grpcBusi.callsOf('TransInTry', gid)[0]!;
      assert.equal(tryCall.metadata['dtm-op'], 'try');
      assert.equal(tryCall.metadata['dtm-dtm'], fx.server);
      assert.deepEqual(fx.grpcBusi.callsOf('TransInConfirm', gid)[0]?.payload, PAYLOAD);
    });

    it('cancels every TCC branch when a gRPC try answers ABORTED', async function () {
      const gid = gidFor(this.test!.title);
      fx.grpcBusi.script('TransOutTry', status.ABORTED);
      await assert.rejects(
        tccGlobalTransactionGrpc(fx.server, gid, async (tcc) => {
          await tcc.callBranch(
            PAYLOAD,
            fx.grpcBusi.url('TransInTry'),
            fx.grpcBusi.url('TransInConfirm'),
            fx.grpcBusi.url('TransInCancel'),
          );
          await tcc.callBranch(
            PAYLOAD,
            fx.grpcBusi.url('TransOutTry'),
            fx.grpcBusi.url('TransOutConfirm'),
            fx.grpcBusi.url('TransOutCancel'),
          );
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
      assert.match(String(answer.transaction?.rollback_reason), /scripted ABORTED/);
    });

    it('refuses RegisterBranch once the TCC transaction moved on (ABORTED)', async function () {
      const gid = gidFor(this.test!.title);
      const tcc = new TccGrpc(fx.server, gid);
      await tcc.prepare();
      await tcc.submit();
      await waitForStatus(fx.dtm, gid, 'succeed');
      await assert.rejects(
        tcc.registerBranch('01', PAYLOAD, fx.grpcBusi.url('TransInConfirm'), fx.grpcBusi.url('TransInCancel')),
        BranchFailure,
      );
    });
  });
}
