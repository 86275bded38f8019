import type { Config } from '../conf/config';
import { createMysqlPool } from '../common/mysql';
import { createRedis } from '../common/redis';
import { createStore } from '../coordinator/storage/create-store';
import type { CheckSources } from './result';

/** The order example's seeded stock per product (order.sql; stock.sql seeds the XA demo the same). */
export const SEEDED_ORDER_STOCK: Readonly<Record<number, number>> = { 1: 100, 2: 200 };

/**
 * Opens what the checker reads on the configured servers: the store COORDINATOR_STORE names, the
 * examples' databases and Redis, each with a small pool. `close` releases them all.
 */
export async function openCheckSources(conf: Config): Promise<CheckSources & { close(): Promise<void> }> {
  const store = await createStore(conf);
  const pools = {
    orderDb: createMysqlPool(conf, conf.orderDb, 2),
    stockDb: createMysqlPool(conf, conf.stockDb, 2),
    flashDb: createMysqlPool(conf, conf.flashDb, 2),
    mallDb: createMysqlPool(conf, conf.mallDb, 2),
  };
  const redis = createRedis(conf);
  return {
    conf,
    store,
    ...pools,
    redis,
    initialStock: { ...SEEDED_ORDER_STOCK },
    async close() {
      await Promise.all([store.close(), ...Object.values(pools).map((p) => p.end())]);
      redis.disconnect();
    },
  };
}
