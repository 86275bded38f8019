import assert from 'node:assert/strict';
import request from 'supertest';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { orderRows } from '../helpers/order-rows';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

describe('order example', () => {
  let ex: ExamplesFixture;
  let api: ReturnType<typeof request>;
  before(async () => {
    ex = await startExamplesFixture();
    api = request(ex.base);
  });
  after(async () => ex.close());
  afterEach(() => ex.examples.order.switches.clear());

  const { rows, stockOf, barrierRows } = orderRows(() => ex.orderDb);
  const orderRow = async (orderId: string) =>
    (await rows('SELECT status, product_count FROM order1 WHERE order_id=?', [orderId]))[0];
  const payRow = async (orderId: string) => (await rows('SELECT status FROM pay WHERE order_id=?', [orderId]))[0];
  const orderBody = (orderId: string, extra: Record<string, unknown> = {}) => ({
    user_id: 1,
    order_id: orderId,
    amount: 100,
    product_id: 2,
    product_count: 2,
    coupon_id: 0,
    ...extra,
  });
  const branchQuery = (gid: string, branchId: string, op: string) => ({
    gid,
    trans_type: 'saga',
    branch_id: branchId,
    op,
  });

  it('seeds the schema: stock 100 and 200, coupon 100 for user 1, coupon 101 for user 2', async () => {
    assert.ok((await stockOf(1)) <= 100);
    assert.equal(await stockOf(2), 200);
    const coupons = await rows('SELECT coupon_id, user_id FROM user_coupon ORDER BY coupon_id');
    assert.deepEqual(
      coupons.map((c) => `${c.coupon_id}:${c.user_id}`),
      ['100:1', '101:2'],
    );
  });

  it('fireSucceed creates the order and the payment and takes one unit of stock', async () => {
    const before = await stockOf();
    const res = await api.get('/api/fireSucceed').expect(200);
    assert.equal(res.body.status, 'succeed');
    const orderId = res.body.request.order_id as string;
    assert.equal(res.body.gid, `gid-${orderId}`);
    assert.equal(await stockOf(), before - 1);
    assert.deepEqual({ ...(await orderRow(orderId)) }, { status: 'PAYING', product_count: 1 });
    assert.equal((await payRow(orderId))?.status, 'CREATED');
    assert.equal(res.body.rows.stock_left, before - 1);
    assert.deepEqual(await barrierRows(res.body.gid), [
      '01:action:action',
      '02:action:action',
      '03:action:action',
      '04:action:action',
    ]);
    assert.deepEqual(branchStatuses(await queryTrans(ex.fx.dtm, res.body.gid)), [
      'compensate:prepared',
      'action:succeed',
      'compensate:prepared',
      'action:succeed',
      'compensate:prepared',
      'action:succeed',
      'compensate:prepared',
      'action:succeed',
    ]);
  });

  it('fireSucceed with coupon 100 uses the coupon', async () => {
    const res = await api.get('/api/fireSucceed?coupon_id=100').expect(200);
    assert.equal(res.body.status, 'succeed');
    assert.equal((await rows('SELECT used FROM user_coupon WHERE coupon_id=100'))[0]?.used, 1);
    assert.equal(res.body.rows.coupon.used, 1);
  });

  it('fireFailed fails on stock and rolls back with a null compensation: stock untouched', async () => {
    const before = await stockOf();
    const res = await api.get('/api/fireFailed').expect(200);
    assert.equal(res.body.status, 'failed');
    assert.match(res.body.rollback_reason, /fewer than 1000 in stock/);
    const orderId = res.body.request.order_id as string;
    assert.equal(await stockOf(), before);
    assert.equal((await orderRow(orderId))?.status, 'FAILED');
    assert.equal(await payRow(orderId), undefined);
    // The stock action rolled back with its barrier row; its compensation planted the action's row and did nothing.
    assert.deepEqual(await barrierRows(res.body.gid), [
      '01:action:action',
      '02:action:compensate',
      '02:compensate:compensate',
      '01:compensate:compensate',
    ]);
  });

  it('fireFailedCoupon fails on the coupon and really compensates the stock and the order', async () => {
    const before = await stockOf();
    const res = await api.post('/api/fireFailedCoupon').expect(200);
    assert.equal(res.body.status, 'failed');
    assert.match(res.body.rollback_reason, /coupon 101 is not an unused coupon of user 1/);
    const orderId = res.body.request.order_id as string;
    assert.equal(await stockOf(), before);
    assert.equal((await orderRow(orderId))?.status, 'FAILED');
    assert.equal(await payRow(orderId), undefined);
    assert.equal((await rows('SELECT used FROM user_coupon WHERE coupon_id=101'))[0]?.used, 0);
    assert.deepEqual(await barrierRows(res.body.gid), [
      '01:action:action',
      '02:action:action',
      '03:action:compensate',
      '03:compensate:compensate',
      '02:compensate:compensate',
      '01:compensate:compensate',
    ]);
  });

  it('ends consistent when a branch reply is lost and the coordinator retries it', async () => {
    const before = await stockOf(2);
    ex.examples.order.switches.arm('stockDeduct', 'error-after');
    const res = await api.post('/api/busi/submitOrder').send(orderBody('retry-1')).expect(200);
    assert.equal(res.body.status, 'submitted');
    assert.equal(await stockOf(2), before - 2, 'the deduction committed before the reply was lost');
    await ex.fx.recover();
    await waitForStatus(ex.fx.dtm, 'gid-retry-1', 'succeed');
    assert.equal(await stockOf(2), before - 2, 'the retry did not deduct again');
    assert.equal((await payRow('retry-1'))?.status, 'CREATED');
  });

  it('changes nothing when a branch is delivered twice', async () => {
    const before = await stockOf(2);
    const body = orderBody('dup-1');
    for (let i = 0; i < 2; i++)
      await api
        .post('/api/busi/stockDeduct')
        .query(branchQuery('gid-dup-1', '02', 'action'))
        .send(body)
        .expect(200);
    assert.equal(await stockOf(2), before - 2);
  });

  it('never applies an action that arrives after its compensation (hanging)', async () => {
    const before = await stockOf(2);
    const body = orderBody('hang-1');
    await api
      .post('/api/busi/stockDeductRevert')
      .query(branchQuery('gid-hang-1', '02', 'compensate'))
      .send(body)
      .expect(200);
    await api
      .post('/api/busi/stockDeduct')
      .query(branchQuery('gid-hang-1', '02', 'action'))
      .send(body)
      .expect(200);
    assert.equal(await stockOf(2), before);
  });

  const badBodies: [string, Record<string, unknown>, string][] = [
    ['user_id missing', { order_id: 'b1', amount: 1, product_id: 1, product_count: 1 }, 'user_id'],
    ['amount as a string', { user_id: 1, order_id: 'b2', amount: '10', product_id: 1, product_count: 1 }, 'amount'],
    [
      'a negative product_count',
      { user_id: 1, order_id: 'b3', amount: 1, product_id: 1, product_count: -1 },
      'product_count',
    ],
    [
      'an order_id with spaces',
      { user_id: 1, order_id: 'a b', amount: 1, product_id: 1, product_count: 1 },
      'order_id',
    ],
    [
      'a fractional coupon_id',
      { user_id: 1, order_id: 'b4', amount: 1, product_id: 1, product_count: 1, coupon_id: 1.5 },
      'coupon_id',
    ],
  ];
  for (const [what, body, field] of badBodies) {
    it(`answers 400 naming ${field} for submitOrder with ${what}`, async () => {
      const res = await api.post('/api/busi/submitOrder').send(body).expect(400);
      assert.equal(res.body.field, field);
      assert.equal(
        (await queryTrans(ex.fx.dtm, `gid-${String(body.order_id)}`)).transaction ?? null,
        null,
        'no transaction was started',
      );
    });
  }

  it('answers 409 FAILURE, naming the field, to a branch call it can never accept', async () => {
    const res = await api
      .post('/api/busi/stockDeduct')
      .query(branchQuery('gid-bad', '02', 'action'))
      .send({ user_id: 1 })
      .expect(409);
    assert.equal(res.body.dtm_result, 'FAILURE');
    assert.equal(res.body.field, 'order_id');
    const noQuery = await api.post('/api/busi/stockDeduct').send(orderBody('nq')).expect(409);
    assert.equal(noQuery.body.field, 'trans_type');
  });
});
