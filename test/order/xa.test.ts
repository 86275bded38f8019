import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import { SEEDED_ORDER_STOCK } from '../../check/sources';
import { checkXaInvariants } from '../../check/xa-invariants';
import { Xa } from '../../common/sdk/xa';
import { preparedXids, xaHandlePhase2 } from '../../common/sdk/xa-branch';
import { orderGid } from '../../order/order-request';
import { ensureOrderSchema } from '../../order/schema';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { orderRows } from '../helpers/order-rows';
import { testConfig } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

const barrierDb = testConfig().barrierDb;

describe('order example: the XA demo', () => {
  let ex: ExamplesFixture;
  let api: ReturnType<typeof request>;
  before(async () => {
    ex = await startExamplesFixture();
    api = request(ex.base);
  });
  after(async () => ex.close());
  afterEach(() => ex.examples.order.switches.clear());

  const xaStock = async () =>
    Number(
      (await ex.examples.order.stockPool.query<RowDataPacket[]>('SELECT stock FROM stock WHERE product_id=1'))[0][0]
        ?.stock,
    );
  const { stockOf: sagaStock, barrierRows } = orderRows(() => ex.orderDb);
  const orderRow = async (orderId: string) =>
    (
      await ex.orderDb.query<RowDataPacket[]>('SELECT status, product_count FROM order1 WHERE order_id=?', [orderId])
    )[0][0];
  const preparedOf = async (gid: string) => (await preparedXids(ex.orderDb)).filter((xid) => xid.startsWith(`${gid}-`));

  it('fireXa commits the order in the order database and the deduction in the stock database', async () => {
    const [stockBefore, sagaStockBefore] = [await xaStock(), await sagaStock()];
    const res = await api.get('/api/fireXa').expect(200);
    assert.equal(res.body.status, 'succeed');
    const orderId = res.body.request.order_id as string;
    assert.equal(res.body.gid, `gid-${orderId}`);
    assert.deepEqual({ ...(await orderRow(orderId)) }, { status: 'CREATED', product_count: 1 });
    assert.equal(await xaStock(), stockBefore - 1);
    assert.equal(await sagaStock(), sagaStockBefore, "the saga's stock table is not the XA demo's");
    assert.deepEqual(res.body.rows, {
      order: { order_id: orderId, status: 'CREATED', product_count: 1, amount: '100.00' },
      stock_left: stockBefore - 1,
      xa_prepared: [],
    });
    assert.deepEqual(await barrierRows(res.body.gid), ['01:action:action', '02:action:action']);
    assert.deepEqual(branchStatuses(await queryTrans(ex.fx.dtm, res.body.gid)), [
      'rollback:prepared',
      'commit:succeed',
      'rollback:prepared',
      'commit:succeed',
    ]);
    assert.deepEqual(await preparedOf(res.body.gid), []);
  });

  it('fireXaFailed: stock refuses, the prepared order branch rolls back, nothing stays prepared', async () => {
    const stockBefore = await xaStock();
    const res = await api.get('/api/fireXaFailed').expect(200);
    assert.equal(res.body.status, 'failed');
    assert.match(res.body.rollback_reason, /fewer than 1000 in stock/);
    assert.equal(await orderRow(res.body.request.order_id), undefined);
    assert.equal(await xaStock(), stockBefore);
    assert.deepEqual(res.body.rows, { order: null, stock_left: stockBefore, xa_prepared: [] });
    // The order branch's own barrier row went with its XA transaction; the rollback planted one.
    assert.deepEqual(await barrierRows(res.body.gid), ['01:action:rollback']);
    assert.deepEqual(branchStatuses(await queryTrans(ex.fx.dtm, res.body.gid)), [
      'rollback:succeed',
      'commit:prepared',
    ]);
    assert.deepEqual(await preparedOf(res.body.gid), []);
  });

  it('rolls back both branches when a reply is lost after the stock branch prepared', async () => {
    const stockBefore = await xaStock();
    ex.examples.order.switches.arm('xaStockDeduct', 'error-after');
    const res = await api.get('/api/fireXa').expect(200);
    assert.equal(res.body.status, 'failed');
    assert.equal(await orderRow(res.body.request.order_id), undefined);
    assert.equal(await xaStock(), stockBefore);
    assert.deepEqual(branchStatuses(await queryTrans(ex.fx.dtm, res.body.gid)), [
      'rollback:succeed',
      'commit:prepared',
      'rollback:succeed',
      'commit:prepared',
    ]);
    assert.deepEqual(await preparedOf(res.body.gid), []);
  });

  it('answers 409 FAILURE, naming the field, to a branch call it can never accept', async () => {
    const noQuery = await api.post('/api/busi/xaStockDeduct').send({}).expect(409);
    assert.equal(noQuery.body.dtm_result, 'FAILURE');
    assert.equal(noQuery.body.field, 'gid');
    const gid = 'gid-xa-bad-body';
    const badBody = await api
      .post('/api/busi/xaOrderCreate')
      .query({ gid, trans_type: 'xa', branch_id: '01', op: 'action', dtm: ex.fx.dtm, phase2_url: 'http://x/y' })
      .send({ user_id: 'one' })
      .expect(409);
    assert.equal(badBody.body.field, 'user_id');
    assert.deepEqual(await preparedOf(gid), []);
  });

  it('npm run check finds the XA rows consistent, and flags a branch left prepared by a stopped transaction', async () => {
    const check = async () =>
      checkXaInvariants(
        { orderDb: ex.orderDb, stockDb: ex.examples.order.stockPool, initialStock: SEEDED_ORDER_STOCK },
        (await ex.fx.coordinator.store.scanGlobals('', 100_000)).transactions,
      );
    const failing = async () => (await check()).filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
    await api.get('/api/fireXa').expect(200);
    assert.deepEqual(await failing(), []);

    const orderId = `xa-stranded-${Date.now()}`;
    const gid = orderGid(orderId);
    const xa = new Xa(ex.fx.dtm, gid);
    await xa.prepare();
    await xa.callBranch(
      { user_id: 1, order_id: orderId, amount: 1, product_id: 1, product_count: 1, coupon_id: 0 },
      `${ex.examples.busiUrl}/xaOrderCreate`,
    );
    // forceStop ends the transaction without calling its branches: the order branch stays prepared.
    await request(ex.fx.dtm).post('/forceStop').send({ gid }).expect(200);
    const problems = await failing();
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, new RegExp(`no XA branch of a finished transaction left prepared: .*${gid}-01`));

    await xaHandlePhase2({ gid, trans_type: 'xa', branch_id: '01', op: 'rollback' }, ex.orderDb, { barrierDb });
    assert.deepEqual(await failing(), []);
  });

  it('starts (applies its schemas) while a stock branch is prepared and holds its row', async () => {
    const orderId = `xa-held-${Date.now()}`;
    const xa = new Xa(ex.fx.dtm, orderGid(orderId));
    await xa.prepare();
    await xa.callBranch(
      { user_id: 1, order_id: orderId, amount: 1, product_id: 1, product_count: 1, coupon_id: 0 },
      `${ex.examples.busiUrl}/xaStockDeduct`,
    );
    assert.deepEqual(await preparedOf(xa.gid), [`${xa.gid}-01`]);
    // A restarted service applies its schemas before it can serve the phase 2 that releases the row.
    await ensureOrderSchema(testConfig());
    await xa.abort();
    await waitForStatus(ex.fx.dtm, xa.gid, 'failed');
    assert.deepEqual(await preparedOf(xa.gid), []);
  });
});
