import { createMysqlPool, type MysqlPool } from '../../common/mysql';
import { startExamples, type Examples } from '../../scripts/examples-server';
import type { StoreKind } from '../../conf/config';
import { freePort } from '../../scripts/service-process';
import { startCoordinatorFixture, type CoordinatorFixture } from './coordinator-fixture';
import { testConfig, testLogger } from './test-env';

/** A coordinator (cron driven by the test) and both example services wired to it. */
export interface ExamplesFixture {
  fx: CoordinatorFixture;
  examples: Examples;
  orderDb: MysqlPool;
  flashDb: MysqlPool;
  base: string;
  close(): Promise<void>;
}

/**
 * Starts a coordinator on `store` and the examples. The examples' port is chosen first and given to
 * both, so the coordinator knows where they listen (the dashboard's demo buttons call them).
 */
export async function startExamplesFixture(
  overrides: Record<string, string> = {},
  autoCron = false,
  store: StoreKind = 'mysql',
): Promise<ExamplesFixture> {
  const busiPort = String(await freePort());
  const fx = await startCoordinatorFixture(store, { BUSI_PORT: busiPort, BUSI_HOST: '127.0.0.1', ...overrides });
  if (autoCron) fx.coordinator.cron.start();
  const conf = testConfig(store, {
    DTM_SERVER: fx.dtm,
    DTM_GRPC_SERVER: fx.coordinator.grpc,
    BUSI_HOST: '127.0.0.1',
    BUSI_PORT: busiPort,
    OUTCOME_WAIT_MS: '3000',
    ...overrides,
  });
  const examples = await startExamples(conf, testLogger('examples'), {
    port: conf.busi.port,
    batchFinalWaitMs: 20_000,
    mall: { orderPort: 0, productPort: 0 },
  });
  const orderDb = createMysqlPool(conf, conf.orderDb, 4);
  const flashDb = createMysqlPool(conf, conf.flashDb, 4);
  return {
    fx,
    examples,
    orderDb,
    flashDb,
    base: `http://127.0.0.1:${examples.port}`,
    async close() {
      await examples.close();
      await orderDb.end();
      await flashDb.end();
      await fx.close();
    },
  };
}
