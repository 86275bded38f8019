import { z } from 'zod';

/**
 * The suite's configuration: every environment variable is declared once below, with its schema and
 * local default, at the place it takes in the config; the `Config` type is derived from that
 * declaration. This file is the only reader of process.env. Durations are milliseconds.
 */

/** One environment variable: its name and how its text becomes a value. */
interface EnvVar<S extends z.ZodType = z.ZodType> {
  readonly variable: string;
  readonly schema: S;
}

function env<S extends z.ZodType>(variable: string, schema: S): EnvVar<S> {
  return { variable, schema };
}

export const STORE_KINDS = ['mysql', 'redis'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();
/** A token or secret: it travels in HTTP headers, so printable ASCII without spaces, long enough to guess hard. */
const secret = z
  .string()
  .min(16, 'must be at least 16 characters')
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces only (it travels in a header)');
const identifier = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ only (it names a database)');

const SPEC = {
  /** The coordinator URL the examples use. */
  dtmServer: env('DTM_SERVER', z.url().default('http://localhost:36789/api/dtmsvr')),
  /** The coordinator's gRPC address the mall example uses. */
  dtmGrpcServer: env(
    'DTM_GRPC_SERVER',
    z
      .string()
      .regex(/^[^\s/]+:\d+$/, 'must be host:port')
      .default('localhost:36790'),
  ),
  mysql: {
    host: env('MYSQL_HOST', z.string().min(1).default('127.0.0.1')),
    port: env('MYSQL_PORT', port.default(3306)),
    user: env('MYSQL_USER', z.string().min(1).default('root')),
    password: env('MYSQL_PASSWORD', z.string().default('')),
  },
  redis: {
    host: env('REDIS_HOST', z.string().min(1).default('127.0.0.1')),
    port: env('REDIS_PORT', port.default(6379)),
    prefix: env('REDIS_PREFIX', z.string().default('')),
  },
  coordinator: {
    /** The interface the coordinator listens on; loopback unless opened up on purpose. */
    host: env('COORDINATOR_HOST', z.string().min(1).default('127.0.0.1')),
    port: env('COORDINATOR_PORT', port.default(36789)),
    /** The gRPC API's port (service dtmgimp.Dtm), as DTM's 36790. */
    grpcPort: env('COORDINATOR_GRPC_PORT', port.default(36790)),
    store: env('COORDINATOR_STORE', z.enum(STORE_KINDS).default('mysql')),
    db: env('COORDINATOR_DB', identifier.default('dtm')),
    retryIntervalMs: env('RETRY_INTERVAL_MS', positiveMs.default(10_000)),
    maxRetryIntervalMs: env('MAX_RETRY_INTERVAL_MS', positiveMs.default(600_000)),
    timeoutToFailMs: env('TIMEOUT_TO_FAIL_MS', positiveMs.default(35_000)),
    requestTimeoutMs: env('REQUEST_TIMEOUT_MS', positiveMs.default(3_000)),
    cronIntervalMs: env('CRON_INTERVAL_MS', positiveMs.default(3_000)),
    cronWorkers: env('CRON_WORKERS', z.coerce.number().int().min(1).max(64).default(4)),
    /** Redis store: finished transactions are deleted after this long (MySQL keeps them). */
    finishedExpireMs: env('FINISHED_EXPIRE_MS', positiveMs.default(7 * 24 * 3600 * 1000)),
  },
  barrierDb: env('BARRIER_DB', identifier.default('dtm_barrier')),
  orderDb: env('ORDER_DB', identifier.default('ord')),
  /** The stock service's own database, where the XA demo deducts stock (the saga uses ORDER_DB's). */
  stockDb: env('STOCK_DB', identifier.default('stock')),
  flashDb: env('FLASH_DB', identifier.default('flash')),
  mallDb: env('MALL_DB', identifier.default('mall')),
  /** The mall example's gRPC order and product services (as the go-zero article's order and product RPCs). */
  mall: {
    orderPort: env('MALL_ORDER_PORT', port.default(9001)),
    productPort: env('MALL_PRODUCT_PORT', port.default(9002)),
  },
  /** The examples' port, and the host the coordinator uses to call them back. */
  busi: {
    host: env('BUSI_HOST', z.string().min(1).default('localhost')),
    port: env('BUSI_PORT', port.default(8081)),
  },
  /**
   * Token of the admin operations (forceStop, the cron resets, topic changes, the dashboard, /all and /query,
   * the examples' flashReset); unset: they are allowed from loopback only.
   */
  adminToken: env('ADMIN_TOKEN', secret.optional()),
  /**
   * Secret the examples put in every transaction's branch_headers and require on their branch endpoints;
   * unset: those endpoints accept calls from loopback only.
   */
  branchSecret: env('BRANCH_SECRET', secret.optional()),
  logLevel: env('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  /** How long the examples' fire endpoints wait for a transaction's outcome before answering. */
  outcomeWaitMs: env('OUTCOME_WAIT_MS', z.coerce.number().int().nonnegative().default(10_000)),
  /** Faults the tests switch on; never set in production. */
  testFaults: {
    /** The flash service kills itself right after taking stock, before submit. */
    flashKillAfterDeduct: env(
      'FLASH_KILL_AFTER_DEDUCT',
      z
        .enum(['0', '1'], { message: 'must be 0 or 1' })
        .default('0')
        .transform((v) => v === '1'),
    ),
    /** The mall's product service kills itself right after DecrStock committed, before answering. */
    mallKillAfterDecrStock: env(
      'MALL_KILL_AFTER_DECR_STOCK',
      z
        .enum(['0', '1'], { message: 'must be 0 or 1' })
        .default('0')
        .transform((v) => v === '1'),
    ),
    /** The order workflow kills its process right after this branch's action (1-4); 0: never. */
    workflowKillAfterBranch: env('WORKFLOW_KILL_AFTER_BRANCH', z.coerce.number().int().min(0).default(0)),
    /** Share of the examples' branch calls that get a random delivery fault. */
    chaosFaultRate: env('CHAOS_FAULT_RATE', z.coerce.number().min(0).max(1).default(0)),
  },
};

/** The variables that say where MySQL and Redis are, for messages that tell what to change. */
export const SERVICE_VARIABLES = {
  mysql: [SPEC.mysql.host, SPEC.mysql.port, SPEC.mysql.user, SPEC.mysql.password].map((v) => v.variable),
  redis: [SPEC.redis.host, SPEC.redis.port].map((v) => v.variable),
} as const;

type Resolved<T> = T extends EnvVar<infer S> ? z.output<S> : { readonly [K in keyof T]: Resolved<T[K]> };

/** The suite's configuration, read once from the environment. */
export type Config = Resolved<typeof SPEC>;

/** Thrown when an environment variable holds a value the suite cannot use; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function isEnvVar(node: unknown): node is EnvVar {
  return typeof node === 'object' && node !== null && 'variable' in node && 'schema' in node;
}

/** Every variable the suite reads, for docs and tests. */
export function envVariables(node: unknown = SPEC): string[] {
  if (isEnvVar(node)) return [node.variable];
  return Object.values(node as Record<string, unknown>).flatMap((child) => envVariables(child));
}

function resolve(node: unknown, env: Record<string, string | undefined>): unknown {
  if (isEnvVar(node)) {
    const raw = env[node.variable];
    // An empty password is legitimate, so it is the one variable where "" is kept.
    const value = raw === '' && node.variable !== 'MYSQL_PASSWORD' ? undefined : raw;
    const parsed = node.schema.safeParse(value);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? 'bad value';
      throw new ConfigError(`${node.variable}=${JSON.stringify(raw ?? '')} is invalid: ${message}`);
    }
    return parsed.data;
  }
  return Object.freeze(
    Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, child]) => [k, resolve(child, env)])),
  );
}

/**
 * Reads and validates the configuration. Unset variables take the local defaults.
 * @throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const conf = resolve(SPEC, env) as Config;
  const c = conf.coordinator;
  if (c.maxRetryIntervalMs < c.retryIntervalMs) {
    throw new ConfigError(
      `${SPEC.coordinator.maxRetryIntervalMs.variable} (${c.maxRetryIntervalMs}) must not be below ${SPEC.coordinator.retryIntervalMs.variable} (${c.retryIntervalMs})`,
    );
  }
  return Object.freeze({ ...conf, dtmServer: conf.dtmServer.replace(/\/$/, '') });
}

/** The config with the password and the secrets masked, for the one start-up log line. */
export function describeConfig(conf: Config): Record<string, unknown> {
  const mask = (secret: string | undefined) => (secret ? '***' : undefined);
  return {
    ...conf,
    mysql: { ...conf.mysql, password: conf.mysql.password ? '***' : '' },
    adminToken: mask(conf.adminToken),
    branchSecret: mask(conf.branchSecret),
  };
}
