import type { SqlField } from '../common/sql-columns';

/**
 * Where each field of an order request is written in order.sql, and with which SQL type. The request
 * schema is built from this, and a test compares it with the database, so an order the service accepts
 * always fits its rows.
 */
export const ORDER_COLUMNS = {
  user_id: { type: { kind: 'int' }, columns: ['order1.user_id', 'pay.user_id', 'user_coupon.user_id'] },
  order_id: { type: { kind: 'varchar', length: 64 }, columns: ['order1.order_id', 'pay.order_id'] },
  amount: { type: { kind: 'decimal', precision: 12, scale: 2 }, columns: ['order1.amount', 'pay.amount'] },
  product_id: { type: { kind: 'int' }, columns: ['order1.product_id', 'stock.product_id'] },
  product_count: { type: { kind: 'int' }, columns: ['order1.product_count'] },
  coupon_id: { type: { kind: 'int' }, columns: ['order1.coupon_id', 'user_coupon.coupon_id'] },
} as const satisfies Record<string, SqlField>;
