import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { MALL_PRODUCT_ID, mallPayload, mallServices } from '../../mall/mall-proto';
import { BRANCH_SECRET_HEADER } from '../../common/http/guards';
import { createRedis } from '../../common/redis';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { testConfig } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

const SECRET = 'examples-branch-secret-0123456789';
const TOKEN = 'examples-admin-token-0123456789';
const barrierDb = testConfig().barrierDb;

describe('examples with BRANCH_SECRET and ADMIN_TOKEN', function () {
  this.timeout(30_000);
  let ex: ExamplesFixture;
  let api: ReturnType<typeof request>;
  before(async () => {
    ex = await startExamplesFixture({ BRANCH_SECRET: SECRET, ADMIN_TOKEN: TOKEN });
    api = request(ex.base);
  });
  after(async () => ex?.close());
  afterEach(() => ex.examples.order.switches.clear());

  const one = async (sql: string, values: unknown[]) => (await ex.orderDb.query<RowDataPacket[]>(sql, values))[0][0];
  const stockOf = async (productId: number) =>
    Number((await one('SELECT stock FROM stock WHERE product_id=?', [productId]))?.stock);
  const barrierRows = async (gid: string) =>
    (
      await ex.orderDb.query<RowDataPacket[]>(
        `SELECT branch_id, op FROM \`${barrierDb}\`.barrier WHERE gid=? ORDER BY id`,
        [gid],
      )
    )[0].map((r) => `${r.branch_id}:${r.op}`);
  const orderBody = { user_id: 1, order_id: 'forged-1', amount: 10, product_id: 2, product_count: 1000, coupon_id: 0 };

  it('runs a saga whose every call carries the secret: actions, and compensations after a rollback', async () => {
    const ok = await api.get('/api/fireSucceed').expect(200);
    assert.equal(ok.body.status, 'succeed');
    assert.equal(ok.body.rows.order.status, 'PAYING');
    const g = await ex.fx.coordinator.store.findGlobal(ok.body.gid);
    assert.equal(g?.options.branch_headers?.[BRANCH_SECRET_HEADER], SECRET, 'stored with the transaction');

    const failed = await api.get('/api/fireFailed').expect(200);
    assert.equal(failed.body.status, 'failed');
    assert.equal(failed.body.rows.order.status, 'FAILED');
    assert.deepEqual(await barrierRows(failed.body.gid), ['01:action', '02:action', '02:compensate', '01:compensate']);
  });

  it('carries the secret on a retry by the cron loop, which reads the transaction back from the store', async () => {
    ex.examples.order.switches.arm('payCreate', 'error-before');
    const res = await api.get('/api/fireSucceed').expect(200);
    assert.equal(res.body.status, 'submitted');
    await ex.fx.recover();
    assert.equal((await ex.fx.coordinator.store.findGlobal(res.body.gid))?.status, 'succeed');
  });

  it('runs the XA demo with the secret on both phases, and answers a forged XA call 401 without preparing', async () => {
    const ok = await api.get('/api/fireXa').expect(200);
    assert.equal(ok.body.status, 'succeed');
    const g = await ex.fx.coordinator.store.findGlobal(ok.body.gid);
    assert.equal(g?.options.branch_headers?.[BRANCH_SECRET_HEADER], SECRET, 'phase 2 carries it too');
    const query = { gid: 'gid-forged-xa', trans_type: 'xa', branch_id: '01', op: 'action', dtm: ex.fx.dtm };
    const forged = await api.post('/api/busi/xaStockDeduct').query(query).send(orderBody).expect(401);
    assert.equal(forged.body.code, 'UNAUTHORIZED');
    assert.equal(await ex.fx.coordinator.store.findGlobal('gid-forged-xa'), undefined);
  });

  it('runs the gRPC mall saga with the secret in metadata, and answers a forged gRPC branch call UNAUTHENTICATED', async () => {
    const ok = await api.get('/api/fireMall').expect(200);
    assert.equal(ok.body.status, 'succeed');
    const client = new (makeGenericClientConstructor(mallServices().product, 'mall.Product'))(
      `127.0.0.1:${ex.examples.mall.productPort}`,
      credentials.createInsecure(),
    );
    const stockOfMall = async () =>
      Number(
        (
          await ex.examples.mall.pool.query<RowDataPacket[]>('SELECT stock FROM product WHERE id=?', [MALL_PRODUCT_ID])
        )[0][0]?.stock,
      );
    const before = await stockOfMall();
    const metadata = new Metadata();
    for (const [k, v] of Object.entries({ gid: 'mall-forged', trans_type: 'saga', branch_id: '02', op: 'compensate' }))
      metadata.set(`dtm-${k}`, v);
    const code = await new Promise<number | undefined>((resolve) =>
      client.makeUnaryRequest(
        '/mall.Product/DecrStockRevert',
        (arg: Buffer) => arg,
        (b: Buffer) => b,
        mallPayload('product', 'DecrStockRevert', { product_id: MALL_PRODUCT_ID, num: 1000 }),
        metadata,
        (err: ServiceError | null) => resolve(err?.code),
      ),
    );
    client.close();
    assert.equal(code, status.UNAUTHENTICATED);
    assert.equal(await stockOfMall(), before, 'no stock was given back');
    assert.deepEqual(await barrierRows('mall-forged'), [], 'the barrier was not reached');
  });

  it('resumes a workflow through its callback with the secret, and answers a forged callback 401', async () => {
    ex.examples.order.switches.arm('payCreate', 'error-before');
    const res = await api.get('/api/fireWorkflow').expect(200);
    const g = await ex.fx.coordinator.store.findGlobal(res.body.gid);
    assert.equal(g?.status, 'prepared', 'left for the callback');
    assert.equal(g?.options.branch_headers?.[BRANCH_SECRET_HEADER], SECRET);
    const forged = await api
      .post('/api/busi/workflow/resume')
      .query({ gid: res.body.gid, op: 'order', trans_type: 'workflow', branch_id: '00' })
      .send({})
      .expect(401);
    assert.equal(forged.body.code, 'UNAUTHORIZED');
    assert.equal((await ex.fx.coordinator.store.findGlobal(res.body.gid))?.status, 'prepared');
    await ex.fx.recover();
    assert.equal((await ex.fx.coordinator.store.findGlobal(res.body.gid))?.status, 'succeed');
  });

  it('answers a forged branch call 401 and changes nothing', async () => {
    const before = await stockOf(2);
    const query = { gid: 'gid-forged-1', trans_type: 'saga', branch_id: '02', op: 'compensate' };
    const forged = await api.post('/api/busi/stockDeductRevert').query(query).send(orderBody).expect(401);
    assert.equal(forged.body.code, 'UNAUTHORIZED');
    await api
      .post('/api/busi/stockDeductRevert')
      .query(query)
      .set(BRANCH_SECRET_HEADER, 'not-the-secret-0123456789')
      .send(orderBody)
      .expect(401);
    assert.equal(await stockOf(2), before, 'no stock was given back');
    assert.deepEqual(await barrierRows('gid-forged-1'), []);

    await api
      .post('/api/busi/createOrder')
      .query({ gid: 'flash-forged', trans_type: 'msg', branch_id: '01', op: 'action' })
      .send({ user_id: 1, product_id: 1 })
      .expect(401);
    assert.equal(await ex.examples.flash.orders.countFor('flash-forged'), 0);
    await api
      .get('/api/busi/redisQueryPrepared')
      .query({ gid: 'flash-forged', trans_type: 'msg', branch_id: '00', op: 'msg' })
      .expect(401);
    const redis = createRedis(testConfig());
    try {
      assert.equal(await redis.get(ex.examples.flash.stock.barrier.msgStepKey('flash-forged')), null, 'no barrier key');
    } finally {
      await redis.quit();
    }
  });

  it('sells through a message whose coordinator calls carry the secret', async () => {
    await ex.examples.flash.stock.reset(3);
    const res = await api.get('/api/busi/flashSales?user_id=5').expect(200);
    assert.equal(res.body.status, 'ordered');
    await waitFor('the order', async () =>
      (await ex.examples.flash.orders.countFor(res.body.gid)) === 1 ? true : undefined,
    );
  });

  it('answers flashReset and the batch story 401 without the admin token, and resets with it', async () => {
    await ex.examples.flash.stock.reset(3);
    await api.get('/api/busi/flashReset?stock=50').expect(401);
    await api.get('/api/busi/flashSales-batch').expect(401);
    assert.equal(await ex.examples.flash.stock.left(), 3);
    await api.get('/api/busi/flashReset?stock=50').set('authorization', `Bearer ${TOKEN}`).expect(200);
    assert.equal(await ex.examples.flash.stock.left(), 50);
  });
});

describe('examples without BRANCH_SECRET', () => {
  let ex: ExamplesFixture;
  before(async () => {
    ex = await startExamplesFixture();
  });
  after(async () => ex?.close());

  it('accept branch calls from this machine only', async () => {
    const api = request(ex.base);
    const query = { gid: 'gid-forged-2', trans_type: 'saga', branch_id: '02', op: 'compensate' };
    const body = { user_id: 1, order_id: 'forged-2', amount: 10, product_id: 2, product_count: 5, coupon_id: 0 };
    await api.post('/api/busi/stockDeductRevert').query(query).set('host', 'attacker.example').send(body).expect(401);
    await api
      .post('/api/busi/stockDeductRevert')
      .query(query)
      .set('sec-fetch-site', 'cross-site')
      .send(body)
      .expect(401);
    await api.get('/api/busi/flashReset').set('sec-fetch-site', 'cross-site').expect(401);
  });
});
