import type { SqlField } from '../common/sql-columns';

/**
 * Where a buyer's fields are written in flash.sql, and with which SQL type. The buyer's query and the
 * createOrder body are checked against this before a unit is taken, and a test compares it with the
 * database, so a sale the service accepts can always become an order.
 */
export const FLASH_COLUMNS = {
  user_id: { type: { kind: 'int' }, columns: ['flash_order.user_id'] },
  product_id: { type: { kind: 'int' }, columns: ['flash_order.product_id'] },
} as const satisfies Record<string, SqlField>;
