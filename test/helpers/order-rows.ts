import type { RowDataPacket } from 'mysql2';
import type { MysqlPool } from '../../common/mysql';
import { testConfig } from './test-env';

/** Reads the order database and the barrier the way the order tests' assertions need them. */
export function orderRows(pool: () => MysqlPool) {
  const { barrierDb } = testConfig();
  const rows = async (sql: string, values: unknown[] = []) => (await pool().query<RowDataPacket[]>(sql, values))[0];
  return {
    rows,
    stockOf: async (productId = 1) =>
      Number((await rows('SELECT stock FROM stock WHERE product_id=?', [productId]))[0]?.stock),
    orderStatus: async (orderId: string) =>
      (await rows('SELECT status FROM order1 WHERE order_id=?', [orderId]))[0]?.status as string | undefined,
    payStatuses: async (orderId: string) =>
      (await rows('SELECT status FROM pay WHERE order_id=?', [orderId])).map((r) => String(r.status)),
    /** `branch_id:op:reason` per barrier row of `gid`, oldest first. */
    barrierRows: async (gid: string) =>
      (await rows(`SELECT branch_id, op, reason FROM \`${barrierDb}\`.barrier WHERE gid=? ORDER BY id`, [gid])).map(
        (r) => `${r.branch_id}:${r.op}:${r.reason}`,
      ),
  };
}
