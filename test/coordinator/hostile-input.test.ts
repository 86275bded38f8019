import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { Limits } from '../../common/protocol/trans-body';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { queryTrans } from '../helpers/wait';

/**
 * Input a careless or hostile client sends: refused at the edge with the same answer on both stores,
 * and nothing stored; what is accepted can be stored and scheduled.
 */
for (const store of STORES) {
  describe(`coordinator hostile input (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store, { MAX_RETRY_INTERVAL_MS: '600000' });
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const saga = (gid: string, extra: Record<string, unknown> = {}) => ({
      gid,
      trans_type: 'saga',
      steps: [{ action: `${fx.busi.url}/A`, compensate: `${fx.busi.url}/ARevert` }],
      payloads: ['{"x":1}'],
      ...extra,
    });
    const msg = (gid: string, extra: Record<string, unknown> = {}) => ({
      gid,
      trans_type: 'msg',
      steps: [{ action: `${fx.busi.url}/A` }],
      payloads: ['{}'],
      ...extra,
    });
    const manyHeaders = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`X-H${i}`, 'v'.repeat(100)]));

    const refused: [string, (gid: string) => Record<string, unknown>, string][] = [
      [
        'retry_interval above its range',
        (g) => saga(g, { retry_interval: Limits.retryIntervalSeconds + 1 }),
        'retry_interval',
      ],
      ['a huge retry_interval', (g) => saga(g, { retry_interval: 1e12 }), 'retry_interval'],
      ['a fractional retry_interval', (g) => saga(g, { retry_interval: 1.5 }), 'retry_interval'],
      [
        'timeout_to_fail above its range',
        (g) => saga(g, { timeout_to_fail: Limits.timeoutToFailSeconds + 1 }),
        'timeout_to_fail',
      ],
      [
        'request_timeout above its range',
        (g) => saga(g, { request_timeout: Limits.requestTimeoutSeconds + 1 }),
        'request_timeout',
      ],
      ['a string request_timeout', (g) => saga(g, { request_timeout: '5' }), 'request_timeout'],
      ['retry_limit above its range', (g) => saga(g, { retry_limit: Limits.retryLimit + 1 }), 'retry_limit'],
      [
        'a msg delay above its range',
        (g) => msg(g, { custom_data: `{"delay":${Limits.msgDelaySeconds + 1}}` }),
        'custom_data.delay',
      ],
      ['a msg delay of 1e12', (g) => msg(g, { custom_data: '{"delay":1e12}' }), 'custom_data.delay'],
      [
        'a header value with CR LF',
        (g) => saga(g, { branch_headers: { 'X-A': 'a\r\nX-Injected: 1' } }),
        'branch_headers.X-A',
      ],
      ['a header name that is no token', (g) => saga(g, { branch_headers: { 'X A': 'a' } }), 'branch_headers.X A'],
      [
        'a header value no HTTP client can send',
        (g) => saga(g, { branch_headers: { 'X-A': '€' } }),
        'branch_headers.X-A',
      ],
      ['branch headers over their total', (g) => saga(g, { branch_headers: manyHeaders }), 'branch_headers'],
      [
        'too many passthrough headers',
        (g) =>
          saga(g, { passthrough_headers: Array.from({ length: Limits.passthroughHeaders + 1 }, (_, i) => `X-${i}`) }),
        'passthrough_headers',
      ],
      [
        'a branch URL over its length',
        (g) => saga(g, { steps: [{ action: `${fx.busi.url}/A?${'q'.repeat(Limits.urlLength)}` }] }),
        'steps[0].action',
      ],
      [
        'custom_data over its length',
        (g) => saga(g, { custom_data: JSON.stringify({ x: 'y'.repeat(Limits.customDataBytes) }) }),
        'custom_data',
      ],
      // Fewer characters than the limit, more bytes than a MySQL text column holds.
      [
        'custom_data over its length in UTF-8 bytes',
        (g) => saga(g, { custom_data: JSON.stringify({ x: '€'.repeat(30_000) }) }),
        'custom_data',
      ],
      [
        'custom_data.orders that is not an object',
        (g) => saga(g, { custom_data: '{"concurrent":true,"orders":[1]}' }),
        'custom_data.orders',
      ],
      [
        'custom_data.orders with a non-array entry',
        (g) => saga(g, { custom_data: '{"concurrent":true,"orders":{"0":5}}' }),
        'custom_data.orders',
      ],
      [
        'a rollback_reason over its length',
        (g) => saga(g, { rollback_reason: 'r'.repeat(Limits.rollbackReasonLength + 1) }),
        'rollback_reason',
      ],
    ];
    for (const [what, body, field] of refused) {
      it(`refuses ${what} with 400 naming ${field}, storing nothing`, async function () {
        const gid = gidFor(this.test!.title);
        const res = await api.post('/api/dtmsvr/submit').send(body(gid)).expect(400);
        assert.equal(res.body.code, 'INVALID_INPUT');
        assert.equal(res.body.field, field);
        assert.ok(res.body.message.includes(field), res.body.message);
        assert.equal((await queryTrans(fx.dtm, gid)).transaction, null);
      });
    }

    it('refuses paging out of range with 400 naming position or limit', async () => {
      for (const [query, field] of [
        [`position=${'9'.repeat(400)}`, 'position'],
        [`position=${Number.MAX_SAFE_INTEGER + 2}`, 'position'],
        ['position=abc', 'position'],
        ['limit=0', 'limit'],
        [`limit=${Limits.pageLimit + 1}`, 'limit'],
        ['limit=x', 'limit'],
      ] as const) {
        const res = await api.get(`/api/dtmsvr/all?${query}`).expect(400);
        assert.equal(res.body.field, field, query);
        const kv = await api.get(`/api/dtmsvr/scanKV?cat=topics&${query}`).expect(400);
        assert.equal(kv.body.field, field, query);
      }
      await api.get(`/api/dtmsvr/all?position=${Number.MAX_SAFE_INTEGER}&limit=${Limits.pageLimit}`).expect(200);
    });

    it('refuses an over-long topic, remark or key with 400', async () => {
      const topic = 't'.repeat(Limits.topicLength + 1);
      assert.equal(
        (
          await api
            .get('/api/dtmsvr/subscribe')
            .query({ topic, url: `${fx.busi.url}/S` })
            .expect(400)
        ).body.field,
        'topic',
      );
      const remark = 'r'.repeat(Limits.remarkLength + 1);
      assert.equal(
        (
          await api
            .get('/api/dtmsvr/subscribe')
            .query({ topic: 'ok', url: `${fx.busi.url}/S`, remark })
            .expect(400)
        ).body.field,
        'remark',
      );
      const key = 'k'.repeat(Limits.kvKeyLength + 1);
      assert.equal((await api.get('/api/dtmsvr/queryKV').query({ cat: 'topics', key }).expect(400)).body.field, 'key');
    });

    it('caps a retry_interval above the maximum back-off, so the transaction stays schedulable', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('A', 500);
      await api
        .post('/api/dtmsvr/submit')
        .send(saga(gid, { retry_interval: Limits.retryIntervalSeconds }))
        .expect(200);
      await fx.coordinator.service.drain();
      const t = (await queryTrans(fx.dtm, gid)).transaction!;
      assert.equal(t.status, 'submitted');
      assert.equal(t.next_cron_interval, 600, 'MAX_RETRY_INTERVAL_MS caps the caller’s interval');
      assert.deepEqual(await fx.coordinator.cron.runUntilIdle(5), [], 'not due again at once: the cron does not spin');
      await api.get('/api/dtmsvr/all?limit=5').expect(200);
      assert.ok((await fx.recover(600_000)).includes(gid));
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
    });

    it('accepts the largest msg delay and timeout, schedules them, and still lists transactions', async function () {
      const gid = gidFor(this.test!.title);
      await api
        .post('/api/dtmsvr/submit')
        .send(
          msg(gid, {
            custom_data: `{"delay":${Limits.msgDelaySeconds}}`,
            timeout_to_fail: Limits.timeoutToFailSeconds,
          }),
        )
        .expect(200);
      await fx.coordinator.service.drain();
      const t = (await queryTrans(fx.dtm, gid)).transaction!;
      assert.ok(new Date(String(t.next_cron_time)).getTime() > Date.now() + (Limits.msgDelaySeconds - 60) * 1000);
      const all = await api.get('/api/dtmsvr/all?limit=20').expect(200);
      assert.ok(all.body.transactions.some((x: { gid: string }) => x.gid === gid));
    });

    it('answers 413 to a body over the limit, naming the limit', async function () {
      const gid = gidFor(this.test!.title);
      const res = await api
        .post('/api/dtmsvr/submit')
        .send(saga(gid, { payloads: ['x'.repeat(Limits.bodyBytes)] }))
        .expect(413);
      assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE');
      assert.ok(res.body.message.includes(String(Limits.bodyBytes)), res.body.message);
      assert.equal((await queryTrans(fx.dtm, gid)).transaction, null);
    });

    it('answers 415 to an unknown charset or content encoding, 400 to corrupt gzip, and reads real gzip', async function () {
      const gid = gidFor(this.test!.title);
      const body = JSON.stringify(saga(gid));
      const charset = await api
        .post('/api/dtmsvr/submit')
        .set('Content-Type', 'application/json; charset=latin9')
        .send(body)
        .expect(415);
      assert.equal(charset.body.code, 'UNSUPPORTED_MEDIA_TYPE');
      const encoding = await api
        .post('/api/dtmsvr/submit')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'br2')
        .send(body)
        .expect(415);
      assert.equal(encoding.body.code, 'UNSUPPORTED_MEDIA_TYPE');
      const corrupt = await api
        .post('/api/dtmsvr/submit')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('this is not gzip')
        .expect(400);
      assert.equal(corrupt.body.field, 'body');
      assert.equal((await queryTrans(fx.dtm, gid)).transaction, null);
      const gzipped = await fetch(`${fx.dtm}/submit`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: gzipSync(body),
      });
      assert.equal(gzipped.status, 200, await gzipped.text());
      await fx.coordinator.service.drain();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
    });
  });
}
