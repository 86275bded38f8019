import assert from 'node:assert/strict';
import request from 'supertest';
import { orderGid } from '../../order/order-request';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { orderRows } from '../helpers/order-rows';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

const TRIES = ['01:try:try', '02:try:try', '03:try:try', '04:try:try'];
/** The coordinator confirms and cancels newest first. */
const CONFIRMS = ['04:confirm:confirm', '03:confirm:confirm', '02:confirm:confirm', '01:confirm:confirm'];
/** Each branch is stored as its cancel, then its confirm. */
const ALL_CONFIRMED = Array<string[]>(4).fill(['cancel:prepared', 'confirm:succeed']).flat();

describe('order example as a TCC transaction', () => {
  let ex: ExamplesFixture;
  let api: ReturnType<typeof request>;
  before(async () => {
    ex = await startExamplesFixture();
    api = request(ex.base);
  });
  after(async () => ex.close());
  afterEach(() => ex.examples.order.switches.clear());

  const { stockOf, orderStatus, payStatuses, barrierRows } = orderRows(() => ex.orderDb);

  it('fireTcc: four tries reserve, the coordinator confirms them: order PAYING, stock -1, payment CREATED', async () => {
    const before = await stockOf();
    const res = await api.get('/api/fireTcc').expect(200);
    assert.equal(res.body.status, 'succeed');
    const orderId = res.body.request.order_id as string;
    assert.equal(res.body.gid, orderGid(orderId));
    assert.equal(await stockOf(), before - 1);
    assert.equal(await orderStatus(orderId), 'PAYING');
    assert.deepEqual(await payStatuses(orderId), ['CREATED']);
    assert.deepEqual(res.body.rows.order, { order_id: orderId, status: 'PAYING', product_count: 1, amount: '100.00' });
    assert.deepEqual(await barrierRows(res.body.gid), [...TRIES, ...CONFIRMS]);
    const answer = await queryTrans(ex.fx.dtm, res.body.gid);
    assert.equal(answer.transaction?.trans_type, 'tcc');
    assert.deepEqual(branchStatuses(answer), ALL_CONFIRMED);
  });

  it('fireTccFailed: the stock try refuses, the registered branches are cancelled, stock untouched', async () => {
    const before = await stockOf();
    const res = await api.post('/api/fireTccFailed').expect(200);
    assert.equal(res.body.status, 'failed');
    assert.match(res.body.rollback_reason, /fewer than 1000 in stock/);
    const orderId = res.body.request.order_id as string;
    assert.equal(await stockOf(), before);
    assert.equal(await orderStatus(orderId), 'FAILED');
    assert.deepEqual(await payStatuses(orderId), []);
    // The refused try rolled back with its barrier row, so its cancel is a null compensation: it plants
    // the try's row and changes nothing.
    assert.deepEqual(await barrierRows(res.body.gid), [
      '01:try:try',
      '02:try:cancel',
      '02:cancel:cancel',
      '01:cancel:cancel',
    ]);
    assert.deepEqual(branchStatuses(await queryTrans(ex.fx.dtm, res.body.gid)), [
      'cancel:succeed',
      'confirm:prepared',
      'cancel:succeed',
      'confirm:prepared',
    ]);
  });

  it('fireTcc?coupon_id=101: the coupon try refuses after the stock try took a unit; its cancel gives it back', async () => {
    const before = await stockOf();
    const res = await api.get('/api/fireTcc').query({ coupon_id: 101 }).expect(200);
    assert.equal(res.body.status, 'failed');
    assert.match(res.body.rollback_reason, /coupon 101 is not an unused coupon of user 1/);
    const orderId = res.body.request.order_id as string;
    assert.equal(await stockOf(), before, 'the unit the stock try took is back');
    assert.equal(await orderStatus(orderId), 'FAILED');
    assert.deepEqual(await payStatuses(orderId), []);
    assert.deepEqual(await barrierRows(res.body.gid), [
      '01:try:try',
      '02:try:try',
      '03:try:cancel',
      '03:cancel:cancel',
      '02:cancel:cancel',
      '01:cancel:cancel',
    ]);
  });

  it('a fire endpoint refuses a coupon_id that is not a number, naming it', async () => {
    const res = await api.get('/api/fireTcc').query({ coupon_id: 'x' }).expect(400);
    assert.match(JSON.stringify(res.body), /coupon_id/);
  });

  it('a confirm whose reply is lost is confirmed again, and the payment is made once', async () => {
    const before = await stockOf();
    ex.examples.order.switches.arm('payConfirm', 'error-after');
    const res = await api.get('/api/fireTcc').expect(200);
    assert.equal(res.body.status, 'submitted', 'the coordinator retries the confirm later');
    const orderId = res.body.request.order_id as string;
    await ex.fx.recover();
    await waitForStatus(ex.fx.dtm, res.body.gid, 'succeed');
    assert.equal(await stockOf(), before - 1);
    assert.equal(await orderStatus(orderId), 'PAYING');
    assert.deepEqual(await payStatuses(orderId), ['CREATED']);
    assert.deepEqual(await barrierRows(res.body.gid), [...TRIES, ...CONFIRMS]);
  });

  it('a cancel that arrives before its try plants the try’s row; the late try then changes nothing', async () => {
    const before = await stockOf();
    const gid = orderGid(`tcc-hanging-${Date.now()}`);
    const body = { user_id: 1, order_id: 'tcc-hanging', amount: 1, product_id: 1, product_count: 2, coupon_id: 0 };
    const query = (op: string) => ({ gid, trans_type: 'tcc', branch_id: '02', op });
    await api.post('/api/busi/stockCancel').query(query('cancel')).send(body).expect(200);
    await api.post('/api/busi/stockTry').query(query('try')).send(body).expect(200);
    assert.equal(await stockOf(), before, 'neither the cancel nor the late try moved the stock');
    assert.deepEqual(await barrierRows(gid), ['02:try:cancel', '02:cancel:cancel']);
  });

  it('a branch call with a body it can never accept answers 409 FAILURE naming the field', async () => {
    const res = await api
      .post('/api/busi/orderTry')
      .query({ gid: 'gid-tcc-bad', trans_type: 'tcc', branch_id: '01', op: 'try' })
      .send({ user_id: 1, order_id: 'has space', amount: 1, product_id: 1, product_count: 1 })
      .expect(409);
    assert.match(JSON.stringify(res.body), /order_id/);
    assert.deepEqual(await barrierRows('gid-tcc-bad'), []);
  });
});
