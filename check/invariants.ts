import type { Redis } from 'ioredis';
import type { RowDataPacket } from 'mysql2';
import type { Config } from '../conf/config';
import type { MysqlPool } from '../common/mysql';
import type { Store } from '../coordinator/storage/store';
import type { GlobalRecord } from '../coordinator/model/records';
import { ORIGIN_OP } from '../common/barrier/barrier';
import { isFinished, Op, Status, type OpName } from '../common/protocol/vocabulary';
import { ORDER_GID_PREFIX, ORDER_SAGA_STEPS, orderGid } from '../order/order-request';
import { FLASH_GID_PREFIX } from '../flash/sale';
import { FLASH_PRODUCT_ID, FlashStock } from '../flash/stock';
import { checkMall } from './mall-invariants';
import { FORCE_STOP_REASON } from '../coordinator/service/trans-service';

/** One checked invariant: what was checked, whether it holds, and the evidence. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the checker reads. */
export interface CheckSources {
  conf: Config;
  store: Store;
  orderDb: MysqlPool;
  flashDb: MysqlPool;
  redis: Redis;
  /** Seeded stock per product of the order example (order.sql). */
  initialStock: Record<number, number>;
  /** When set, the flash stock must equal this minus the orders (a run that started from a known stock). */
  flashInitialStock?: number;
  /** The mall example's database; its checks run when given. */
  mallDb?: MysqlPool;
  now?: Date;
}

/** An order runs as a saga (the fire endpoints, submitOrder) or as a workflow (fireWorkflow…). */
const ORDER_TRANS_TYPES = ['saga', 'workflow'];

/** A barrier row of an op that undoes an action: a saga's compensate, a workflow's rollback. */
const undoesAction = (op: unknown) => ORIGIN_OP[op as OpName] === Op.action;

/** A transaction may be unfinished, but not overdue by more than this. */
const OVERDUE_GRACE_MS = 60_000;

const rowsOf = async (pool: MysqlPool, sql: string, values: unknown[] = []) =>
  (await pool.query<RowDataPacket[]>(sql, values))[0];

async function allGlobals(store: Store): Promise<GlobalRecord[]> {
  const all: GlobalRecord[] = [];
  let position = '';
  do {
    const page = await store.scanGlobals(position, 1000);
    all.push(...page.transactions);
    position = page.nextPosition;
  } while (position !== '');
  return all;
}

/**
 * Reads MySQL, Redis and the coordinator's store and checks that everything the examples did is
 * consistent. Read-only.
 */
