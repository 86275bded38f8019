import assert from 'node:assert/strict';
import request from 'supertest';
import { BranchBarrier, Duplicated, Msg } from '../../common';
import type { FlashOrders } from '../../flash/orders';
import type { FlashStock } from '../../flash/stock';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { freePort, ServiceProcess } from '../../scripts/service-process';
import { testEnv } from '../helpers/test-env';
import { waitFor, waitForStatus } from '../helpers/wait';

describe('flash-sale example', function () {
  this.timeout(60_000);
  let ex: ExamplesFixture;
  let api: ReturnType<typeof request>;
  let stock: FlashStock;
  let orders: FlashOrders;
  // Real time here: the coordinator's cron runs, and prepared messages time out after 2 s.
  const fast = { TIMEOUT_TO_FAIL_MS: '2000', RETRY_INTERVAL_MS: '1000' };
  before(async () => {
    ex = await startExamplesFixture(fast, true);
    api = request(ex.base);
    ({ stock, orders } = ex.examples.flash);
  });
  after(async () => ex.close());

  const ordersEventually = (n: number, timeoutMs = 15_000) =>
    waitFor(`${n} flash orders`, async () => ((await orders.count()) === n ? true : undefined), timeoutMs);

  it('restocks and clears the orders through flashReset, refusing a bad stock', async () => {
    assert.deepEqual((await api.get('/api/busi/flashReset?stock=5').expect(200)).body.stock_left, 5);
    assert.equal(await stock.left(), 5);
    assert.equal(await orders.count(), 0);
    assert.equal((await api.get('/api/busi/flashReset?stock=-1').expect(400)).body.field, 'stock');
  });

  it('sells one unit: stock -1 and one order row, created through the message', async () => {
    await stock.reset(5);
    await orders.deleteAll();
    const res = await api.get('/api/busi/flashSales?user_id=7').expect(200);
    assert.equal(res.body.status, 'ordered');
    assert.equal(res.body.stock_left, 4);
    await waitForStatus(ex.fx.dtm, res.body.gid, 'succeed');
    assert.equal(await orders.countFor(res.body.gid), 1);
    assert.deepEqual((await api.get('/api/busi/flashStatus').expect(200)).body, { stock_left: 4, orders: 1 });
  });

  it('answers "sold out" without submitting anything when the stock is gone', async () => {
    await stock.reset(0);
    await orders.deleteAll();
    const res = await api.get('/api/busi/flashSales').expect(200);
    assert.equal(res.body.status, 'sold_out');
    const answer = await waitForStatus(ex.fx.dtm, res.body.gid, 'failed');
    assert.deepEqual(
      answer.branches.map((b) => b.status),
      ['prepared'],
      'the message was aborted; createOrder never ran',
    );
    assert.equal(await orders.count(), 0);
    assert.equal(await stock.left(), 0);
  });

  it('creates the order of a sale that crashed after the deduction, through timeout and query-back', async () => {
    await stock.reset(3);
    await orders.deleteAll();
    const res = await api.get('/api/busi/flashSales-crash').expect(200);
    assert.equal(res.body.status, 'crashed_after_deduction');
    assert.equal(await stock.left(), 2);
    assert.equal(await orders.count(), 0);
    await waitForStatus(ex.fx.dtm, res.body.gid, 'succeed', 15_000);
    assert.equal(await orders.countFor(res.body.gid), 1);
  });

  it('replays the batch story: 3 orders at once, the 4th after the timeout, stock 0, no oversell', async () => {
    const res = await api.get('/api/busi/flashSales-batch').expect(200);
    const r = res.body;
    assert.equal(r.stock_initial, 4);
    assert.deepEqual(r.sales, { ordered: 3, sold_out: 7, pending: 0 });
    assert.equal(r.orders_after_sales, 3);
    assert.equal(r.orders_final, 4);
    assert.equal(r.stock_left, 0);
    assert.equal(r.oversold, false);
    assert.equal(r.consistent, true);
    assert.ok(r.elapsed_ms.crashed_order >= r.elapsed_ms.orders_after_sales);
    assert.equal(await orders.count(), 4);
  });

  it('sells exactly 50 units to 200 concurrent buyers', async () => {
    await stock.reset(50);
    await orders.deleteAll();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => api.get(`/api/busi/flashSales?user_id=${i}`).expect(200)),
    );
    const ordered = answers.filter((a) => a.body.status === 'ordered').length;
    assert.equal(ordered, 50);
    assert.equal(answers.filter((a) => a.body.status === 'sold_out').length, 150);
    await ordersEventually(50);
    assert.equal(await stock.left(), 0);
  });

  it('aborts a message whose query-back comes before the local step, leaving stock untouched', async () => {
    await stock.reset(2);
    const msg = new Msg(ex.fx.dtm, `flash-early-${Date.now()}`)
      .add(`${ex.examples.busiUrl}/createOrder`, { user_id: 1, product_id: 1 })
      .withOptions({ timeoutToFail: 1 });
    await msg.prepare(`${ex.examples.busiUrl}/redisQueryPrepared`);
    const answer = await waitForStatus(ex.fx.dtm, msg.gid, 'failed', 15_000);
    assert.match(String(answer.transaction?.rollback_reason), /FAILURE/);
    await assert.rejects(stock.takeOne(BranchBarrier.forMsg(msg.gid)), Duplicated);
    assert.equal(await stock.left(), 2);
    assert.equal(await orders.countFor(msg.gid), 0);
  });

  it('still creates the order once when the flash process is SIGKILLed right after the deduction', async () => {
    await stock.reset(5);
    await orders.deleteAll();
    const port = await freePort();
    const env = { ...testEnv, ...fast, DTM_SERVER: ex.fx.dtm, BUSI_PORT: String(port), BUSI_HOST: '127.0.0.1' };
    const health = `http://127.0.0.1:${port}/api/health`;
    const dying = new ServiceProcess('scripts/examples-main.ts', { ...env, FLASH_KILL_AFTER_DEDUCT: '1' }, health);
    await dying.start();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/api/busi/flashSales`), 'the process died before answering');
    await dying.stop();
    assert.equal(await stock.left(), 4, 'the unit was taken before the crash');
    assert.equal(await orders.count(), 0);
    const restarted = new ServiceProcess('scripts/examples-main.ts', env, health);
    await restarted.start();
    try {
      await ordersEventually(1, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await orders.count(), 1, 'created once, not again on later deliveries');
      assert.equal(await stock.left(), 4);
    } finally {
      await restarted.stop();
    }
  });
});
