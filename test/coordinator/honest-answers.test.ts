import assert from 'node:assert/strict';
import request from 'supertest';
import { Saga } from '../../common';
import type { GlobalRecord } from '../../coordinator/model/records';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES, testConfig } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

/** No answer contradicts the outcome, and nothing the coordinator accepts is left half-done. */
for (const store of STORES) {
  describe(`coordinator honest answers (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const callsOf = (gid: string, name?: string) =>
      fx.busi.calls.filter((c) => c.query.gid === gid && (name === undefined || c.name === name));
    const sagaBody = (gid: string, extra: Record<string, unknown> = {}) => ({
      gid,
      trans_type: 'saga',
      steps: [
        { action: `${fx.busi.url}/A`, compensate: `${fx.busi.url}/ARevert` },
        { action: `${fx.busi.url}/B`, compensate: `${fx.busi.url}/BRevert` },
      ],
      payloads: ['{"amount":30,"user":"u1"}', '{"amount":30}'],
      ...extra,
    });

    describe('a failed write leaves nothing behind', () => {
      it('a save that fails between its writes stores nothing; the gid can then be submitted and runs', async function () {
        const gid = gidFor(this.test!.title);
        const now = new Date();
        const broken: GlobalRecord = {
          gid,
          transType: 'saga',
          status: 'submitted',
          queryPrepared: '',
          protocol: 'http',
          options: {},
          customData: '',
          headers: {},
          createTime: now,
          updateTime: now,
          finishTime: null,
          rollbackTime: null,
          rollbackReason: '',
          nextCronIntervalMs: 10_000,
          // The global fields and branches can be written; the schedule cannot.
          nextCronTime: new Date(Number.NaN),
          owner: '',
          retryCount: 0,
        };
        const branch = {
          gid,
          url: `${fx.busi.url}/A`,
          data: '{}',
          branchId: '01',
          op: 'action',
          status: 'prepared' as const,
          createTime: now,
          updateTime: now,
          finishTime: null,
        };
        await assert.rejects(fx.coordinator.store.saveNew(broken, [branch]));
        if (store === 'mysql') {
          // MySQL writes the global row first; a branch its table cannot hold fails the second write.
          const fine = { ...broken, nextCronTime: now };
          await assert.rejects(fx.coordinator.store.saveNew(fine, [{ ...branch, branchId: 'b'.repeat(200) }]));
        }
        assert.equal(await fx.coordinator.store.findGlobal(gid), undefined);
        assert.deepEqual(await fx.coordinator.store.findBranches(gid), []);
        const page = await fx.coordinator.store.scanGlobals('', 1000);
        assert.ok(!page.transactions.some((g) => g.gid === gid));

        await api
          .post('/api/dtmsvr/submit')
          .send({ ...sagaBody(gid), wait_result: true })
          .expect(200);
        const answer = await queryTrans(fx.dtm, gid);
        assert.equal(answer.transaction?.status, 'succeed');
        assert.deepEqual(
          callsOf(gid).map((c) => c.name),
          ['A', 'B'],
        );
      });
    });

    describe('concurrent identical submits with wait_result', () => {
      for (let trial = 1; trial <= 3; trial++) {
        it(`both callers get the success (trial ${trial}), and no branch runs twice`, async function () {
          const gid = gidFor(this.test!.title);
          fx.busi.script('A', { status: 200, afterMs: 300 });
          const body = { ...sagaBody(gid), wait_result: true };
          const first = api.post('/api/dtmsvr/submit').send(body);
          await new Promise((resolve) => setTimeout(resolve, 50));
          const [a, b] = await Promise.all([first, api.post('/api/dtmsvr/submit').send(body)]);
          assert.deepEqual([a.status, b.status], [200, 200], JSON.stringify([a.body, b.body]));
          assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
          assert.deepEqual(
            callsOf(gid).map((c) => c.name),
            ['A', 'B'],
          );
        });
      }

      it('both callers get the FAILURE with its reason when the saga rolls back', async function () {
        const gid = gidFor(this.test!.title);
        fx.busi.script('B', { status: 409, afterMs: 300 });
        const body = { ...sagaBody(gid), wait_result: true };
        const first = api.post('/api/dtmsvr/submit').send(body);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const [a, b] = await Promise.all([first, api.post('/api/dtmsvr/submit').send(body)]);
        assert.deepEqual([a.status, b.status], [409, 409]);
        for (const res of [a, b]) {
          assert.equal(res.body.dtm_result, 'FAILURE');
          assert.match(res.body.message, /answered FAILURE/);
        }
        const answer = await waitForStatus(fx.dtm, gid, 'failed');
        assert.deepEqual(branchStatuses(answer), [
          'compensate:succeed',
          'action:succeed',
          'compensate:succeed',
          'action:failed',
        ]);
      });

      it('a submit of a prepared saga sent twice at once: both get the success', async function () {
        const gid = gidFor(this.test!.title);
        await api.post('/api/dtmsvr/prepare').send(sagaBody(gid)).expect(200);
        fx.busi.script('A', { status: 200, afterMs: 300 });
        const body = { ...sagaBody(gid), wait_result: true };
        const [a, b] = await Promise.all([
          api.post('/api/dtmsvr/submit').send(body),
          api.post('/api/dtmsvr/submit').send(body),
        ]);
        assert.deepEqual([a.status, b.status], [200, 200], JSON.stringify([a.body, b.body]));
        assert.equal(callsOf(gid, 'A').length, 1);
      });
    });

    describe('a repeated request that differs from the stored one', () => {
      const cases: [string, (gid: string) => Record<string, unknown>, string][] = [
        [
          'another payload',
          (gid) => sagaBody(gid, { payloads: ['{"amount":31,"user":"u1"}', '{"amount":30}'] }),
          'payloads[0]',
        ],
        [
          'another action URL',
          (gid) => {
            const body = sagaBody(gid);
            (body.steps as Record<string, string>[])[1] = {
              action: `${fx.busi.url}/C`,
              compensate: `${fx.busi.url}/BRevert`,
            };
            return body;
          },
          'steps[1].action',
        ],
        [
          'another number of steps',
          (gid) =>
            sagaBody(gid, {
              steps: [{ action: `${fx.busi.url}/A`, compensate: `${fx.busi.url}/ARevert` }],
              payloads: ['{"amount":30,"user":"u1"}'],
            }),
          'steps',
        ],
      ];
      for (const [what, body, field] of cases) {
        it(`a resubmit with ${what} answers 409 CONFLICT naming ${field}; the stored one is untouched`, async function () {
          const gid = gidFor(this.test!.title);
          await api
            .post('/api/dtmsvr/submit')
            .send({ ...sagaBody(gid), wait_result: true })
            .expect(200);
          const before = await queryTrans(fx.dtm, gid);
          const res = await api.post('/api/dtmsvr/submit').send(body(gid)).expect(409);
          assert.equal(res.body.code, 'CONFLICT');
          assert.equal(res.body.field, field);
          assert.deepEqual(await queryTrans(fx.dtm, gid), before);
        });
      }

      it('a resubmit of another type answers 409 naming trans_type', async function () {
        const gid = gidFor(this.test!.title);
        await api
          .post('/api/dtmsvr/submit')
          .send({ ...sagaBody(gid), wait_result: true })
          .expect(200);
        const res = await api.post('/api/dtmsvr/submit').send({ gid, trans_type: 'tcc' }).expect(409);
        assert.equal(res.body.code, 'ILLEGAL_TRANSITION');
        assert.equal(res.body.field, 'trans_type');
      });

      it('a prepare repeated with other steps answers 409 CONFLICT', async function () {
        const gid = gidFor(this.test!.title);
        await api.post('/api/dtmsvr/prepare').send(sagaBody(gid)).expect(200);
        const res = await api
          .post('/api/dtmsvr/prepare')
          .send(sagaBody(gid, { payloads: ['{}', '{}'] }))
          .expect(409);
        assert.equal(res.body.field, 'payloads[0]');
      });

      it('the same request, even with its JSON keys in another order, stays idempotent', async function () {
        const gid = gidFor(this.test!.title);
        await api
          .post('/api/dtmsvr/submit')
          .send({ ...sagaBody(gid), wait_result: true })
          .expect(200);
        await api
          .post('/api/dtmsvr/submit')
          .send(sagaBody(gid, { payloads: ['{"user":"u1", "amount":30}', '{"amount":30}'] }))
          .expect(200);
        await api.post('/api/dtmsvr/submit').send(sagaBody(gid)).expect(200);
        assert.equal(callsOf(gid, 'A').length, 1);
      });
    });

    describe('text with a lone UTF-16 surrogate (a "\\ud800" escape in the request)', () => {
      // UTF-8 cannot carry such a surrogate; it travels and is kept as U+FFFD, and nothing gets stuck.
      const lone = '\ud800';

      it('a saga whose payload holds one runs, and its branch receives U+FFFD', async function () {
        const gid = gidFor(this.test!.title);
        await api
          .post('/api/dtmsvr/submit')
          .send({ ...sagaBody(gid, { payloads: [`{"note":"a${lone}b"}`, '{}'] }), wait_result: true })
          .expect(200);
        assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
        assert.deepEqual(callsOf(gid, 'A')[0]?.body, { note: 'a\ufffdb' });
      });

      it('the same saga submitted again is the same request, not another one', async function () {
        const gid = gidFor(this.test!.title);
        const body = sagaBody(gid, { payloads: [`{"note":"a${lone}b"}`, '{}'] });
        await api
          .post('/api/dtmsvr/submit')
          .send({ ...body, wait_result: true })
          .expect(200);
        await api.post('/api/dtmsvr/submit').send(body).expect(200);
        await api
          .post('/api/dtmsvr/submit')
          .send(sagaBody(gid, { payloads: [`{"note":"a${lone}c"}`, '{}'] }))
          .expect(409);
        assert.equal(callsOf(gid, 'A').length, 1);
      });

      it('a TCC branch registered again is the same branch, not another one', async function () {
        const gid = gidFor(this.test!.title);
        await api.post('/api/dtmsvr/prepare').send({ gid, trans_type: 'tcc' }).expect(200);
        const branch = (note: string) => ({
          gid,
          trans_type: 'tcc',
          branch_id: '01',
          data: `{"note":"${note}"}`,
          confirm: `${fx.busi.url}/A`,
          cancel: `${fx.busi.url}/ARevert`,
        });
        await api
          .post('/api/dtmsvr/registerBranch')
          .send(branch(`a${lone}b`))
          .expect(200);
        await api
          .post('/api/dtmsvr/registerBranch')
          .send(branch(`a${lone}b`))
          .expect(200);
        await api
          .post('/api/dtmsvr/registerBranch')
          .send(branch(`a${lone}c`))
          .expect(409);
        assert.deepEqual(branchStatuses(await queryTrans(fx.dtm, gid)), ['cancel:prepared', 'confirm:prepared']);
      });

      it('an abort whose rollback_reason holds one fails the message and keeps the reason', async function () {
        const gid = gidFor(this.test!.title);
        const msg = {
          gid,
          trans_type: 'msg',
          steps: [{ action: `${fx.busi.url}/A` }],
          payloads: ['{}'],
          query_prepared: `${fx.busi.url}/QueryPrepared`,
        };
        await api.post('/api/dtmsvr/prepare').send(msg).expect(200);
        await api
          .post('/api/dtmsvr/abort')
          .send({ ...msg, rollback_reason: `stopped ${lone} here` })
          .expect(200);
        const answer = await queryTrans(fx.dtm, gid);
        assert.equal(answer.transaction?.status, 'failed');
        assert.equal(answer.transaction?.rollback_reason, 'stopped \ufffd here');
        assert.deepEqual(callsOf(gid), []);
      });
    });

    describe('a prepared saga nobody submits', () => {
      it('fails after its timeout_to_fail, calling no branch', async function () {
        const gid = gidFor(this.test!.title);
        await api
          .post('/api/dtmsvr/prepare')
          .send(sagaBody(gid, { timeout_to_fail: 5 }))
          .expect(200);
        assert.deepEqual(await fx.recover(3_000), [], 'not yet');
        await fx.recover(3_000);
        const answer = await queryTrans(fx.dtm, gid);
        assert.equal(answer.transaction?.status, 'failed');
        assert.match(String(answer.transaction?.rollback_reason), /Timeout after 5 seconds/);
        assert.deepEqual(branchStatuses(answer), [
          'compensate:prepared',
          'action:prepared',
          'compensate:prepared',
          'action:prepared',
        ]);
        assert.deepEqual(callsOf(gid), []);
        await api
          .post('/api/dtmsvr/submit')
          .send(sagaBody(gid, { timeout_to_fail: 5 }))
          .expect(409);
      });

      it('without a timeout of its own, fails after TIMEOUT_TO_FAIL_MS', async function () {
        const gid = gidFor(this.test!.title);
        await api.post('/api/dtmsvr/prepare').send(sagaBody(gid)).expect(200);
        const defaultMs = testConfig(store).coordinator.timeoutToFailMs;
        await fx.recover(defaultMs / 2);
        assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'prepared');
        await fx.recover(defaultMs / 2 + 1000);
        assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'failed');
        assert.deepEqual(callsOf(gid), []);
      });

      it('submitted in time, it runs as usual', async function () {
        const gid = gidFor(this.test!.title);
        await api
          .post('/api/dtmsvr/prepare')
          .send(sagaBody(gid, { timeout_to_fail: 5 }))
          .expect(200);
        await fx.recover(3_000);
        await new Saga(fx.dtm, gid)
          .add(`${fx.busi.url}/A`, `${fx.busi.url}/ARevert`, { amount: 30, user: 'u1' })
          .add(`${fx.busi.url}/B`, `${fx.busi.url}/BRevert`, { amount: 30 })
          .withOptions({ waitResult: true })
          .submit();
        assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
      });
    });
  });
}
