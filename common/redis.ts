import { Redis } from 'ioredis';
import type { Config } from '../conf/config';
import type { Logger } from './log';
import { oneLine, serviceAddress, unreachable } from './unreachable';

/**
 * An ioredis client on the configured server. It does not connect lazily, so a dead Redis shows early.
 * `name` is what `CLIENT LIST` shows for it, so an operator can tell the coordinator's clients apart.
 * Each command is written at once. ioredis's auto-pipelining (commands of one tick in one write) defers
 * every command to the next turn of the event loop and builds a pipeline for it. At the load this suite's
 * services see (the coordinator measured at 16 and 64 transactions in flight) a turn rarely holds more
 * than one command, and the detour cost more CPU than the system calls it saved: a request whose handler
 * makes one script call cost 0.243 ms of CPU with it and 0.192 ms without (docs/performance.md).
 */
export function createRedis(conf: Config, name?: string): Redis {
  return new Redis({
    host: conf.redis.host,
    port: conf.redis.port,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    ...(name === undefined ? {} : { connectionName: name }),
  });
}

/**
 * Waits until `redis` answers.
 * @throws Unavailable naming Redis, its address and the variables to change (and disconnects the client)
 * when it does not: ioredis would only say that it reached its retry limit.
 */
export async function ensureConnected(redis: Redis, conf: Config): Promise<void> {
  // ioredis reports the cause (ECONNREFUSED, …) through 'error' events, not through the failed command.
  let cause: unknown;
  const remember = (err: unknown) => (cause = err);
  redis.on('error', remember);
  try {
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw unreachable('redis', conf, cause ?? err);
  } finally {
    redis.off('error', remember);
  }
}

/**
 * Logs an outage of a connected client once when it starts and once when Redis answers again (ioredis
 * reconnects by itself, and would otherwise print every failed attempt).
 */
export function logOutages(redis: Redis, conf: Config, log: Logger): void {
  let down = false;
  redis.on('error', (err: unknown) => {
    if (down) return;
    down = true;
    log.error(
      { event: 'redis.unreachable', error: oneLine(err) },
      `${unreachable('redis', conf, err).message}; reconnecting, requests that need it fail meanwhile`,
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ event: 'redis.back' }, `Redis at ${serviceAddress('redis', conf)} answers again`);
  });
}

/** A client that answered a ping, whose outages are logged. @throws Unavailable as `ensureConnected`. */
export async function connectRedis(conf: Config, log: Logger): Promise<Redis> {
  const redis = createRedis(conf);
  await ensureConnected(redis, conf);
  logOutages(redis, conf, log);
  return redis;
}
