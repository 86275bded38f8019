import mysql from 'mysql2/promise';
import { createRedis } from '../../common/redis';
import type { RowDataPacket } from 'mysql2';
import { runId, testConfig } from './test-env';

/**
 * Root hooks: after the whole run, drop this run's databases and delete its Redis keys (never FLUSHALL:
 * other runs and the user's data share the server).
 */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    const conf = testConfig();
    const conn = await mysql.createConnection({
      host: conf.mysql.host,
      port: conf.mysql.port,
      user: conf.mysql.user,
      password: conf.mysql.password,
    });
    // Every database of this run ends with its id (dtm_<run>, chaos_order_<run>, …).
    const [dbs] = await conn.query<RowDataPacket[]>('SHOW DATABASES LIKE ?', [`%\\_${runId}`]);
    for (const row of dbs) await conn.query(`DROP DATABASE IF EXISTS \`${String(Object.values(row)[0])}\``);
    await conn.end();
    const redis = createRedis(conf);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*:${runId}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  },
};
