import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import type { Config } from '../conf/config';
import { serviceAddress } from '../common/unreachable';

/** A dependency that did not answer, with where it was looked for and how to start it. */
export interface Unreachable {
  what: string;
  where: string;
  error: string;
  howToStart: string;
}

/** Checks that MySQL and Redis answer at the configured addresses. */
export async function checkServices(conf: Config): Promise<Unreachable[]> {
  const problems: Unreachable[] = [];
  try {
    const conn = await mysql.createConnection({
      host: conf.mysql.host,
      port: conf.mysql.port,
      user: conf.mysql.user,
      password: conf.mysql.password,
      connectTimeout: 3000,
    });
    await conn.end();
  } catch (err) {
    problems.push({
      what: 'MySQL (MariaDB)',
      where: serviceAddress('mysql', conf),
      error: err instanceof Error ? err.message : String(err),
      howToStart:
        'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd   (install: apt-get install mariadb-server)',
    });
  }
  const redis = new Redis({
    host: conf.redis.host,
    port: conf.redis.port,
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis rejects with "Connection is closed"; the cause (ECONNREFUSED, …) comes through 'error'.
  let cause: unknown;
  redis.on('error', (err: unknown) => (cause ??= err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const reason = cause ?? err;
    problems.push({
      what: 'Redis',
      where: serviceAddress('redis', conf),
      error: reason instanceof Error ? reason.message : String(reason),
      howToStart:
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no   (install: apt-get install redis-server)',
    });
  } finally {
    redis.disconnect();
  }
  return problems;
}
