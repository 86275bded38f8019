import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { BranchBarrier } from '../../common';
import { createRedis } from '../../common/redis';
import { orderGid } from '../../order/order-request';
import { orderSaga } from '../../order/routes';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { runId, STORES, testConfig, testEnv } from '../helpers/test-env';
import { waitFor, waitForStatus } from '../helpers/wait';

const ROOT = join(__dirname, '..', '..');

/** Runs `npm run check` (scripts/check.ts) with `env`; returns its exit code and output. */
function runCheck(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/check.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The report line of one invariant. */
const lineOf = (output: string, name: string) => output.split('\n').find((l) => l.includes(name)) ?? '';

for (const store of STORES) {
  describe(`npm run check (${store} store)`, function () {
    this.timeout(90_000);
    // A store and databases of its own: the check reads everything in them.
    const overrides: Record<string, string> = {
      COORDINATOR_STORE: store,
      COORDINATOR_DB: `check_dtm_${store}_${runId}`,
      ORDER_DB: `check_order_${store}_${runId}`,
      FLASH_DB: `check_flash_${store}_${runId}`,
      MALL_DB: `check_mall_${store}_${runId}`,
      STOCK_DB: `check_stock_${store}_${runId}`,
      BARRIER_DB: `check_barrier_${store}_${runId}`,
      REDIS_PREFIX: `check-${store}:${runId}:`,
    };
    const env = { ...testEnv, ...overrides };
    let ex: ExamplesFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      ex = await startExamplesFixture(overrides, false, store);
      api = request(ex.base);
    });
    after(async () => ex.close());

    /** Changes a stored transaction by hand, as a broken coordinator or an operator would. */
    const editGlobal = async (gid: string, fields: { createTime?: Date; status?: string; retryCount?: number }) => {
      const conf = testConfig(store, overrides);
      if (store === 'mysql') {
        const sets = Object.entries({
          create_time: fields.createTime,
          status: fields.status,
          retry_count: fields.retryCount,
        }).filter(([, v]) => v !== undefined);
        await ex.orderDb.query(
          `UPDATE \`${conf.coordinator.db}\`.trans_global SET ${sets.map(([k]) => `${k}=?`).join(', ')} WHERE gid=?`,
          [...sets.map(([, v]) => v), gid],
        );
        return;
      }
      const redis = createRedis(conf);
      try {
        const key = `${conf.redis.prefix}dtm:g:${gid}`;
        if (fields.createTime) await redis.hset(key, 'create_time', String(fields.createTime.getTime()));
        if (fields.status) await redis.hset(key, 'status', fields.status);
        if (fields.retryCount !== undefined) await redis.hset(key, 'retry_count', String(fields.retryCount));
      } finally {
        await redis.quit();
      }
    };

    it('passes after real orders and sales, and fails once items are lost by hand', async () => {
      const fired = await api.get('/api/fireSucceed').expect(200);
      assert.equal(fired.body.status, 'succeed');
      assert.equal((await api.get('/api/fireFailed').expect(200)).body.status, 'failed');
      const tcc = await api.get('/api/fireTcc').expect(200);
      assert.equal(tcc.body.status, 'succeed');
      assert.equal((await api.get('/api/fireTccFailed').expect(200)).body.status, 'failed');
      const sale = await api.get('/api/busi/flashSales?user_id=3').expect(200);
      await waitForStatus(ex.fx.dtm, sale.body.gid, 'succeed');
      await waitFor('the flash order', async () =>
        (await ex.examples.flash.orders.countFor(sale.body.gid)) === 1 ? true : undefined,
      );
      const clean = await runCheck(env);
      assert.equal(clean.code, 0, clean.output);
      assert.match(clean.output, /all invariants hold/);

      // A unit leaves the flash stock for a sale that has no message and will never have an order.
      await ex.examples.flash.stock.takeOne(BranchBarrier.forMsg('flash-lost-by-hand'));

      // Stock taken by an order saga whose order was never created, the saga long finished.
      const lostOrder = {
        user_id: 1,
        order_id: 'never-created',
        amount: 5,
        product_id: 2,
        product_count: 3,
        coupon_id: 0,
      };
      const saga = orderSaga(ex.fx.dtm, ex.examples.busiUrl, lostOrder, {});
      const coordinator = request(`http://127.0.0.1:${ex.fx.coordinator.port}`);
      await coordinator.post('/api/dtmsvr/prepare').send(saga.toWire()).expect(200);
      await coordinator
        .post('/api/dtmsvr/forceStop')
        .send({ gid: orderGid(lostOrder.order_id) })
        .expect(200);
      const barrierDb = testConfig(store, overrides).barrierDb;
      await ex.orderDb.query(
        `INSERT INTO \`${barrierDb}\`.barrier (trans_type, gid, branch_id, op, barrier_id, reason) VALUES ('saga', ?, '02', 'action', '01', 'action')`,
        [orderGid(lostOrder.order_id)],
      );
      await ex.orderDb.query('UPDATE stock SET stock=stock-3 WHERE product_id=2');
      // And one unit of product 1 gone with no saga at all.
      await ex.orderDb.query('UPDATE stock SET stock=stock-1 WHERE product_id=1');

      // A TCC order left reserved although its transaction succeeded: as if its confirm never ran.
      const tccOrder = String(tcc.body.request.order_id);
      await ex.orderDb.query("UPDATE order1 SET status='TRYING' WHERE order_id=?", [tccOrder]);

      // A saga stuck for a day, and one retried far beyond its retry_limit.
      const step = { action: 'http://127.0.0.1:1/never', compensate: '' };
      await coordinator
        .post('/api/dtmsvr/prepare')
        .send({ gid: `stuck-${runId}`, trans_type: 'saga', steps: [step], payloads: ['{}'] })
        .expect(200);
      await editGlobal(`stuck-${runId}`, { createTime: new Date(Date.now() - 24 * 3600 * 1000) });
      await coordinator
        .post('/api/dtmsvr/prepare')
        .send({ gid: `retried-${runId}`, trans_type: 'saga', steps: [step], payloads: ['{}'], retry_limit: 1 })
        .expect(200);
      await editGlobal(`retried-${runId}`, { status: 'submitted', retryCount: 50 });

      const broken = await runCheck(env);
      assert.equal(broken.code, 1, broken.output);
      const failing = (name: string, evidence?: string) => {
        const line = lineOf(broken.output, name);
        assert.match(line, /^FAIL/, `${name}:\n${broken.output}`);
        if (evidence) assert.ok(line.includes(evidence), `${name} names ${evidence}:\n${line}`);
      };
      failing('no flash unit taken without an order or a pending message', 'flash-lost-by-hand');
      failing('flash stock + orders + pending sales = initial');
      failing('no stock held for an order that was never created or failed', orderGid('never-created'));
      failing('order stock + stock held by order transactions = initial', 'product 1');
      failing('no transaction outlives its expected lifetime', `stuck-${runId}`);
      failing('no saga retried beyond its retry_limit', `retried-${runId}`);
      failing('orders match their transaction and payment', tccOrder);
    });
  });
}
