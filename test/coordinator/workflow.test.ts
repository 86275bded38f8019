import assert from 'node:assert/strict';
import request from 'supertest';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { branchStatuses, queryTrans } from '../helpers/wait';

/** The workflow protocol as a DTM client speaks it, driven by hand: the coordinator's side only. */
for (const store of STORES) {
  describe(`coordinator workflow (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const input = '{"amount":30}';
    const prepareBody = (gid: string, extra: Record<string, unknown> = {}) => ({
      gid,
      trans_type: 'workflow',
      query_prepared: `${fx.busi.url}/Resume`,
      custom_data: JSON.stringify({ name: 'transfer', data: Buffer.from(input).toString('base64') }),
      protocol: '',
      ...extra,
    });
    const prepare = (gid: string, extra: Record<string, unknown> = {}) =>
      api.post('/api/dtmsvr/prepareWorkflow').send(prepareBody(gid, extra));
    const register = (gid: string, branchId: string, op: string, status: string, data = '{"dtm_result":"SUCCESS"}') =>
      api
        .post('/api/dtmsvr/registerBranch')
        .send({ gid, trans_type: 'workflow', branch_id: branchId, op, status, data });
    const submit = (gid: string, reqExtra: Record<string, string>) =>
      api.post('/api/dtmsvr/submit').send({ gid, trans_type: 'workflow', req_extra: reqExtra });
    const resumesOf = (gid: string) => fx.busi.calls.filter((c) => c.query.gid === gid && c.query.branch_id === '00');

    it('creates a prepared workflow and answers it with no progress yet', async function () {
      const gid = gidFor(this.test!.title);
      const res = await prepare(gid).expect(200);
      assert.equal(res.body.transaction.gid, gid);
      assert.equal(res.body.transaction.status, 'prepared');
      assert.equal(res.body.transaction.query_prepared, `${fx.busi.url}/Resume`);
      assert.deepEqual(res.body.progresses, []);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.trans_type, 'workflow');
    });

    it('commits: records each branch result, then the succeed the client reports', async function () {
      const gid = gidFor(this.test!.title);
      await prepare(gid).expect(200);
      await register(gid, '01', 'action', 'succeed').expect(200);
      await register(gid, '02', 'action', 'succeed', '{"id":7}').expect(200);
      await register(gid, '02', 'commit', 'succeed', '').expect(200);
      await submit(gid, { status: 'succeed', rollback_reason: '', result: '' }).expect(200);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'succeed');
      assert.ok(answer.transaction?.finish_time);
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed', 'commit:succeed']);
      assert.equal(Buffer.from(answer.branches[1]!.bin_data!, 'base64').toString(), '{"id":7}');
      assert.equal(answer.branches[0]!.url, '');
      assert.equal(resumesOf(gid).length, 0, 'the coordinator called nothing');
    });

    it('rolls back: records the failure and the rollbacks, then the failed end with its reason', async function () {
      const gid = gidFor(this.test!.title);
      await prepare(gid).expect(200);
      await register(gid, '01', 'action', 'succeed').expect(200);
      await register(gid, '02', 'action', 'failed', 'no stock').expect(200);
      await register(gid, '01', 'rollback', 'succeed', '').expect(200);
      await submit(gid, { status: 'failed', rollback_reason: 'no stock. FAILURE' }).expect(200);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'failed');
      assert.equal(answer.transaction?.rollback_reason, 'no stock. FAILURE');
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:failed', 'rollback:succeed']);
    });

    it('answers a repeated prepareWorkflow with the transaction and what was recorded', async function () {
      const gid = gidFor(this.test!.title);
      await prepare(gid).expect(200);
      await register(gid, '01', 'action', 'succeed', '{"id":1}').expect(200);
      const again = await prepare(gid, { custom_data: JSON.stringify({ name: 'other', data: '' }) }).expect(200);
      assert.equal(again.body.transaction.status, 'prepared');
      assert.match(again.body.transaction.custom_data, /"transfer"/, 'the stored input wins');
      assert.deepEqual(
        again.body.progresses.map((p: Record<string, string>) => [p.branch_id, p.op, p.status, p.bin_data]),
        [['01', 'action', 'succeed', Buffer.from('{"id":1}').toString('base64')]],
      );
      await submit(gid, { status: 'failed', rollback_reason: 'gave up' }).expect(200);
      const finished = await prepare(gid).expect(200);
      assert.equal(finished.body.transaction.status, 'failed');
      assert.equal(finished.body.transaction.rollback_reason, 'gave up');
    });

    it('accepts a repeated registration and a repeated submit, refuses a different result or end', async function () {
      const gid = gidFor(this.test!.title);
      await prepare(gid).expect(200);
      await register(gid, '01', 'action', 'succeed').expect(200);
      await register(gid, '01', 'action', 'succeed').expect(200);
      const other = await register(gid, '01', 'action', 'failed', 'boom').expect(409);
      assert.equal(other.body.field, 'branch_id');
      await submit(gid, { status: 'succeed' }).expect(200);
      await submit(gid, { status: 'succeed' }).expect(200);
      assert.equal((await submit(gid, { status: 'failed' }).expect(409)).body.dtm_result, 'FAILURE');
      assert.equal((await register(gid, '02', 'action', 'succeed').expect(409)).body.dtm_result, 'FAILURE');
      assert.deepEqual(branchStatuses(await queryTrans(fx.dtm, gid)), ['action:succeed']);
    });

    it('calls nothing before the cron time, then the callback with the name and the input', async function () {
      const gid = gidFor(this.test!.title);
      await prepare(gid).expect(200);
      await register(gid, '01', 'action', 'succeed').expect(200);
      await fx.coordinator.cron.runUntilIdle(50);
      assert.equal(resumesOf(gid).length, 0, 'not due yet');
      assert.ok((await fx.recover(11_000)).includes(gid));
      const [call, ...more] = resumesOf(gid);
      assert.equal(more.length, 0);
      assert.equal(call!.method, 'POST');
      assert.deepEqual(call!.query, { gid, trans_type: 'workflow', branch_id: '00', op: 'transfer' });
      assert.deepEqual(call!.body, JSON.parse(input));
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'prepared', 'the client submits, not us');
    });

    it('calls the callback again with back-off after an error, and after the same interval on ONGOING', async function () {
      const gid = gidFor(this.test!.title);
      // Its own callback name: the workflows earlier tests left prepared are called back too.
      fx.busi.script('ResumeBackoff', 500, 425);
      await prepare(gid, { query_prepared: `${fx.busi.url}/ResumeBackoff` }).expect(200);
      await fx.recover(11_000);
      const afterError = (await queryTrans(fx.dtm, gid)).transaction!;
      assert.equal(afterError.next_cron_interval, 20, 'the 10 s interval doubled');
      assert.equal(afterError.retry_count, 1);
      await fx.recover(21_000);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.next_cron_interval, 20, 'ONGOING keeps it');
      await fx.recover(21_000);
      assert.equal(resumesOf(gid).length, 3);
      await submit(gid, { status: 'succeed' }).expect(200);
      await fx.recover(60_000);
      assert.equal(resumesOf(gid).length, 3, 'a finished workflow is never called back');
    });

    it('finishes a workflow whose client died: the callback resumes it and the client submits', async function () {
      const gid = gidFor(this.test!.title);
      await prepare(gid).expect(200);
      await register(gid, '01', 'action', 'succeed').expect(200);
      // The client died here. When the coordinator calls back, a client resumes and ends it.
      await fx.recover(11_000);
      assert.equal(resumesOf(gid).length, 1);
      const resumed = await prepare(gid).expect(200);
      assert.deepEqual(
        resumed.body.progresses.map((p: Record<string, string>) => `${p.branch_id}:${p.op}`),
        ['01:action'],
      );
      await register(gid, '02', 'action', 'succeed').expect(200);
      await submit(gid, { status: 'succeed' }).expect(200);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'succeed');
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed']);
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ['without a callback', { query_prepared: '' }, 'query_prepared'],
      ['with custom_data that is not JSON', { custom_data: 'x' }, 'custom_data'],
      ['without a workflow name', { custom_data: '{"data":""}' }, 'custom_data.name'],
      ['with input that is not base64', { custom_data: '{"name":"n","data":"%%"}' }, 'custom_data.data'],
    ];
    for (const [what, extra, field] of bad) {
      it(`answers 400 naming ${field} for prepareWorkflow ${what}, storing nothing`, async function () {
        const gid = gidFor(this.test!.title);
        assert.equal((await prepare(gid, extra).expect(400)).body.field, field);
        assert.equal((await queryTrans(fx.dtm, gid)).transaction, null);
      });
    }

    it('answers 400 for a submit without its end, a bad branch result; 409 for abort', async function () {
      const gid = gidFor(this.test!.title);
      await prepare(gid).expect(200);
      assert.equal((await submit(gid, {}).expect(400)).body.field, 'req_extra.status');
      assert.equal((await submit(gid, { status: 'done' }).expect(400)).body.field, 'req_extra.status');
      assert.equal((await register(gid, '01', 'action', 'maybe').expect(400)).body.field, 'status');
      assert.equal((await register(gid, '01', '', 'succeed').expect(400)).body.field, 'op');
      await api.post('/api/dtmsvr/abort').send({ gid, trans_type: 'workflow' }).expect(409);
      const answer = await queryTrans(fx.dtm, gid);
      assert.equal(answer.transaction?.status, 'prepared');
      assert.deepEqual(answer.branches, []);
    });

    it('refuses prepareWorkflow for a gid that belongs to another type', async function () {
      const gid = gidFor(this.test!.title);
      await api.post('/api/dtmsvr/prepare').send({ gid, trans_type: 'tcc' }).expect(200);
      assert.equal((await prepare(gid).expect(409)).body.code, 'ILLEGAL_TRANSITION');
    });
  });
}
