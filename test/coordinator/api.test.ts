import assert from 'node:assert/strict';
import request from 'supertest';
import {
  startCoordinatorFixture,
  gidFor,
  oneStepSagaBody,
  type CoordinatorFixture,
} from '../helpers/coordinator-fixture';
import { createRedis } from '../../common/redis';
import { STORES, testConfig } from '../helpers/test-env';

for (const store of STORES) {
  describe(`coordinator API (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());

    const sagaBody = (gid: string) => oneStepSagaBody(fx, gid);

    it('hands out gids', async () => {
      const res = await api.get('/api/dtmsvr/newGid').expect(200);
      assert.equal(res.body.dtm_result, 'SUCCESS');
      assert.match(res.body.gid, /^[a-f0-9]{32}$/);
    });

    it('answers health and version', async () => {
      assert.deepEqual((await api.get('/api/dtmsvr/health').expect(200)).body, { status: 'ok', store });
      assert.ok((await api.get('/api/dtmsvr/version').expect(200)).body.version);
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ['a missing gid', { trans_type: 'saga' }, 'gid'],
      ['a gid with spaces', { gid: 'a b', trans_type: 'saga' }, 'gid'],
      ['an unknown trans_type', { gid: 'g1', trans_type: 'xa2' }, 'trans_type'],
      [
        'a step without action',
        { gid: 'g2', trans_type: 'saga', steps: [{ compensate: 'http://x/y' }], payloads: ['{}'] },
        'steps[0].action',
      ],
      [
        'a step with a non-URL action',
        { gid: 'g3', trans_type: 'saga', steps: [{ action: 'ftp:x' }], payloads: ['{}'] },
        'steps[0].action',
      ],
      [
        'a missing payload',
        { gid: 'g4', trans_type: 'saga', steps: [{ action: 'http://x/a', compensate: 'http://x/b' }] },
        'payloads[0]',
      ],
      ['a negative timeout', { gid: 'g5', trans_type: 'saga', timeout_to_fail: -1 }, 'timeout_to_fail'],
      ['a step of the wrong type', { gid: 'g6', trans_type: 'saga', steps: 'nope' }, 'steps'],
      ['the json-rpc protocol (not served)', { gid: 'g7', trans_type: 'saga', protocol: 'json-rpc' }, 'protocol'],
      [
        'branch orders that form a cycle',
        {
          gid: 'g8',
          trans_type: 'saga',
          payloads: ['{}', '{}'],
          custom_data: '{"concurrent":true,"orders":{"0":[1],"1":[0]}}',
          steps: [
            { action: 'http://x/a', compensate: 'http://x/ar' },
            { action: 'http://x/b', compensate: 'http://x/br' },
          ],
        },
        'custom_data.orders',
      ],
    ];
    for (const [what, body, field] of bad) {
      it(`refuses a submit with ${what} (400 naming ${field})`, async () => {
        const res = await api.post('/api/dtmsvr/submit').send(body).expect(400);
        assert.equal(res.body.field, field);
        assert.equal(res.body.code, 'INVALID_INPUT');
        assert.ok(res.body.message.includes(field), res.body.message);
      });
    }

    it('refuses a msg prepare without query_prepared', async () => {
      const res = await api
        .post('/api/dtmsvr/prepare')
        .send({ gid: 'm1', trans_type: 'msg', steps: [{ action: 'http://x/a' }], payloads: ['{}'] })
        .expect(400);
      assert.equal(res.body.field, 'query_prepared');
    });

    it('refuses a body that is not JSON', async () => {
      const res = await api
        .post('/api/dtmsvr/submit')
        .set('Content-Type', 'application/json')
        .send('{"gid":')
        .expect(400);
      assert.equal(res.body.field, 'body');
    });

    it('answers 404 for unknown paths and gids, and null for an unknown query', async () => {
      await api.get('/api/dtmsvr/nothing').expect(404);
      await api.post('/api/dtmsvr/abort').send({ gid: 'never-seen', trans_type: 'tcc' }).expect(404);
      assert.deepEqual((await api.get('/api/dtmsvr/query?gid=never-seen').expect(200)).body, {
        transaction: null,
        branches: [],
      });
      assert.equal((await api.get('/api/dtmsvr/query').expect(400)).body.field, 'gid');
    });

    it('refuses illegal transitions with 409', async function () {
      const gid = gidFor(this.test!.title);
      await api
        .post('/api/dtmsvr/submit')
        .send({ ...sagaBody(gid), wait_result: true })
        .expect(200);
      const prepare = await api.post('/api/dtmsvr/prepare').send(sagaBody(gid)).expect(409);
      assert.equal(prepare.body.code, 'ILLEGAL_TRANSITION');
      assert.match(prepare.body.message, /succeed/);
      await api.post('/api/dtmsvr/abort').send(sagaBody(gid)).expect(409);
      await api.post('/api/dtmsvr/forceStop').send(sagaBody(gid)).expect(409);
    });

    it('stops an unfinished transaction with forceStop', async function () {
      const gid = gidFor(this.test!.title);
      await api.post('/api/dtmsvr/prepare').send({ gid, trans_type: 'tcc' }).expect(200);
      await api.post('/api/dtmsvr/forceStop').send({ gid }).expect(200);
      const q = await api.get(`/api/dtmsvr/query?gid=${gid}`).expect(200);
      assert.equal(q.body.transaction.status, 'failed');
      assert.equal(q.body.transaction.rollback_reason, 'stopped by forceStop');
    });

    it('prints a transaction with DTM field names', async function () {
      const gid = gidFor(this.test!.title);
      await api
        .post('/api/dtmsvr/submit')
        .send({ ...sagaBody(gid), wait_result: true, retry_interval: 7 })
        .expect(200);
      const q = await api.get(`/api/dtmsvr/query?gid=${gid}`).expect(200);
      assert.equal(q.body.transaction.gid, gid);
      assert.equal(q.body.transaction.trans_type, 'saga');
      assert.equal(q.body.transaction.retry_interval, 7);
      assert.equal(q.body.transaction.protocol, 'http');
      assert.ok(q.body.transaction.finish_time);
      assert.equal(Buffer.from(q.body.branches[1].bin_data, 'base64').toString(), '{"x":1}');
      assert.deepEqual(
        q.body.branches.map((b: { branch_id: string }) => b.branch_id),
        ['01', '01'],
      );
    });

    if (store === 'redis') {
      it('lets a finished transaction expire from Redis, and keeps an unfinished one', async function () {
        const done = gidFor(`${this.test!.title}-done`);
        const open = gidFor(`${this.test!.title}-open`);
        await api
          .post('/api/dtmsvr/submit')
          .send({ ...sagaBody(done), wait_result: true })
          .expect(200);
        await api.post('/api/dtmsvr/prepare').send({ gid: open, trans_type: 'tcc' }).expect(200);
        const redis = createRedis(testConfig('redis'));
        const prefix = `${testConfig('redis').redis.prefix}dtm:`;
        try {
          for (const kind of ['g', 'bl', 'bd', 'ev']) {
            const ttl = await redis.pttl(`${prefix}${kind}:${done}`);
            assert.ok(
              ttl > 6 * 24 * 3600 * 1000,
              `${kind} of the finished transaction expires in about a week (${ttl} ms)`,
            );
          }
          assert.equal(await redis.pttl(`${prefix}g:${open}`), -1, 'an unfinished transaction never expires');
        } finally {
          await redis.quit();
        }
      });
    }

    it('lists transactions newest first, page by page', async function () {
      const gids = [gidFor(`${this.test!.title}-1`), gidFor(`${this.test!.title}-2`), gidFor(`${this.test!.title}-3`)];
      for (const gid of gids) await api.post('/api/dtmsvr/prepare').send({ gid, trans_type: 'tcc' }).expect(200);
      const first = await api.get('/api/dtmsvr/all?limit=2').expect(200);
      assert.deepEqual(
        first.body.transactions.map((t: { gid: string }) => t.gid),
        [gids[2], gids[1]],
      );
      const second = await api.get(`/api/dtmsvr/all?limit=1&position=${first.body.next_position}`).expect(200);
      assert.deepEqual(
        second.body.transactions.map((t: { gid: string }) => t.gid),
        [gids[0]],
      );
      await api.get('/api/dtmsvr/all?limit=0').expect(400);
    });
  });
}
