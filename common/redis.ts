import { Redis } from 'ioredis';
import type { Config } from '../conf/config';

/**
 * An ioredis client on the configured server. It does not connect lazily, so a dead Redis shows early.
 * `name` is what `CLIENT LIST` shows for it, so an operator can tell the coordinator's clients apart.
 * Commands issued in the same tick go out in one write (auto-pipelining): under concurrent load that is
 * one system call for many transactions instead of one each.
 */
export function createRedis(conf: Config, name?: string): Redis {
  return new Redis({
    host: conf.redis.host,
    port: conf.redis.port,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    enableAutoPipelining: true,
    ...(name === undefined ? {} : { connectionName: name }),
  });
}
