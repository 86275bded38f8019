import { randomBytes } from 'node:crypto';
import { loadConfig, type Config, type StoreKind } from '../../conf/config';
import { createLogger, type Logger } from '../../common/log';

/** One id per test run: it names the databases and the Redis key prefix, so runs never collide. */
export const runId = randomBytes(3).toString('hex');

/** Environment every test config starts from. */
export const testEnv: Record<string, string> = {
  COORDINATOR_DB: `dtm_${runId}`,
  BARRIER_DB: `barrier_${runId}`,
  ORDER_DB: `order_${runId}`,
  STOCK_DB: `stock_${runId}`,
  FLASH_DB: `flash_${runId}`,
  MALL_DB: `mall_${runId}`,
  REDIS_PREFIX: `test:${runId}:`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  RETRY_INTERVAL_MS: '10000',
  CRON_INTERVAL_MS: '100',
};

/** The config for tests, on the given coordinator store, with optional overrides. */
export function testConfig(store: StoreKind = 'mysql', overrides: Record<string, string> = {}): Config {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k.startsWith('MYSQL_') || k.startsWith('REDIS_HOST') || k.startsWith('REDIS_PORT'),
    ),
  );
  return loadConfig({ ...inherited, ...testEnv, COORDINATOR_STORE: store, ...overrides });
}

export function testLogger(component: string): Logger {
  return createLogger(testEnv.LOG_LEVEL ?? 'error', { component });
}

/** Both coordinator stores; suites that must pass on each loop over this. */
export const STORES: readonly StoreKind[] = ['mysql', 'redis'];
