import type { ResultSetHeader } from 'mysql2';
import { BranchFailure } from '../common/errors';
import type { MysqlConnection } from '../common/mysql';
import type { OrderRequest } from './order-request';

/**
 * What the order's branches do to its tables, whichever transaction type calls them: the saga's actions
 * and compensations, the workflow's branches (the same endpoints), the TCC's tries, confirms and cancels.
 * Each runs on the barrier's connection, inside its local transaction. The ones that can refuse throw
 * BranchFailure naming the field; the ones that undo never refuse.
 */

/** What one branch call does to the order's tables, on the barrier's connection. */
export type OrderWork = (conn: MysqlConnection, req: OrderRequest) => Promise<void>;

async function affected(conn: MysqlConnection, sql: string, values: unknown[]): Promise<number> {
  const [res] = await conn.execute<ResultSetHeader>(sql, values as never);
  return res.affectedRows;
}

/**
 * Inserts the order row with `status`.
 * @throws BranchFailure when the order id is taken: a new order must have an id of its own.
 */
export async function insertOrder(conn: MysqlConnection, r: OrderRequest, status: string): Promise<void> {
  try {
    await conn.execute(
      'INSERT INTO order1 (user_id, order_id, product_id, product_count, amount, coupon_id, status) VALUES (?,?,?,?,?,?,?)',
      [r.user_id, r.order_id, r.product_id, r.product_count, r.amount, r.coupon_id, status],
    );
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY')
      throw new BranchFailure(`order ${r.order_id} exists already`, { field: 'order_id' });
    throw err;
  }
}

/** Sets the order's status; with `from`, only while it is that. */
export async function setOrderStatus(conn: MysqlConnection, orderId: string, to: string, from?: string): Promise<void> {
  await conn.execute(
    `UPDATE order1 SET status=?, update_time=now() WHERE order_id=?${from === undefined ? '' : ' AND status=?'}`,
    from === undefined ? [to, orderId] : [to, orderId, from],
  );
}

/**
 * Takes the order's units out of the stock.
 * @throws BranchFailure when fewer are left: the stock never goes below zero.
 */
export async function takeStock(conn: MysqlConnection, r: OrderRequest): Promise<void> {
  const n = await affected(conn, 'UPDATE stock SET stock=stock-?, update_time=now() WHERE product_id=? AND stock>=?', [
    r.product_count,
    r.product_id,
    r.product_count,
  ]);
  if (n === 0)
    throw new BranchFailure(`product ${r.product_id} has fewer than ${r.product_count} in stock`, {
      field: 'product_count',
    });
}

/** Puts the order's units back. */
export async function returnStock(conn: MysqlConnection, r: OrderRequest): Promise<void> {
  await conn.execute('UPDATE stock SET stock=stock+?, update_time=now() WHERE product_id=?', [
    r.product_count,
    r.product_id,
  ]);
}

/**
 * Marks the order's coupon used (coupon 0: none, nothing to do).
 * @throws BranchFailure when it is not an unused coupon of the order's user.
 */
export async function useCoupon(conn: MysqlConnection, r: OrderRequest): Promise<void> {
  if (r.coupon_id === 0) return;
  const n = await affected(
    conn,
    'UPDATE user_coupon SET used=1, update_time=now() WHERE coupon_id=? AND user_id=? AND used=0',
    [r.coupon_id, r.user_id],
  );
  if (n === 0)
    throw new BranchFailure(`coupon ${r.coupon_id} is not an unused coupon of user ${r.user_id}`, {
      field: 'coupon_id',
    });
}

/** Marks the order's coupon unused again. */
export async function releaseCoupon(conn: MysqlConnection, r: OrderRequest): Promise<void> {
  if (r.coupon_id === 0) return;
  await conn.execute('UPDATE user_coupon SET used=0, update_time=now() WHERE coupon_id=? AND user_id=? AND used=1', [
    r.coupon_id,
    r.user_id,
  ]);
}

/** Inserts the order's payment with `status`. */
export async function insertPay(conn: MysqlConnection, r: OrderRequest, status: string): Promise<void> {
  await conn.execute('INSERT INTO pay (user_id, order_id, amount, status) VALUES (?,?,?,?)', [
    r.user_id,
    r.order_id,
    r.amount,
    status,
  ]);
}

/** Sets the payment's status; with `from`, only while it is that. */
export async function setPayStatus(conn: MysqlConnection, orderId: string, to: string, from?: string): Promise<void> {
  await conn.execute(
    `UPDATE pay SET status=?, update_time=now() WHERE order_id=?${from === undefined ? '' : ' AND status=?'}`,
    from === undefined ? [to, orderId] : [to, orderId, from],
  );
}
