import { z } from 'zod';
import { decimalField, intField, varcharField } from '../common/sql-columns';
import { ORDER_COLUMNS as C } from './columns';

/** An order asks for at most this many units at once (a business rule, far inside the column range). */
export const MAX_PRODUCT_COUNT = 1_000_000;

/**
 * The body of submitOrder and of every order branch: DTM's example fields, checked against the columns
 * they are written to (columns.ts), so no accepted order can fail in SQL.
 */
export const orderRequestSchema = z.object({
  user_id: intField(C.user_id, 1),
  order_id: varcharField(C.order_id, /^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -'),
  amount: decimalField(C.amount),
  product_id: intField(C.product_id, 1),
  product_count: intField(C.product_count, 1, { max: MAX_PRODUCT_COUNT }),
  coupon_id: intField(C.coupon_id, 0).default(0),
});
export type OrderRequest = z.infer<typeof orderRequestSchema>;

/** Order sagas' gids start with this: the checker tells them apart from other transactions by it. */
export const ORDER_GID_PREFIX = 'gid-';

/** The saga's gid for an order: one order, one transaction, so a re-submitted order is not run twice. */
export function orderGid(orderId: string): string {
  return `${ORDER_GID_PREFIX}${orderId}`;
}

/** The order saga's steps, in order: each is a branch endpoint and its `…Revert` compensation. */
export const ORDER_SAGA_STEPS = ['orderCreate', 'stockDeduct', 'couponUse', 'payCreate'] as const;

/** The TCC's resources, in the order their tries run: branch 01, 02, …, the same order as the saga's steps. */
export const TCC_RESOURCES = ['order', 'stock', 'coupon', 'pay'] as const;

/** The order's and the payment's status while a TCC holds them: its confirm or cancel moves both on. */
export const TCC_ORDER_STATUS = 'TRYING';
