import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { RowDataPacket } from 'mysql2';
import { MysqlBarrier } from '../../common/barrier/mysql-barrier';
import { createMysqlPool, type MysqlPool } from '../../common/mysql';
import type { MallServer } from '../../mall/grpc-server';
import { MALL_GID_PREFIX, MALL_PRODUCT_ID } from '../../mall/mall-proto';
import { grpcBranchCallersOnly } from '../../common/grpc/branch-guard';
import { startOrderService } from '../../mall/order-service';
import { mallSaga } from '../../mall/routes';
import { ensureMallSchema } from '../../mall/schema';
import { freePort, ServiceProcess } from '../../scripts/service-process';
import { startCoordinatorFixture, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { testConfig, testEnv, testLogger } from '../helpers/test-env';
import { branchStatuses, waitFor, waitForStatus } from '../helpers/wait';

const conf = testConfig();

/** True once something accepts connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('mall: the product service is SIGKILLed after DecrStock committed', function () {
  this.timeout(60_000);
  let fx: CoordinatorFixture;
  let mallDb: MysqlPool;
  let order: MallServer;

  before(async () => {
    fx = await startCoordinatorFixture('mysql');
    await ensureMallSchema(conf);
    mallDb = createMysqlPool(conf, conf.mallDb, 2);
    order = await startOrderService(
      new MysqlBarrier(mallDb, conf.barrierDb),
      grpcBranchCallersOnly(undefined),
      testLogger('mall-order'),
      0,
    );
  });
  after(async () => {
    await order.close();
    await mallDb.end();
    await fx.close();
  });

  const product = (port: number, kill: boolean) =>
    new ServiceProcess(
      'mall/product-main.ts',
      { ...testEnv, MALL_PRODUCT_PORT: String(port), MALL_KILL_AFTER_DECR_STOCK: kill ? '1' : '0' },
      () => listening(port),
    );
  const stock = async () =>
    Number(
      (await mallDb.query<RowDataPacket[]>('SELECT stock FROM product WHERE id=?', [MALL_PRODUCT_ID]))[0][0]?.stock,
    );

  it('finishes the saga after a restart and takes the stock exactly once', async () => {
    const port = await freePort();
    const dying = product(port, true);
    await dying.start();
    const gid = `${MALL_GID_PREFIX}crash-${Date.now().toString(36)}`;
    const before = await stock();
    const deps = {
      pool: mallDb,
      dtmGrpc: fx.coordinator.grpc,
      dtm: fx.dtm,
      orderServer: () => `127.0.0.1:${order.port}`,
      productServer: () => `127.0.0.1:${port}`,
      outcomeWaitMs: 0,
      branchHeaders: {},
      dtmHeaders: {},
    };
    await mallSaga(deps, { order_no: gid, user_id: 1, product_id: MALL_PRODUCT_ID, num: 2 }).submit();
    assert.equal(await dying.exited(), null, 'the product service died by SIGKILL');
    await fx.coordinator.service.drain();
    assert.equal(await stock(), before - 2, 'DecrStock committed before the crash');

    const restarted = product(port, false);
    await restarted.start();
    try {
      await waitFor('the saga to finish after the restart', async () => {
        await fx.recover();
        const answer = await waitForStatus(fx.dtm, gid, 'succeed', 1_000).catch(() => undefined);
        return answer;
      });
      const answer = await waitForStatus(fx.dtm, gid, 'succeed');
      assert.deepEqual(branchStatuses(answer), [
        'compensate:prepared',
        'action:succeed',
        'compensate:prepared',
        'action:succeed',
      ]);
      assert.equal(await stock(), before - 2, 'the retried DecrStock found its barrier row and did nothing');
    } finally {
      await restarted.stop();
    }
  });
});
