import type { RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { BranchBarrier } from '../common/barrier/barrier';
import { route } from '../common/http/branch-result';
import type { Switches } from '../common/http/switches';
import { parseInput } from '../common/http/validate';
import { intField } from '../common/sql-columns';
import type { Logger } from '../common/log';
import { runBatchStory } from './batch-story';
import { FLASH_COLUMNS } from './columns';
import type { FlashOrders } from './orders';
import type { FlashSeller, SaleOutcome } from './sale';
import type { FlashStock } from './stock';

export interface FlashRouteDeps {
  seller: FlashSeller;
  stock: FlashStock;
  orders: FlashOrders;
  switches: Switches;
  log: Logger;
  batchFinalWaitMs: number;
  /** Guards flashReset and the batch story, which delete every order: ADMIN_TOKEN, or this machine only. */
  adminOnly: RequestHandler;
  /** Guards the endpoints only the coordinator calls: BRANCH_SECRET, or this machine only. */
  callersOnly: RequestHandler;
}

const buyerQuery = z.object({ user_id: intField(FLASH_COLUMNS.user_id, 0, { coerce: true }).optional() });
const resetQuery = z.object({ stock: z.coerce.number().int().nonnegative().max(1_000_000_000).default(100) });
const createOrderBody = z.object({
  user_id: intField(FLASH_COLUMNS.user_id, 0),
  product_id: intField(FLASH_COLUMNS.product_id, 1),
});

/** The flash-sale endpoints: the three public sales, the status, and the two endpoints the coordinator calls. */
export function addFlashRoutes(router: Router, deps: FlashRouteDeps): void {
  const buyer = (query: unknown) =>
    parseInput(buyerQuery, query, 'public', 'query').user_id ?? Math.floor(Math.random() * 1e6);

  // A pending outcome is answered 202 Accepted: taken in, not decided yet.
  const answer = async (res: Response, outcome: SaleOutcome) =>
    res.status(outcome.status === 'pending' ? 202 : 200).json({ ...outcome, stock_left: await deps.stock.left() });
  const sell = route(async (req, res) => answer(res, await deps.seller.sell(buyer(req.query))));
  router.get('/api/busi/flashSales', sell);
  router.post('/api/busi/flashSales', sell);

  const crash = route(async (req, res) => answer(res, await deps.seller.sellAndCrash(buyer(req.query))));
  router.get('/api/busi/flashSales-crash', crash);
  router.post('/api/busi/flashSales-crash', crash);

  const batch = route(async () => runBatchStory({ ...deps, finalWaitMs: deps.batchFinalWaitMs }));
  // The batch story starts by resetting the stock and deleting every order, so it is guarded as flashReset is.
  router.get('/api/busi/flashSales-batch', deps.adminOnly, batch);
  router.post('/api/busi/flashSales-batch', deps.adminOnly, batch);

  router.get(
    '/api/busi/flashStatus',
    route(async () => ({ stock_left: await deps.stock.left(), orders: await deps.orders.count() })),
  );

  const reset = route(async (req) => {
    const { stock } = parseInput(resetQuery, req.query, 'public', 'query');
    await deps.stock.reset(stock);
    return { stock_left: stock, orders_removed: await deps.orders.deleteAll() };
  });
  router.get('/api/busi/flashReset', deps.adminOnly, reset);
  router.post('/api/busi/flashReset', deps.adminOnly, reset);

  // Called by the coordinator: query-back of a prepared sale, and the message's only branch.
  router.get(
    '/api/busi/redisQueryPrepared',
    deps.callersOnly,
    route(async (req) => {
      const { gid } = BranchBarrier.fromQuery(req.query);
      await deps.switches.run('redisQueryPrepared', () => deps.stock.barrier.queryPrepared(gid));
    }),
  );
  router.post(
    '/api/busi/createOrder',
    deps.callersOnly,
    route(async (req) => {
      const bb = BranchBarrier.fromQuery(req.query);
      const body = parseInput(createOrderBody, req.body, 'branch');
      await deps.switches.run('createOrder', () => deps.orders.create(bb, body.user_id, body.product_id));
    }),
  );
}
