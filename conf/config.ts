import { z } from 'zod';

/** Every environment variable the suite reads, in one place so docs and code cannot drift. */
export const ENV = {
  dtmServer: 'DTM_SERVER',
  mysqlHost: 'MYSQL_HOST',
  mysqlPort: 'MYSQL_PORT',
  mysqlUser: 'MYSQL_USER',
  mysqlPassword: 'MYSQL_PASSWORD',
  redisHost: 'REDIS_HOST',
  redisPort: 'REDIS_PORT',
  redisPrefix: 'REDIS_PREFIX',
  coordinatorPort: 'COORDINATOR_PORT',
  coordinatorStore: 'COORDINATOR_STORE',
  coordinatorDb: 'COORDINATOR_DB',
  barrierDb: 'BARRIER_DB',
  orderDb: 'ORDER_DB',
  flashDb: 'FLASH_DB',
  busiPort: 'BUSI_PORT',
  busiHost: 'BUSI_HOST',
  retryIntervalMs: 'RETRY_INTERVAL_MS',
  timeoutToFailMs: 'TIMEOUT_TO_FAIL_MS',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  cronIntervalMs: 'CRON_INTERVAL_MS',
  cronWorkers: 'CRON_WORKERS',
  finishedExpireMs: 'FINISHED_EXPIRE_MS',
  maxRetryIntervalMs: 'MAX_RETRY_INTERVAL_MS',
  logLevel: 'LOG_LEVEL',
  flashKillAfterDeduct: 'FLASH_KILL_AFTER_DEDUCT',
  chaosFaultRate: 'CHAOS_FAULT_RATE',
  outcomeWaitMs: 'OUTCOME_WAIT_MS',
} as const;

