import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { Config } from '../conf/config';

/** Drops what a benchmark run made: the Redis keys under `redisPrefix`, and `databases`. */
export async function dropLeftovers(conf: Config, redisPrefix: string, databases: string[]): Promise<void> {
  const redis = new Redis({ host: conf.redis.host, port: conf.redis.port });
  const keys = await redis.keys(`${redisPrefix}*`);
  // In slices: a run leaves more keys than one call's arguments can spread.
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  await redis.quit();
  const conn = await mysql.createConnection({
    host: conf.mysql.host,
    port: conf.mysql.port,
    user: conf.mysql.user,
    password: conf.mysql.password,
  });
  for (const db of databases) await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await conn.end();
}
