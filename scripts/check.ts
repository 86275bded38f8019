import { loadConfig } from '../conf/config';
import { createMysqlPool } from '../common/mysql';
import { createRedis, ensureConnected } from '../common/redis';
import { checkInvariants, formatReport } from '../check/invariants';
import { createStore } from '../coordinator/storage/create-store';

/**
 * `npm run check`: verifies the invariants on the configured databases and prints a pass/fail table.
 * It reads the coordinator's store that COORDINATOR_STORE names, as the coordinator does.
 */
async function main(): Promise<void> {
  const conf = loadConfig();
  const store = await createStore(conf);
  const orderDb = createMysqlPool(conf, conf.orderDb, 2);
  const stockDb = createMysqlPool(conf, conf.stockDb, 2);
  const flashDb = createMysqlPool(conf, conf.flashDb, 2);
  const mallDb = createMysqlPool(conf, conf.mallDb, 2);
  const redis = createRedis(conf);
  try {
    await ensureConnected(redis, conf);
    const results = await checkInvariants({
      conf,
      store,
      orderDb,
      stockDb,
      flashDb,
      mallDb,
      redis,
      initialStock: { 1: 100, 2: 200 },
    });
    console.log(formatReport(results));
    process.exitCode = results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await Promise.all([store.close(), orderDb.end(), stockDb.end(), flashDb.end(), mallDb.end()]);
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`check failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
