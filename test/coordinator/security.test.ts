import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import request from 'supertest';
import { Saga, Unauthorized } from '../../common';
import { callDtmGrpc } from '../../common/sdk/dtm-grpc';
import { FORCE_STOP_REASON } from '../../coordinator/service/trans-service';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';

const TOKEN = 'test-admin-token-0123456789';

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

for (const store of STORES) {
  describe(`coordinator admin security (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store, { ADMIN_TOKEN: TOKEN });
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const bearer = { authorization: `Bearer ${TOKEN}` };
    /** A saga waiting for its retry, so every admin operation has something to act on. */
    const pendingSaga = async (gid: string) => {
      fx.busi.script(`P-${gid}`, 500);
      await new Saga(fx.dtm, gid).add(`${fx.busi.url}/P-${gid}`, `${fx.busi.url}/PR`, {}).submit();
      await fx.coordinator.service.drain();
    };
    const storedStatus = async (gid: string) => (await fx.coordinator.store.findGlobal(gid))?.status;

    it('forceStop and resetNextCronTime answer 401 without the token and change nothing; they work with it', async function () {
      const gid = gidFor(this.test!.title);
      await pendingSaga(gid);
      const before = (await fx.coordinator.store.findGlobal(gid))!;
      const refused = await api.post('/api/dtmsvr/forceStop').send({ gid }).expect(401);
      assert.equal(refused.body.code, 'UNAUTHORIZED');
      await api
        .post('/api/dtmsvr/forceStop')
        .set('authorization', 'Bearer wrong-token-000000000')
        .send({ gid })
        .expect(401);
      await api.post('/api/dtmsvr/resetNextCronTime').send({ gid }).expect(401);
      const after = (await fx.coordinator.store.findGlobal(gid))!;
      assert.equal(after.status, 'submitted');
      assert.equal(after.nextCronTime.getTime(), before.nextCronTime.getTime());

      await api.post('/api/dtmsvr/resetNextCronTime').set(bearer).send({ gid }).expect(200);
      assert.ok((await fx.coordinator.store.findGlobal(gid))!.nextCronTime.getTime() <= fx.clock.now().getTime());
      await api.post('/api/dtmsvr/forceStop').set(bearer).send({ gid }).expect(200);
      const stopped = (await fx.coordinator.store.findGlobal(gid))!;
      assert.equal(stopped.status, 'failed');
      assert.equal(stopped.rollbackReason, FORCE_STOP_REASON);
    });

    it('resetCronTime answers 401 without the token, and resets with it', async function () {
      const gid = gidFor(this.test!.title);
      await pendingSaga(gid);
      await api.get('/api/dtmsvr/resetCronTime?timeout=0').expect(401);
      assert.ok((await fx.coordinator.store.findGlobal(gid))!.nextCronTime.getTime() > fx.clock.now().getTime());
      const res = await api.get('/api/dtmsvr/resetCronTime?timeout=0').set(bearer).expect(200);
      assert.ok(res.body.succeed_count >= 1);
      assert.ok((await fx.coordinator.store.findGlobal(gid))!.nextCronTime.getTime() <= fx.clock.now().getTime());
      await fx.recover();
    });

    it('topic changes answer 401 without the token and work with it', async function () {
      const topic = gidFor(this.test!.title);
      const url = encodeURIComponent(`${fx.busi.url}/Sub`);
      await api.get(`/api/dtmsvr/subscribe?topic=${topic}&url=${url}`).expect(401);
      assert.equal(await fx.coordinator.store.kvGet('topics', topic), undefined);
      await api.get(`/api/dtmsvr/subscribe?topic=${topic}&url=${url}`).set(bearer).expect(200);
      await api.get(`/api/dtmsvr/subscribe?topic=${topic}&url=${url}2`).set(bearer).expect(200);
      await api.get(`/api/dtmsvr/unsubscribe?topic=${topic}&url=${url}`).expect(401);
      await api.delete(`/api/dtmsvr/topic/${topic}`).expect(401);
      assert.equal(JSON.parse((await fx.coordinator.store.kvGet('topics', topic))!.v).length, 2);
      await api.get(`/api/dtmsvr/unsubscribe?topic=${topic}&url=${url}`).set(bearer).expect(200);
      assert.equal(JSON.parse((await fx.coordinator.store.kvGet('topics', topic))!.v).length, 1);
      await api.delete(`/api/dtmsvr/topic/${topic}`).set(bearer).expect(200);
      assert.equal(await fx.coordinator.store.kvGet('topics', topic), undefined);
    });

    it('gRPC topic changes answer UNAUTHENTICATED without the token and work with it', async function () {
      const topic = gidFor(this.test!.title);
      const server = fx.coordinator.grpc;
      const request = { Topic: topic, URL: `127.0.0.1:9/busi.Busi/Sub`, Remark: '' };
      await assert.rejects(callDtmGrpc(server, 'Subscribe', request), Unauthorized);
      assert.equal(await fx.coordinator.store.kvGet('topics', topic), undefined);
      const headers = { authorization: `Bearer ${TOKEN}` };
      await callDtmGrpc(server, 'Subscribe', request, { headers });
      await assert.rejects(callDtmGrpc(server, 'DeleteTopic', { Topic: topic }), Unauthorized);
      await assert.rejects(callDtmGrpc(server, 'Unsubscribe', request), Unauthorized);
      assert.ok(await fx.coordinator.store.kvGet('topics', topic));
      await callDtmGrpc(server, 'DeleteTopic', { Topic: topic }, { headers });
      assert.equal(await fx.coordinator.store.kvGet('topics', topic), undefined);
    });

    it('the reads that show payloads (query, all, scanKV, queryKV, the dashboard) need the token too', async function () {
      const gid = gidFor(this.test!.title);
      await pendingSaga(gid);
      for (const path of [
        `/api/dtmsvr/query?gid=${gid}`,
        '/api/dtmsvr/all',
        '/api/dtmsvr/scanKV?cat=topics',
        '/api/dtmsvr/queryKV?cat=topics&key=x',
      ]) {
        await api.get(path).expect(401);
        await api.get(path).set(bearer).expect(200);
      }
      assert.equal((await api.get(`/api/dtmsvr/query?gid=${gid}`).set(bearer)).body.transaction.gid, gid);
      assert.equal((await api.get('/admin').expect(303)).headers.location, '/admin/login');
      await api.post(`/admin/trans/${gid}/stop`).type('form').send({ confirm: 'yes' }).expect(401);
      assert.equal(await storedStatus(gid), 'submitted');
      await api.get('/admin').set(bearer).expect(200);
      await fx.recover();
    });

    it('the public endpoints and the metrics need no token', async function () {
      await api.get('/api/dtmsvr/newGid').expect(200);
      await api.get('/api/dtmsvr/version').expect(200);
      await api.get('/api/dtmsvr/health').expect(200);
      await api.get('/api/metrics').expect(200);
      const gid = gidFor(this.test!.title);
      await new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/A`, `${fx.busi.url}/AR`, {})
        .withOptions({ waitResult: true })
        .submit();
      assert.equal(await storedStatus(gid), 'succeed');
    });

    it('refuses a page of another site even with the login cookie', async () => {
      await api.get('/api/dtmsvr/all').set(bearer).set('sec-fetch-site', 'cross-site').expect(401);
    });
  });

  describe(`coordinator without ADMIN_TOKEN (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());

    it('allows admin operations from this machine only', async () => {
      await api.get('/api/dtmsvr/all').expect(200);
      await api.get('/api/dtmsvr/all').set('host', 'localhost').expect(200);
      // A DNS name rebound to 127.0.0.1, or a page of another site, is not this machine's own request.
      const rebound = await api.get('/api/dtmsvr/all').set('host', 'attacker.example').expect(401);
      assert.match(rebound.body.message, /ADMIN_TOKEN/);
      await api.get('/api/dtmsvr/resetCronTime').set('sec-fetch-site', 'cross-site').expect(401);
      await api.post('/api/dtmsvr/forceStop').set('sec-fetch-site', 'cross-site').send({ gid: 'x' }).expect(401);
    });

    it('listens on loopback only (COORDINATOR_HOST defaults to 127.0.0.1)', async function () {
      const address = externalAddress();
      if (!address) this.skip();
      await assert.rejects(fetch(`http://${address}:${fx.coordinator.port}/api/dtmsvr/version`));
      assert.equal((await fetch(`http://127.0.0.1:${fx.coordinator.port}/api/dtmsvr/version`)).status, 200);
    });
  });
}
