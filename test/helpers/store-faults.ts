import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { Config } from '../../conf/config';
import { redisClientName } from '../../coordinator/storage/redis-store';

/** Drops every connection the coordinator's store holds, as a failover or a network blip would. */
export async function dropStoreConnections(conf: Config): Promise<number> {
  if (conf.coordinator.store === 'redis') {
    const redis = new Redis({ host: conf.redis.host, port: conf.redis.port });
    try {
      const list = await redis.client('LIST');
      const mine = String(list)
        .split('\n')
        .filter((line) => line.includes(`name=${redisClientName(conf.redis.prefix)} `));
      for (const line of mine) await redis.client('KILL', 'ID', /id=(\d+)/.exec(line)![1]!);
      return mine.length;
    } finally {
      redis.disconnect();
    }
  }
  const admin = await mysql.createConnection({ host: conf.mysql.host, port: conf.mysql.port, user: conf.mysql.user });
  try {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT id FROM information_schema.PROCESSLIST WHERE db = ? AND id <> CONNECTION_ID()',
      [conf.coordinator.db],
    );
    for (const r of rows) await admin.query(`KILL CONNECTION ${Number(r.id)}`).catch(() => undefined);
    return rows.length;
  } finally {
    await admin.end();
  }
}
