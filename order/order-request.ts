import { z } from 'zod';

/** The body of submitOrder and of every order branch: DTM's example fields, checked. */
export const orderRequestSchema = z.object({
  user_id: z.number({ message: 'must be a number' }).int().positive(),
  order_id: z
    .string({ message: 'must be a string' })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
  amount: z.number({ message: 'must be a number' }).positive().max(1e9),
  product_id: z.number({ message: 'must be a number' }).int().positive(),
  product_count: z.number({ message: 'must be a number' }).int().positive().max(1_000_000),
  coupon_id: z.number({ message: 'must be a number' }).int().nonnegative().default(0),
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
