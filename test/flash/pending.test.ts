import assert from 'node:assert/strict';
import request from 'supertest';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { CoordinatorProxy } from '../helpers/coordinator-proxy';
import { STORES } from '../helpers/test-env';
import { queryTrans, waitFor, waitForStatus } from '../helpers/wait';

/** A buyer whose sale the coordinator could not take in is told it is pending, with the gid to look it up. */
for (const store of STORES) {
  describe(`flash sale with the coordinator out of reach (${store} store)`, function () {
    this.timeout(60_000);
    let ex: ExamplesFixture;
    let proxy: CoordinatorProxy;
    let api: ReturnType<typeof request>;
    before(async () => {
      proxy = await new CoordinatorProxy(() => ex.fx.dtm).start();
      // Real time: the coordinator's cron resolves prepared messages after 2 s by query-back.
      ex = await startExamplesFixture(
        { TIMEOUT_TO_FAIL_MS: '2000', RETRY_INTERVAL_MS: '1000', DTM_SERVER: proxy.url },
        true,
        store,
      );
      api = request(ex.base);
    });
    after(async () => {
      await ex.close();
      await proxy.close();
    });
    afterEach(() => (proxy.mode = 'pass'));

    it('submit lost after the unit was taken: 202 pending with the gid, and the order appears later', async () => {
      const { stock, orders } = ex.examples.flash;
      await stock.reset(5);
      proxy.mode = 'drop-submit';
      const res = await api.get('/api/busi/flashSales?user_id=7').expect(202);
      assert.equal(res.body.status, 'pending');
      assert.match(res.body.gid, /^flash-/);
      assert.ok(res.body.message.includes(`query?gid=${res.body.gid}`), res.body.message);
      assert.equal(res.body.stock_left, 4, 'the unit was taken');
      proxy.mode = 'pass';
      await waitForStatus(ex.fx.dtm, res.body.gid, 'succeed', 20_000);
      await waitFor('the order', async () => ((await orders.countFor(res.body.gid)) === 1 ? true : undefined));
      assert.equal(await stock.left(), 4);
    });

    it('coordinator down from the start: 202 pending with the gid, nothing taken and nothing stored', async () => {
      const { stock } = ex.examples.flash;
      await stock.reset(5);
      proxy.mode = 'down';
      const res = await api.get('/api/busi/flashSales').expect(202);
      assert.equal(res.body.status, 'pending');
      assert.match(res.body.gid, /^flash-/);
      assert.equal(await stock.left(), 5);
      assert.equal((await queryTrans(ex.fx.dtm, res.body.gid)).transaction, null, 'the gid is unknown: nothing sold');
      const crash = await api.get('/api/busi/flashSales-crash').expect(202);
      assert.equal(crash.body.status, 'pending');
      assert.equal(await stock.left(), 5);
    });
  });
}
