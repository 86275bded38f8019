import { SERVICE_VARIABLES, type Config } from '../conf/config';
import { Unavailable } from './errors';

/** The services the suite keeps its data in. */
export type ServiceKind = 'mysql' | 'redis';

const SERVICE_NAMES: Record<ServiceKind, string> = { mysql: 'MySQL', redis: 'Redis' };

/** Where a service is looked for, with the variables that move it: `127.0.0.1:6379 (REDIS_HOST, REDIS_PORT)`. */
export function serviceAddress(kind: ServiceKind, conf: Config): string {
  const at =
    kind === 'mysql'
      ? `${conf.mysql.user}@${conf.mysql.host}:${conf.mysql.port}`
      : `${conf.redis.host}:${conf.redis.port}`;
  return `${at} (${SERVICE_VARIABLES[kind].join(', ')})`;
}

/** An error's message on one line, for start-up errors and log lines. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The error for a service that does not answer: one line naming the service, where it was looked for,
 * the variables to change and the cause, e.g. `Redis is not reachable at 127.0.0.1:6390 (REDIS_HOST,
 * REDIS_PORT): connect ECONNREFUSED 127.0.0.1:6390`.
 */
export function unreachable(kind: ServiceKind, conf: Config, cause: unknown): Unavailable {
  return new Unavailable(
    `${SERVICE_NAMES[kind]} is not reachable at ${serviceAddress(kind, conf)}: ${oneLine(cause)}`,
    {
      cause,
    },
  );
}
