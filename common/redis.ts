import { Redis } from 'ioredis';
import type { Config } from '../conf/config';

/** An ioredis client on the configured server. It does not connect lazily, so a dead Redis shows early. */
export function createRedis(conf: Config): Redis {
  return new Redis({ host: conf.redis.host, port: conf.redis.port, maxRetriesPerRequest: 2, enableOfflineQueue: true });
}
