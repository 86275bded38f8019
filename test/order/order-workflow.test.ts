import assert from 'node:assert/strict';
import request from 'supertest';
import { createMysqlPool, type MysqlPool } from '../../common/mysql';
import { freePort, ServiceProcess } from '../../scripts/service-process';
import { startCoordinatorFixture, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { orderRows } from '../helpers/order-rows';
import { testConfig, testEnv } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitForStatus } from '../helpers/wait';

const conf = testConfig();
const ALL_ACTIONS = ['01:action:action', '02:action:action', '03:action:action', '04:action:action'];

describe('order example as a workflow', () => {
  let ex: ExamplesFixture;
  let api: ReturnType<typeof request>;
  const db = orderRows(() => ex.orderDb);
  before(async () => {
    ex = await startExamplesFixture();
    api = request(ex.base);
  });
  after(async () => ex.close());
  afterEach(() => ex.examples.order.switches.clear());

  it('fireWorkflow runs the four branches itself: order PAYING, stock -1, payment CREATED', async () => {
    const before = await db.stockOf();
    const res = await api.get('/api/fireWorkflow').expect(200);
    assert.equal(res.body.status, 'succeed');
    const orderId = res.body.request.order_id as string;
    assert.equal(res.body.gid, `gid-${orderId}`);
    assert.equal(await db.stockOf(), before - 1);
    assert.equal(await db.orderStatus(orderId), 'PAYING');
    assert.deepEqual(await db.payStatuses(orderId), ['CREATED']);
    assert.equal(res.body.rows.stock_left, before - 1);
    assert.deepEqual(await db.barrierRows(res.body.gid), ALL_ACTIONS);
    const answer = await queryTrans(ex.fx.dtm, res.body.gid);
    assert.equal(answer.transaction?.trans_type, 'workflow');
    assert.deepEqual(branchStatuses(answer), ['action:succeed', 'action:succeed', 'action:succeed', 'action:succeed']);
  });

  it('fireWorkflowFailed: stock refuses, the rollbacks run newest first, stock untouched', async () => {
    const before = await db.stockOf();
    const res = await api.post('/api/fireWorkflowFailed').expect(200);
    assert.equal(res.body.status, 'failed');
    assert.match(res.body.rollback_reason, /fewer than 1000 in stock/);
    const orderId = res.body.request.order_id as string;
    assert.equal(await db.stockOf(), before);
    assert.equal(await db.orderStatus(orderId), 'FAILED');
    assert.deepEqual(await db.payStatuses(orderId), []);
    // The refused stock branch is rolled back too: a null compensation, which plants the action's row.
    assert.deepEqual(await db.barrierRows(res.body.gid), [
      '01:action:action',
      '02:action:rollback',
      '02:rollback:rollback',
      '01:rollback:rollback',
    ]);
    assert.deepEqual(branchStatuses(await queryTrans(ex.fx.dtm, res.body.gid)), [
      'action:succeed',
      'action:failed',
      'rollback:succeed',
      'rollback:succeed',
    ]);
  });

  it('stops when a branch reply is lost; the coordinator calls back and the run ends once', async () => {
    const before = await db.stockOf();
    ex.examples.order.switches.arm('couponUse', 'error-after');
    const res = await api.get('/api/fireWorkflow').expect(200);
    assert.equal(res.body.status, 'prepared', 'unfinished: the coordinator resumes it');
    assert.deepEqual(branchStatuses(await queryTrans(ex.fx.dtm, res.body.gid)), ['action:succeed', 'action:succeed']);
    await ex.fx.recover();
    await waitForStatus(ex.fx.dtm, res.body.gid, 'succeed');
    assert.equal(await db.stockOf(), before - 1);
    assert.deepEqual(await db.payStatuses(res.body.request.order_id as string), ['CREATED']);
    assert.deepEqual(await db.barrierRows(res.body.gid), ALL_ACTIONS);
  });
});

describe('order workflow after a SIGKILL of the examples', function () {
  this.timeout(60_000);
  let fx: CoordinatorFixture;
  let pool: MysqlPool;
  const db = orderRows(() => pool);
  before(async () => {
    // Real time here: the coordinator's cron runs and calls an unfinished workflow back after 1 s.
    fx = await startCoordinatorFixture('mysql', { RETRY_INTERVAL_MS: '1000' });
    fx.coordinator.cron.start();
    pool = createMysqlPool(conf, conf.orderDb, 2);
  });
  after(async () => {
    await pool.end();
    await fx.close();
  });

  it('resumes the workflow through the callback after a restart; each branch takes effect once', async () => {
    const port = await freePort();
    const env = { ...testEnv, DTM_SERVER: fx.dtm, BUSI_PORT: String(port), BUSI_HOST: '127.0.0.1' };
    const health = `http://127.0.0.1:${port}/api/health`;
    const dying = new ServiceProcess('scripts/examples-main.ts', { ...env, WORKFLOW_KILL_AFTER_BRANCH: '2' }, health);
    await dying.start();
    const before = await db.stockOf();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/api/fireWorkflow`), 'the process died before answering');
    await dying.stop();
    const [newest] = await db.rows('SELECT order_id FROM order1 ORDER BY id DESC LIMIT 1');
    const orderId = String(newest?.order_id);
    const gid = `gid-${orderId}`;
    const halfway = await queryTrans(fx.dtm, gid);
    assert.equal(halfway.transaction?.status, 'prepared');
    assert.deepEqual(branchStatuses(halfway), ['action:succeed', 'action:succeed'], 'killed after branch 2');
    assert.deepEqual(await db.payStatuses(orderId), []);

    const restarted = new ServiceProcess('scripts/examples-main.ts', env, health);
    await restarted.start();
    try {
      const answer = await waitForStatus(fx.dtm, gid, 'succeed', 30_000);
      assert.deepEqual(branchStatuses(answer), [
        'action:succeed',
        'action:succeed',
        'action:succeed',
        'action:succeed',
      ]);
      assert.equal(await db.stockOf(), before - 1, 'stock taken once');
      assert.equal(await db.orderStatus(orderId), 'PAYING');
      assert.deepEqual(await db.payStatuses(orderId), ['CREATED']);
      assert.deepEqual(await db.barrierRows(gid), ALL_ACTIONS, 'every action applied once');
    } finally {
      await restarted.stop();
    }
  });
});
