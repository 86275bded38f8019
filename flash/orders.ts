import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { BranchBarrier } from '../common/barrier/barrier';
import type { MysqlBarrier } from '../common/barrier/mysql-barrier';
import type { MysqlPool } from '../common/mysql';

/** The flash-sale orders in MySQL; creation goes through the barrier, so a redelivery adds nothing. */
export class FlashOrders {
  constructor(
    private readonly pool: MysqlPool,
    private readonly barrier: MysqlBarrier,
  ) {}

  /** Creates the order of message `bb.gid` once, however often the coordinator delivers it. */
  async create(bb: BranchBarrier, userId: number, productId: number): Promise<void> {
    await this.barrier.call(bb, async (conn) => {
      await conn.execute('INSERT INTO flash_order (order_id, user_id, product_id) VALUES (?,?,?)', [
        bb.gid,
        userId,
        productId,
      ]);
    });
  }

  async count(): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM flash_order');
    return Number(rows[0]?.n ?? 0);
  }

  async countFor(orderId: string): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM flash_order WHERE order_id=?', [
      orderId,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  async deleteAll(): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>('DELETE FROM flash_order');
    return res.affectedRows;
  }
}
