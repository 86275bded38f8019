import mysql from 'mysql2/promise';
import { createRedis } from '../../common/redis';
import { testConfig, testEnv } from './test-env';

/**
 * Root hooks: after the whole run, drop this run's databases and delete its Redis keys (never FLUSHALL:
 * other runs and the user's data share the server).
 */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    const conf = testConfig();
    const conn = await mysql.createConnection({ host: conf.mysql.host, port: conf.mysql.port, user: conf.mysql.user, password: conf.mysql.password });
    for (const db of [testEnv.COORDINATOR_DB, testEnv.BARRIER_DB, testEnv.ORDER_DB, testEnv.FLASH_DB]) {
      await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    }
    await conn.end();
    const redis = createRedis(conf);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${conf.redis.prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  },
};
