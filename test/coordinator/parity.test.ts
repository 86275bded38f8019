import assert from 'node:assert/strict';
import request from 'supertest';
import { BranchFailure, Msg, Saga, Tcc } from '../../common';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

/** Semantics that must equal DTM's: each case names the DTM behaviour it pins (docs/protocol.md). */
for (const store of STORES) {
  describe(`coordinator DTM parity (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const callsOf = (gid: string) => fx.busi.calls.filter((c) => c.query.gid === gid);

    it('msg concurrent: every step starts before any answered', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('SlowA', 500);
      const m = new Msg(fx.dtm, gid).add(`${fx.busi.url}/SlowA`, {}).add(`${fx.busi.url}/B`, {});
      await api
        .post('/api/dtmsvr/submit')
        .send({ ...m.toWire(), concurrent: true })
        .expect(200);
      await fx.coordinator.service.drain();
      // In order, B would wait for A's success; at once, B is called although A errored.
      assert.deepEqual(
        callsOf(gid)
          .map((c) => c.name)
          .sort(),
        ['B', 'SlowA'],
      );
      await fx.recover();
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed']);
    });

    it('wait_result answers FAILURE with the reason while compensations are still erroring', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('Out', 409);
      fx.busi.script('InRevert', 500);
      const saga = new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/In`, `${fx.busi.url}/InRevert`, {})
        .add(`${fx.busi.url}/Out`, `${fx.busi.url}/OutRevert`, {})
        .withOptions({ waitResult: true });
      await assert.rejects(
        saga.submit(),
        (e: unknown) => e instanceof BranchFailure && /answered FAILURE/.test(e.message),
      );
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'aborting');
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'failed');
    });

    it('registerBranch: the same branch again is accepted, another url or data under its id is refused', async function () {
      const gid = gidFor(this.test!.title);
      const tcc = new Tcc(fx.dtm, gid);
      await tcc.prepare();
      await tcc.registerBranch('01', { a: 1 }, `${fx.busi.url}/C`, `${fx.busi.url}/X`);
      await tcc.registerBranch('01', { a: 1 }, `${fx.busi.url}/C`, `${fx.busi.url}/X`);
      await assert.rejects(tcc.registerBranch('01', { a: 1 }, `${fx.busi.url}/C2`, `${fx.busi.url}/X`), BranchFailure);
      await assert.rejects(tcc.registerBranch('01', { a: 2 }, `${fx.busi.url}/C`, `${fx.busi.url}/X`), BranchFailure);
      const answer = await queryTrans(fx.dtm, gid);
      assert.deepEqual(
        answer.branches.map((b) => `${b.branch_id}:${b.op}:${b.url}`),
        [`01:cancel:${fx.busi.url}/X`, `01:confirm:${fx.busi.url}/C`],
      );
    });

    it('query shows branch ids, concurrent and the options the client sent', async function () {
      const gid = gidFor(this.test!.title);
      await new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/A`, `${fx.busi.url}/AR`, {})
        .withOptions({ waitResult: true, retryLimit: 3 })
        .submit();
      const res = await api.get('/api/dtmsvr/query').query({ gid }).expect(200);
      const t = res.body.transaction;
      assert.equal(t.concurrent, false);
      assert.deepEqual(JSON.parse(t.options), { wait_result: true, retry_limit: 3 });
      const ids = res.body.branches.map((b: { id: number }) => b.id);
      assert.equal(ids.length, 2);
      assert.ok(ids.every((id: unknown) => typeof id === 'number') && ids[0] < ids[1], JSON.stringify(ids));
    });

    it('calls branch URLs that carry a query of their own, appending the protocol parameters', async function () {
      const gid = gidFor(this.test!.title);
      await new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/Routed?tenant=7&name=a%20b`, `${fx.busi.url}/RoutedRevert?tenant=7`, {})
        .withOptions({ waitResult: true })
        .submit();
      const call = callsOf(gid)[0]!;
      assert.equal(call.name, 'Routed');
      assert.deepEqual(call.query, {
        tenant: '7',
        name: 'a b',
        gid,
        trans_type: 'saga',
        branch_id: '01',
        op: 'action',
      });
    });

    it('calls branch URLs ending in ? or &, carrying a fragment or a ? in the query, joining the protocol parameters once', async function () {
      const gid = gidFor(this.test!.title);
      await new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/Routed?`, `${fx.busi.url}/RoutedRevert`, {})
        .add(`${fx.busi.url}/Routed?tenant=7&`, `${fx.busi.url}/RoutedRevert`, {})
        .add(`${fx.busi.url}/Routed#part`, `${fx.busi.url}/RoutedRevert`, {})
        .add(`${fx.busi.url}/Routed?tenant=7?`, `${fx.busi.url}/RoutedRevert`, {})
        .withOptions({ waitResult: true })
        .submit();
      const protocol = (branchId: string) => ({ gid, trans_type: 'saga', branch_id: branchId, op: 'action' });
      assert.deepEqual(
        callsOf(gid).map((c) => c.query),
        [protocol('01'), { tenant: '7', ...protocol('02') }, protocol('03'), { tenant: '7?', ...protocol('04') }],
      );
    });

    it('form-encodes a gid of any printable ASCII in the branch query, as URLSearchParams does', async function () {
      const gid = `${gidFor(this.test!.title)}+a&b=c~!'()*%`;
      await new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/Routed`, `${fx.busi.url}/RoutedRevert`, {})
        .withOptions({ waitResult: true })
        .submit();
      assert.deepEqual(
        callsOf(gid).map((c) => c.query),
        [{ gid, trans_type: 'saga', branch_id: '01', op: 'action' }],
      );
    });

    it('msg delay sent with submit only (as DTM clients do) delays the delivery', async function () {
      const gid = gidFor(this.test!.title);
      const m = new Msg(fx.dtm, gid).add(`${fx.busi.url}/Late`, {});
      await m.prepare(`${fx.busi.url}/QueryPrepared`);
      await api
        .post('/api/dtmsvr/submit')
        .send({ ...m.toWire(), custom_data: '{"delay":30}' })
        .expect(200);
      await fx.coordinator.service.drain();
      assert.deepEqual(callsOf(gid), []);
      const t = (await queryTrans(fx.dtm, gid)).transaction!;
      assert.ok(new Date(String(t.next_cron_time)).getTime() - Date.now() > 20_000, String(t.next_cron_time));
      await fx.recover(31_000);
      await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(
        callsOf(gid).map((c) => c.name),
        ['Late'],
      );
    });

    it('accepts gids with a Redis hash tag, as DTM flash examples make them', async function () {
      const gid = `{a}-${gidFor(this.test!.title)}`;
      await new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/A`, `${fx.busi.url}/AR`, {})
        .withOptions({ waitResult: true })
        .submit();
      assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
      assert.equal(callsOf(gid)[0]?.query.gid, gid);
      await api.post('/api/dtmsvr/submit').send({ gid: 'has space', trans_type: 'saga' }).expect(400);
      await api
        .post('/api/dtmsvr/submit')
        .send({ gid: 'x'.repeat(129), trans_type: 'saga' })
        .expect(400);
    });

    it('topics: subscribe, deliver a topic step to every subscriber, unsubscribe, delete', async function () {
      const topic = gidFor(this.test!.title);
      await api
        .get('/api/dtmsvr/subscribe')
        .query({ topic, url: `${fx.busi.url}/SubA`, remark: 'a' })
        .expect(200);
      await api
        .get('/api/dtmsvr/subscribe')
        .query({ topic, url: `${fx.busi.url}/SubB` })
        .expect(200);
      await api
        .get('/api/dtmsvr/subscribe')
        .query({ topic, url: `${fx.busi.url}/SubB` })
        .expect(409);
      await api.get('/api/dtmsvr/subscribe').query({ topic, url: 'not a url' }).expect(400);
      const kv = await api.get('/api/dtmsvr/queryKV').query({ cat: 'topics', key: topic }).expect(200);
      assert.deepEqual(JSON.parse(kv.body.kv[0].v), [
        { url: `${fx.busi.url}/SubA`, remark: 'a' },
        { url: `${fx.busi.url}/SubB`, remark: '' },
      ]);
      const scan = await api.get('/api/dtmsvr/scanKV').query({ cat: 'topics', limit: 1000 }).expect(200);
      assert.ok(scan.body.kv.some((e: { k: string }) => e.k === topic));

      const gid = gidFor(`${this.test!.title}-msg`);
      await new Msg(fx.dtm, gid).add(`${fx.busi.url}/Plain`, {}).add(`topic://${topic}`, { n: 1 }).submit();
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(
        answer.branches.map((b) => `${b.branch_id}:${b.url.replace(fx.busi.url, '')}`),
        ['01:/Plain', '02-01:/SubA', '02-02:/SubB'],
      );

      await api
        .get('/api/dtmsvr/unsubscribe')
        .query({ topic, url: `${fx.busi.url}/SubA` })
        .expect(200);
      await api
        .get('/api/dtmsvr/unsubscribe')
        .query({ topic, url: `${fx.busi.url}/SubA` })
        .expect(404);
      await api.delete(`/api/dtmsvr/topic/${topic}`).expect(200);
      await api.delete(`/api/dtmsvr/topic/${topic}`).expect(404);
      const refused = await api
        .post('/api/dtmsvr/submit')
        .send(new Msg(fx.dtm, `${gid}-2`).add(`topic://${topic}`, {}).toWire())
        .expect(400);
      assert.equal(refused.body.field, 'steps[0].action');
    });
  });
}