export const STORE_KINDS = ['mysql', 'redis'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();
const identifier = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ only (it names a database)');

const schema = z.object({
  [ENV.dtmServer]: z.url().default('http://localhost:36789/api/dtmsvr'),
  [ENV.mysqlHost]: z.string().min(1).default('127.0.0.1'),
  [ENV.mysqlPort]: port.default(3306),
  [ENV.mysqlUser]: z.string().min(1).default('root'),
  [ENV.mysqlPassword]: z.string().default(''),
  [ENV.redisHost]: z.string().min(1).default('127.0.0.1'),
  [ENV.redisPort]: port.default(6379),
  [ENV.redisPrefix]: z.string().default(''),
  [ENV.coordinatorPort]: port.default(36789),
  [ENV.coordinatorStore]: z.enum(STORE_KINDS).default('mysql'),
  [ENV.coordinatorDb]: identifier.default('dtm'),
  [ENV.barrierDb]: identifier.default('dtm_barrier'),
  [ENV.orderDb]: identifier.default('ord'),
  [ENV.flashDb]: identifier.default('flash'),
  [ENV.busiPort]: port.default(8081),
  [ENV.busiHost]: z.string().min(1).default('localhost'),
  [ENV.retryIntervalMs]: positiveMs.default(10_000),
  [ENV.timeoutToFailMs]: positiveMs.default(35_000),
  [ENV.requestTimeoutMs]: positiveMs.default(3_000),
  [ENV.cronIntervalMs]: positiveMs.default(3_000),
  [ENV.cronWorkers]: z.coerce.number().int().min(1).max(64).default(4),
  [ENV.finishedExpireMs]: positiveMs.default(7 * 24 * 3600 * 1000),
  [ENV.maxRetryIntervalMs]: positiveMs.default(600_000),
  [ENV.logLevel]: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  [ENV.flashKillAfterDeduct]: z.enum(['0', '1'], { message: 'must be 0 or 1' }).default('0'),
  [ENV.chaosFaultRate]: z.coerce.number().min(0).max(1).default(0),
  [ENV.outcomeWaitMs]: z.coerce.number().int().nonnegative().default(10_000),
});

/** The suite's configuration, read once from the environment. Durations are milliseconds. */
export interface Config {
  readonly dtmServer: string;
  readonly mysql: { readonly host: string; readonly port: number; readonly user: string; readonly password: string };
  readonly redis: { readonly host: string; readonly port: number; readonly prefix: string };
  readonly coordinator: {
    readonly port: number;
    readonly store: StoreKind;
    readonly db: string;
    readonly retryIntervalMs: number;
    readonly maxRetryIntervalMs: number;
    readonly timeoutToFailMs: number;
    readonly requestTimeoutMs: number;
    readonly cronIntervalMs: number;
    readonly cronWorkers: number;
    /** Redis store: finished transactions are deleted after this long (MySQL keeps them). */
    readonly finishedExpireMs: number;
  };
  readonly barrierDb: string;
  readonly orderDb: string;
  readonly flashDb: string;
  readonly busi: { readonly host: string; readonly port: number };
  readonly logLevel: string;
  /** Test-only fault: the flash service kills itself right after taking stock, before submit. */
  readonly flashKillAfterDeduct: boolean;
  /** Test-only fault: share of branch calls of the examples that get a random delivery fault. */
  readonly chaosFaultRate: number;
  /** How long the examples' fire endpoints wait for a transaction's outcome before answering. */
  readonly outcomeWaitMs: number;
}

/** Thrown when an environment variable holds a value the suite cannot use; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the configuration. Unset variables take the local defaults.
 * @throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.values(ENV).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  // An empty password is legitimate, so it is the one variable where "" is kept.
  present[ENV.mysqlPassword] = env[ENV.mysqlPassword] ?? '';
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(
      `${variable}=${JSON.stringify(env[variable] ?? '')} is invalid: ${issue?.message ?? 'bad value'}`,
    );
  }
  const v = parsed.data;
  if (v[ENV.maxRetryIntervalMs] < v[ENV.retryIntervalMs]) {
    throw new ConfigError(
      `${ENV.maxRetryIntervalMs} (${v[ENV.maxRetryIntervalMs]}) must not be below ${ENV.retryIntervalMs} (${v[ENV.retryIntervalMs]})`,
    );
  }
  return Object.freeze({
    dtmServer: v[ENV.dtmServer].replace(/\/$/, ''),
    mysql: { host: v[ENV.mysqlHost], port: v[ENV.mysqlPort], user: v[ENV.mysqlUser], password: v[ENV.mysqlPassword] },
    redis: { host: v[ENV.redisHost], port: v[ENV.redisPort], prefix: v[ENV.redisPrefix] },
    coordinator: {
      port: v[ENV.coordinatorPort],
      store: v[ENV.coordinatorStore],
      db: v[ENV.coordinatorDb],
      retryIntervalMs: v[ENV.retryIntervalMs],
      maxRetryIntervalMs: v[ENV.maxRetryIntervalMs],
      timeoutToFailMs: v[ENV.timeoutToFailMs],
      requestTimeoutMs: v[ENV.requestTimeoutMs],
      cronIntervalMs: v[ENV.cronIntervalMs],
      cronWorkers: v[ENV.cronWorkers],
      finishedExpireMs: v[ENV.finishedExpireMs],
    },
    barrierDb: v[ENV.barrierDb],
    orderDb: v[ENV.orderDb],
    flashDb: v[ENV.flashDb],
    busi: { host: v[ENV.busiHost], port: v[ENV.busiPort] },
    logLevel: v[ENV.logLevel],
    flashKillAfterDeduct: v[ENV.flashKillAfterDeduct] === '1',
    chaosFaultRate: v[ENV.chaosFaultRate],
    outcomeWaitMs: v[ENV.outcomeWaitMs],
  });
}

/** The config with the password masked, for the one start-up log line. */
export function describeConfig(conf: Config): Record<string, unknown> {
  return { ...conf, mysql: { ...conf.mysql, password: conf.mysql.password ? '***' : '' } };
}
