import assert from 'node:assert/strict';
import request from 'supertest';
import { Saga } from '../../common';
import { EVENTS_KEPT, type CallEvent, type TransEvent } from '../../coordinator/model/events';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { waitForStatus } from '../helpers/wait';

/** The admin endpoints DTM serves (all with filters, the cron resets) and the event log, on both stores. */
for (const store of STORES) {
  describe(`coordinator admin endpoints (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());
    afterEach(() => fx.busi.clearScripts());

    const gidsOf = (res: request.Response) => (res.body.transactions as { gid: string }[]).map((t) => t.gid);
    const saga = (gid: string, name = 'A') =>
      new Saga(fx.dtm, gid).add(`${fx.busi.url}/${name}`, `${fx.busi.url}/${name}Revert`, {});
    /** A saga whose action answered 500: it waits for its retry, next_cron_time in the future. */
    const backedOff = async (gid: string) => {
      fx.busi.script(`Slow-${gid}`, 500);
      await saga(gid, `Slow-${gid}`).submit();
      await fx.coordinator.service.drain();
      const g = await fx.coordinator.store.findGlobal(gid);
      assert.ok(g && g.nextCronTime.getTime() > fx.clock.now().getTime(), 'scheduled for later');
    };

    it('all: filters by gid, status, type and creation time, newest first, page by page', async function () {
      const t = this.test!.title;
      const mine = ['ok1', 'ok2', 'failed', 'prepared'].map((s) => gidFor(`${t}-${s}`));
      const [ok1, ok2, failed, prepared] = mine;
      // Far from the creation times of every other suite sharing this run's store.
      fx.clock.advance(3 * 365 * 24 * 3600 * 1000);
      const start = fx.clock.now().getTime();
      await saga(ok1!).withOptions({ waitResult: true }).submit();
      fx.clock.advance(1000);
      const middle = fx.clock.now().getTime();
      fx.busi.script('Refuse', 409);
      await assert.rejects(saga(failed!, 'Refuse').withOptions({ waitResult: true }).submit());
      await saga(ok2!).withOptions({ waitResult: true }).submit();
      await api.post('/api/dtmsvr/prepare').send({ gid: prepared, trans_type: 'tcc' }).expect(200);
      fx.clock.advance(1000);
      const range = `createTimeStart=${start}&createTimeEnd=${fx.clock.now().getTime()}`;

      const succeeded = await api.get(`/api/dtmsvr/all?status=succeed&transType=saga&${range}`).expect(200);
      assert.deepEqual(gidsOf(succeeded), [ok2, ok1]);
      const failedOnly = await api.get(`/api/dtmsvr/all?status=failed&${range}`).expect(200);
      assert.deepEqual(gidsOf(failedOnly), [failed]);
      const tcc = await api.get(`/api/dtmsvr/all?transType=tcc&${range}`).expect(200);
      assert.deepEqual(gidsOf(tcc), [prepared]);
      const later = await api
        .get(`/api/dtmsvr/all?createTimeStart=${middle}&createTimeEnd=${middle + 1000}`)
        .expect(200);
      assert.deepEqual(gidsOf(later), [prepared, ok2, failed]);
      const earlier = await api.get(`/api/dtmsvr/all?createTimeStart=${start}&createTimeEnd=${middle}`).expect(200);
      assert.deepEqual(gidsOf(earlier), [ok1]);
      const one = await api.get(`/api/dtmsvr/all?gid=${encodeURIComponent(failed!)}&status=succeed`).expect(200);
      assert.deepEqual(gidsOf(one), [failed], 'gid names exactly one transaction, whatever the other filters');
      assert.deepEqual(gidsOf(await api.get('/api/dtmsvr/all?gid=never-seen').expect(200)), []);

      const seen: string[] = [];
      let position = '';
      do {
        const page = await api.get(`/api/dtmsvr/all?status=succeed&${range}&limit=1&position=${position}`).expect(200);
        seen.push(...gidsOf(page));
        position = page.body.next_position as string;
      } while (position !== '');
      assert.deepEqual(seen, [ok2, ok1], 'pages stay newest first under a filter');
      const empty = await api.get(`/api/dtmsvr/all?status=&transType=&gid=&${range}`).expect(200);
      assert.deepEqual(
        gidsOf(empty).filter((g) => mine.includes(g)),
        [prepared, ok2, failed, ok1],
        'empty parameters filter nothing, as DTM reads them',
      );
    });

    for (const [query, field] of [
      ['status=done', 'status'],
      ['transType=nope', 'transType'],
      ['createTimeStart=yesterday', 'createTimeStart'],
      ['createTimeEnd=-5', 'createTimeEnd'],
      ['gid=a%20b', 'gid'],
      ['position=x', 'position'],
    ] as const) {
      it(`all: refuses ${query} with 400 naming ${field}`, async () => {
        const res = await api.get(`/api/dtmsvr/all?${query}`).expect(400);
        assert.equal(res.body.field, field);
      });
    }

    it('resetNextCronTime: a backed-off transaction becomes due and the cron loop takes it at once', async function () {
      const gid = gidFor(this.test!.title);
      await fx.coordinator.cron.runUntilIdle();
      await backedOff(gid);
      assert.equal(await fx.coordinator.cron.runOnce(), undefined, 'nothing is due before the reset');
      await api.post('/api/dtmsvr/resetNextCronTime').send({ gid }).expect(200);
      const g = await fx.coordinator.store.findGlobal(gid);
      assert.ok(g && g.nextCronTime.getTime() <= fx.clock.now().getTime(), 'due now');
      assert.equal(await fx.coordinator.cron.runOnce(), gid);
      await waitForStatus(fx.dtm, gid, 'succeed');
      const again = await api.post('/api/dtmsvr/resetNextCronTime').send({ gid }).expect(409);
      assert.match(again.body.message, /succeed/);
      await api.post('/api/dtmsvr/resetNextCronTime').send({ gid: 'never-seen' }).expect(404);
      assert.equal((await api.post('/api/dtmsvr/resetNextCronTime').send({}).expect(400)).body.field, 'gid');
    });

    it('resetCronTime: resets up to limit transactions scheduled later than timeout, saying what remains', async function () {
      const gids = [1, 2, 3].map((i) => gidFor(`${this.test!.title}-${i}`));
      // What other suites left scheduled in this run's store is made due first, so only these three count.
      while ((await api.get('/api/dtmsvr/resetCronTime?timeout=1&limit=1000').expect(200)).body.has_remaining);
      for (const gid of gids) await backedOff(gid);
      const first = await api.get('/api/dtmsvr/resetCronTime?timeout=1&limit=2').expect(200);
      assert.deepEqual(first.body, { succeed_count: 2, has_remaining: true });
      const second = await api.get('/api/dtmsvr/resetCronTime?timeout=1&limit=2').expect(200);
      assert.deepEqual(second.body, { succeed_count: 1, has_remaining: false });
      for (const gid of gids) {
        const g = await fx.coordinator.store.findGlobal(gid);
        assert.ok(g && g.nextCronTime.getTime() <= fx.clock.now().getTime(), `${gid} is due now`);
      }
      const none = await api.get('/api/dtmsvr/resetCronTime').expect(200);
      assert.deepEqual(none.body, { succeed_count: 0, has_remaining: false }, 'default timeout: 3 × TIMEOUT_TO_FAIL');
      assert.equal((await api.get('/api/dtmsvr/resetCronTime?limit=0').expect(400)).body.field, 'limit');
      assert.equal((await api.get('/api/dtmsvr/resetCronTime?timeout=-1').expect(400)).body.field, 'timeout');
      await fx.recover();
    });

    it('records every call and status change of a transaction, in order', async function () {
      const gid = gidFor(this.test!.title);
      fx.busi.script('EvB', 500, 409);
      const s = new Saga(fx.dtm, gid)
        .add(`${fx.busi.url}/EvA`, `${fx.busi.url}/EvARevert`, {})
        .add(`${fx.busi.url}/EvB`, `${fx.busi.url}/EvBRevert`, {});
      await s.submit();
      await fx.recover();
      await waitForStatus(fx.dtm, gid, 'failed');
      const events = await fx.coordinator.store.findEvents(gid);
      const describe = (e: TransEvent) => (e.kind === 'call' ? `${e.branchId} ${e.op} ${e.outcome}` : `→ ${e.to}`);
      assert.deepEqual(events.map(describe), [
        '01 action SUCCESS',
        '02 action ERROR',
        '02 action FAILURE',
        '→ aborting',
        '02 compensate SUCCESS',
        '01 compensate SUCCESS',
        '→ failed',
      ]);
      const failure = events.find((e): e is CallEvent => e.kind === 'call' && e.outcome === 'FAILURE');
      assert.equal(failure?.httpStatus, 409);
      assert.ok(failure && failure.end >= failure.start);
    });

    it(`keeps the newest ${EVENTS_KEPT} events of a transaction that keeps retrying`, async function () {
      const gid = gidFor(this.test!.title);
      await backedOff(gid);
      const call = (i: number): CallEvent => ({
        kind: 'call',
        branchId: '01',
        op: 'action',
        start: new Date(1000 + i),
        end: new Date(1001 + i),
        outcome: 'ERROR',
        httpStatus: 500,
        detail: `retry ${i}`,
      });
      const g = (await fx.coordinator.store.findGlobal(gid))!;
      const events = Array.from({ length: EVENTS_KEPT + 10 }, (_, i) => call(i));
      await fx.coordinator.store.touchCronTime(gid, g.nextCronIntervalMs, g.nextCronTime, g.retryCount, {
        outcomes: [],
        events,
      });
      const kept = await fx.coordinator.store.findEvents(gid);
      assert.equal(kept.length, EVENTS_KEPT);
      assert.deepEqual(kept[kept.length - 1], events[events.length - 1]);
      await fx.recover();
    });
  });
}
