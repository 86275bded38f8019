import type { Logger } from '../common/log';
import { pollUntil } from '../common/poll';
import type { FlashOrders } from './orders';
import { CRASH_TIMEOUT_SECONDS, type FlashSeller, type SaleOutcome } from './sale';
import type { FlashStock } from './stock';

export const BATCH_STOCK = 4;
export const BATCH_BUYERS = 10;

export interface BatchDeps {
  seller: FlashSeller;
  stock: FlashStock;
  orders: FlashOrders;
  log: Logger;
  /** How long to wait for the crashed sale's order before reporting without it. */
  finalWaitMs: number;
}

/** What the batch story saw, step by step. */
export interface BatchReport {
  stock_initial: number;
  crashed_sale: SaleOutcome;
  buyers: number;
  sales: { ordered: number; sold_out: number; pending: number };
  orders_after_sales: number;
  orders_final: number;
  stock_left: number;
  oversold: boolean;
  consistent: boolean;
  elapsed_ms: { sales: number; orders_after_sales: number; crashed_order: number | null };
  steps: string[];
}

/** The order count once it reaches `want`, or whatever it is after `timeoutMs`. */
function waitForOrders(orders: FlashOrders, want: number, timeoutMs: number): Promise<number> {
  return pollUntil(
    () => orders.count(),
    (seen) => seen >= want,
    timeoutMs,
  );
}

/**
 * Replays the flash-sale story: stock 4, one buyer whose process "crashes" after taking a unit, then 10
 * buyers at once. Three orders appear at once; the fourth appears once the coordinator's timeout and
 * query-back resolve the crashed sale; stock ends at 0 and nobody gets a unit that was not there.
 */
export async function runBatchStory(deps: BatchDeps): Promise<BatchReport> {
  const started = Date.now();
  const steps: string[] = [];
  const step = (text: string) => {
    steps.push(`+${Date.now() - started} ms ${text}`);
    deps.log.info({ event: 'flash.batch', elapsed_ms: Date.now() - started }, text);
  };

  await deps.stock.reset(BATCH_STOCK);
  const removed = await deps.orders.deleteAll();
  step(`stock reset to ${BATCH_STOCK}, ${removed} old orders removed`);

  const crashed = await deps.seller.sellAndCrash(0);
  step(
    `buyer 0 took a unit and crashed before submitting (${crashed.gid}); the coordinator will ask back after ${CRASH_TIMEOUT_SECONDS} s`,
  );

  const outcomes = await Promise.all(Array.from({ length: BATCH_BUYERS }, (_, i) => deps.seller.sell(i + 1)));
  const ordered = outcomes.filter((o) => o.status === 'ordered').length;
  const pending = outcomes.filter((o) => o.status === 'pending').length;
  const soldOut = outcomes.filter((o) => o.status === 'sold_out').length;
  const salesMs = Date.now() - started;
  step(
    `${BATCH_BUYERS} concurrent buyers: ${ordered} ordered, ${soldOut} sold out${pending ? `, ${pending} pending` : ''}`,
  );

  const afterSales = await waitForOrders(deps.orders, ordered, 10_000);
  const afterSalesMs = Date.now() - started;
  step(`${afterSales} orders in MySQL from the normal sales`);

  const final = await waitForOrders(deps.orders, afterSales + 1, deps.finalWaitMs);
  const crashedOrderMs = final > afterSales ? Date.now() - started : null;
  step(
    final > afterSales
      ? `the crashed sale's order appeared: ${final} orders`
      : `the crashed sale's order did not appear within ${deps.finalWaitMs} ms`,
  );

  const stockLeft = await deps.stock.left();
  const report: BatchReport = {
    stock_initial: BATCH_STOCK,
    crashed_sale: crashed,
    buyers: BATCH_BUYERS,
    sales: { ordered, sold_out: soldOut, pending },
    orders_after_sales: afterSales,
    orders_final: final,
    stock_left: stockLeft,
    oversold: final > BATCH_STOCK || stockLeft < 0,
    consistent: final + stockLeft === BATCH_STOCK,
    elapsed_ms: { sales: salesMs, orders_after_sales: afterSalesMs, crashed_order: crashedOrderMs },
    steps,
  };
  step(`done: ${final} orders, stock left ${stockLeft}, ${report.consistent ? 'consistent' : 'INCONSISTENT'}`);
  return report;
}