export async function checkInvariants(src: CheckSources): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const now = src.now ?? new Date();
  const globals = await allGlobals(src.store);
  const byGid = new Map(globals.map((g) => [g.gid, g]));

  const unfinished = globals.filter((g) => !isFinished(g.status));
  const stuck = unfinished.filter((g) => now.getTime() - g.nextCronTime.getTime() > OVERDUE_GRACE_MS);
  results.push({
    name: 'every transaction finished or in flight',
    ok: stuck.length === 0,
    detail: `${globals.length} transactions, ${unfinished.length} unfinished, ${stuck.length} overdue${
      stuck.length
        ? `: ${stuck
            .slice(0, 5)
            .map((g) => `${g.gid} (${g.status})`)
            .join(', ')}`
        : ''
    }`,
  });

  const orders = await rowsOf(
    src.orderDb,
    'SELECT o.order_id, o.status, o.product_id, o.product_count, o.coupon_id, p.status AS pay_status FROM order1 o LEFT JOIN pay p ON p.order_id = o.order_id',
  );
  const paying = orders.filter((o) => o.status === 'PAYING');
  const badPaying = paying.filter(
    (o) => o.pay_status !== 'CREATED' || byGid.get(orderGid(String(o.order_id)))?.status !== Status.succeed,
  );
  const badFailed = orders.filter(
    (o) =>
      o.status === 'FAILED' &&
      (o.pay_status === 'CREATED' || byGid.get(orderGid(String(o.order_id)))?.status === Status.succeed),
  );
  results.push({
    name: 'orders match their transaction and payment',
    ok: badPaying.length === 0 && badFailed.length === 0,
    detail: `${paying.length} PAYING with CREATED payment and succeeded transaction; ${orders.length - paying.length} others; ${badPaying.length + badFailed.length} mismatched${[
      ...badPaying,
      ...badFailed,
    ]
      .slice(0, 3)
      .map((o) => ` ${String(o.order_id)}`)
      .join(',')}`,
  });

  const coupons = await rowsOf(src.orderDb, 'SELECT coupon_id, used FROM user_coupon');
  const couponProblems = coupons.flatMap((c) => {
    const users = paying.filter((o) => Number(o.coupon_id) === Number(c.coupon_id)).length;
    return users === (Number(c.used) === 1 ? 1 : 0)
      ? []
      : [`coupon ${c.coupon_id}: used=${c.used} but ${users} PAYING orders use it`];
  });
  results.push({
    name: 'each used coupon belongs to one live order',
    ok: couponProblems.length === 0,
    detail: couponProblems.join('; ') || `${coupons.length} coupons match`,
  });

  const stock = await rowsOf(src.orderDb, 'SELECT product_id, stock FROM stock');
  const stockMismatch: string[] = [];
  for (const row of stock) {
    const productId = Number(row.product_id);
    const sold = paying
      .filter((o) => Number(o.product_id) === productId)
      .reduce((n, o) => n + Number(o.product_count), 0);
    const initial = src.initialStock[productId];
    if (initial !== undefined && Number(row.stock) + sold !== initial)
      stockMismatch.push(`product ${productId}: stock ${row.stock} + sold ${sold} ≠ ${initial}`);
    if (Number(row.stock) < 0) stockMismatch.push(`product ${productId}: stock below zero`);
  }
  results.push({
    name: 'order stock + sold = initial',
    ok: stockMismatch.length === 0,
    detail: stockMismatch.join('; ') || `${stock.length} products balance`,
  });

  const finishedOrders = globals.filter(
    (g) => ORDER_TRANS_TYPES.includes(g.transType) && g.gid.startsWith(ORDER_GID_PREFIX) && isFinished(g.status),
  );
  const barrierProblems: string[] = [];
  for (const g of finishedOrders) {
    const rows = await rowsOf(
      src.orderDb,
      `SELECT branch_id, op, reason FROM \`${src.conf.barrierDb}\`.barrier WHERE gid=?`,
      [g.gid],
    );
    const applied = rows.filter((r) => r.op === 'action' && r.reason === 'action').length;
    const compensated = rows.filter((r) => undoesAction(r.op)).length;
    if (g.status === Status.succeed && (applied !== ORDER_SAGA_STEPS.length || compensated !== 0))
      barrierProblems.push(`${g.gid}: ${applied} actions, ${compensated} compensations`);
    if (g.status === Status.failed && compensated < applied)
      barrierProblems.push(`${g.gid}: ${applied} actions but ${compensated} compensations${stoppedNote(g)}`);
  }
  results.push({
    name: 'barrier rows match branch outcomes',
    ok: barrierProblems.length === 0,
    detail: barrierProblems.slice(0, 5).join('; ') || `${finishedOrders.length} finished order transactions checked`,
  });

  const flashOrders = await rowsOf(src.flashDb, 'SELECT order_id FROM flash_order');
  const flashStock = new FlashStock(src.redis, src.conf.redis.prefix, FLASH_PRODUCT_ID);
  const deducted =
    flashOrders.length === 0
      ? []
      : await src.redis.mget(...flashOrders.map((o) => flashStock.barrier.msgStepKey(String(o.order_id))));
  const withoutDeduction = flashOrders.filter((_, i) => deducted[i] !== 'op');
  results.push({
    name: 'no flash order without its stock deduction',
    ok: withoutDeduction.length === 0,
    detail: `${flashOrders.length} flash orders, ${withoutDeduction.length} without a deduction`,
  });
  // A failed sale whose unit was taken never gets its order: the stock is lost (forceStop does this).
  const failedSales = globals.filter(
    (g) => g.transType === 'msg' && g.gid.startsWith(FLASH_GID_PREFIX) && g.status === Status.failed,
  );
  const taken =
    failedSales.length === 0
      ? []
      : await src.redis.mget(...failedSales.map((g) => flashStock.barrier.msgStepKey(g.gid)));
  const orderIds = new Set(flashOrders.map((o) => String(o.order_id)));
  const halfApplied = failedSales.filter((g, i) => taken[i] === 'op' && !orderIds.has(g.gid));
  results.push({
    name: 'no failed flash sale kept its unit of stock',
    ok: halfApplied.length === 0,
    detail: `${failedSales.length} failed sales, ${halfApplied.length} half-applied${halfApplied
      .slice(0, 3)
      .map((g) => ` ${g.gid}${stoppedNote(g)}`)
      .join(',')}`,
  });
  if (src.flashInitialStock !== undefined) {
    const left = await flashStock.left();
    const pendingSales = unfinished.filter((g) => g.transType === 'msg' && g.gid.startsWith(FLASH_GID_PREFIX)).length;
    results.push({
      name: 'flash stock + orders = initial, no oversell',
      ok:
        left >= 0 &&
        flashOrders.length <= src.flashInitialStock &&
        (left + flashOrders.length === src.flashInitialStock || pendingSales > 0),
      detail: `stock left ${left}, orders ${flashOrders.length}, initial ${src.flashInitialStock}, messages in flight ${pendingSales}`,
    });
  }
  if (src.mallDb) results.push(...(await checkMall(src.mallDb, byGid)));
  return results;
}

/** Says when a transaction was force-stopped, the usual cause of a half-applied one. */
function stoppedNote(g: GlobalRecord): string {
  return g.rollbackReason === FORCE_STOP_REASON ? ' (force-stopped: its effects are half-applied)' : '';
}

/** The results as a fixed-width table with PASS/FAIL per row. */
export function formatReport(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  return `${lines.join('\n')}\n${failed === 0 ? 'all invariants hold' : `${failed} invariant(s) violated`}`;
}
