import { randomBytes } from 'node:crypto';
import type { Request, Router } from 'express';
import { z } from 'zod';
import { route } from '../common/http/branch-result';
import { parseInput } from '../common/http/validate';
import { outcomeAnswer } from '../common/sdk/query';
import type { OrderRequest } from './order-request';

/** How many units the fire endpoints' failing stories ask for: more than the seeded stock. */
export const TOO_MANY_UNITS = 1000;

/** The query a fire endpoint that takes a coupon reads: `?coupon_id=100`. */
const couponQuery = z.object({ coupon_id: z.coerce.number().int().nonnegative().optional() });

/** The coupon a fire request names, 0 (none) when it names none. @throws InvalidInput naming coupon_id. */
export function couponOf(req: Request): number {
  return parseInput(couponQuery, req.query, 'public', 'query').coupon_id ?? 0;
}

/** A ready-made order: user 1 buys one unit of product 1 for 100, under a fresh id starting with `idPrefix`. */
export function demoOrder(idPrefix: string, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    user_id: 1,
    order_id: `${idPrefix}-${randomBytes(6).toString('hex')}`,
    amount: 100,
    product_id: 1,
    product_count: 1,
    coupon_id: 0,
    ...overrides,
  };
}

/**
 * Serves a fire endpoint on GET and POST (curl and the dashboard's buttons): it builds its order from the
 * request, runs it, and answers with what `run` resolves to.
 */
export function addFireRoute(
  router: Router,
  path: string,
  make: (req: Request) => OrderRequest,
  run: (order: OrderRequest) => Promise<unknown>,
): void {
  const handler = route(async (req) => run(make(req)));
  router.get(path, handler);
  router.post(path, handler);
}

/** Where a fire endpoint reads its transaction's outcome: the coordinator, how long to wait, the admin token. */
export interface OutcomeSource {
  dtm: string;
  outcomeWaitMs: number;
  dtmHeaders: Record<string, string>;
}

/** A fire endpoint's answer: the transaction's outcome (waited for), the order, and the rows it left. */
export async function fireAnswer(src: OutcomeSource, gid: string, req: OrderRequest, rows: () => Promise<unknown>) {
  return {
    ...(await outcomeAnswer(src.dtm, gid, src.outcomeWaitMs, src.dtmHeaders)),
    request: req,
    rows: await rows(),
  };
}
