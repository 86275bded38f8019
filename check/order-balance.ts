import type { RowDataPacket } from 'mysql2';
import { ORIGIN_OP } from '../common/barrier/barrier';
import { branchIdOf, isFinished, Op, Status, type OpName } from '../common/protocol/vocabulary';
import { ORDER_GID_PREFIX, ORDER_SAGA_STEPS, orderGid, TCC_ORDER_STATUS } from '../order/order-request';
import { rowsOf, sample, stoppedNote, type CheckContext, type CheckResult } from './result';

/** The branch id of the step that takes stock (a saga's step, a workflow's or a TCC's branch: the same order). */
const STOCK_BRANCH = branchIdOf(ORDER_SAGA_STEPS.indexOf('stockDeduct'));

/** An order runs as a saga (the fire endpoints, submitOrder), a workflow (fireWorkflow…) or a TCC (fireTcc…). */
const ORDER_TRANS_TYPES = ['saga', 'workflow', 'tcc'];

/** The ops that take effect first (a saga's or workflow's action, a TCC's try) and the ops that undo them. */
const DOING_OPS: OpName[] = [Op.action, Op.try];
const UNDO_OPS = (Object.keys(ORIGIN_OP) as OpName[]).filter((op) => DOING_OPS.includes(ORIGIN_OP[op]!));
const undoesAction = (op: unknown) => UNDO_OPS.includes(op as OpName);
/** A barrier row of an action or try that ran (not one a null compensation planted). */
const applied = (r: RowDataPacket) => DOING_OPS.includes(r.op as OpName) && r.reason === r.op;

/** Stock an order transaction holds: its deduction (an action or a try) ran and was not undone. */
interface Held {
  gid: string;
  productId: number;
  count: number;
  /** The order row's status, or undefined when the order was never created. */
  orderStatus: string | undefined;
}

/**
 * The sagas, workflows and TCCs that hold stock in the order database (an XA order's stock is in its own
 * database, checked by xa-invariants), read from the barrier table; the quantities come from the order row
 * (`orders`, by gid), or, for an order never created, from the transaction's stored payload.
 * @returns what is held, and the gids whose quantity could not be found.
 */
async function heldStock(
  ctx: CheckContext,
  orders: ReadonlyMap<string, RowDataPacket>,
): Promise<{ held: Held[]; unknown: string[] }> {
  const { src } = ctx;
  const rows = await rowsOf(
    src.orderDb,
    `SELECT gid, MAX(op IN (?) AND reason=op) AS taken, MAX(op IN (?)) AS given_back
       FROM \`${src.conf.barrierDb}\`.barrier WHERE trans_type IN (?) AND branch_id=? AND gid LIKE ? GROUP BY gid`,
    [DOING_OPS, UNDO_OPS, ORDER_TRANS_TYPES, STOCK_BRANCH, `${ORDER_GID_PREFIX}%`],
  );
  const held: Held[] = [];
  const unknown: string[] = [];
  for (const r of rows) {
    if (Number(r.taken) !== 1 || Number(r.given_back) === 1) continue;
    const gid = String(r.gid);
    const order = orders.get(gid);
    if (order) {
      held.push({
        gid,
        productId: Number(order.product_id),
        count: Number(order.product_count),
        orderStatus: String(order.status),
      });
      continue;
    }
    // A saga's action and a TCC's cancel carry the branch's payload.
    const branch = (await src.store.findBranches(gid)).find(
      (b) => b.branchId === STOCK_BRANCH && (b.op === Op.action || b.op === Op.cancel),
    );
    const payload = branch ? (JSON.parse(branch.data) as { product_id?: number; product_count?: number }) : {};
    if (payload.product_id === undefined || payload.product_count === undefined) unknown.push(gid);
    else held.push({ gid, productId: payload.product_id, count: payload.product_count, orderStatus: undefined });
  }
  return { held, unknown };
}

/**
 * The order example: each order matches its transaction and payment, coupons, the stock balance counting
 * every unit an order transaction holds (including units taken for an order never created), barrier rows.
 */
export async function checkOrders(ctx: CheckContext): Promise<CheckResult[]> {
  const { src, byGid } = ctx;
  const results: CheckResult[] = [];
  const orders = await rowsOf(
    src.orderDb,
    'SELECT o.order_id, o.status, o.product_id, o.product_count, o.coupon_id, p.status AS pay_status FROM order1 o LEFT JOIN pay p ON p.order_id = o.order_id',
  );
  const paying = orders.filter((o) => o.status === 'PAYING');
  const transOf = (o: RowDataPacket) => byGid.get(orderGid(String(o.order_id)));
  const badPaying = paying.filter((o) => o.pay_status !== 'CREATED' || transOf(o)?.status !== Status.succeed);
  const badFailed = orders.filter(
    (o) => o.status === 'FAILED' && (o.pay_status === 'CREATED' || transOf(o)?.status === Status.succeed),
  );
  // A TCC's try leaves its order and payment TRYING; its confirm or cancel must move both once it ends.
  const inFlight = (o: RowDataPacket) => {
    const trans = transOf(o);
    return trans !== undefined && !isFinished(trans.status);
  };
  const badTrying = orders.filter(
    (o) => (o.status === TCC_ORDER_STATUS || o.pay_status === TCC_ORDER_STATUS) && !inFlight(o),
  );
  const mismatched = [...badPaying, ...badFailed, ...badTrying].map((o) => String(o.order_id));
  results.push({
    name: 'orders match their transaction and payment',
    ok: mismatched.length === 0,
    detail: `${paying.length} PAYING with CREATED payment and succeeded transaction; ${orders.length - paying.length} others; ${mismatched.length} mismatched${mismatched.length ? `: ${sample(mismatched, 3)}` : ''}`,
  });

  const coupons = await rowsOf(src.orderDb, 'SELECT coupon_id, used FROM user_coupon');
  const couponProblems = coupons.flatMap((c) => {
    const usedBy = (o: RowDataPacket) => Number(o.coupon_id) === Number(c.coupon_id);
    // A TCC in flight may hold the coupon while its order is still TRYING: judged once it ends.
    if (orders.some((o) => usedBy(o) && o.status === TCC_ORDER_STATUS && inFlight(o))) return [];
    const users = paying.filter(usedBy).length;
    return users === (Number(c.used) === 1 ? 1 : 0)
      ? []
      : [`coupon ${c.coupon_id}: used=${c.used} but ${users} PAYING orders use it`];
  });
  results.push({
    name: 'each used coupon belongs to one live order',
    ok: couponProblems.length === 0,
    detail: couponProblems.join('; ') || `${coupons.length} coupons match`,
  });

  const { held, unknown } = await heldStock(ctx, new Map(orders.map((o) => [orderGid(String(o.order_id)), o])));
  const stock = await rowsOf(src.orderDb, 'SELECT product_id, stock FROM stock');
  const stockMismatch: string[] = unknown.map((gid) => `${gid} holds stock of an unknown quantity`);
  for (const row of stock) {
    const productId = Number(row.product_id);
    const taken = held.filter((h) => h.productId === productId).reduce((n, h) => n + h.count, 0);
    const initial = src.initialStock[productId];
    if (initial !== undefined && Number(row.stock) + taken !== initial)
      stockMismatch.push(`product ${productId}: stock ${row.stock} + held by order transactions ${taken} ≠ ${initial}`);
    if (Number(row.stock) < 0) stockMismatch.push(`product ${productId}: stock below zero`);
  }
  results.push({
    name: 'order stock + stock held by order transactions = initial',
    ok: stockMismatch.length === 0,
    detail:
      stockMismatch.join('; ') || `${stock.length} products balance, ${held.length} order transactions hold stock`,
  });

  // A saga still moving may hold stock for an order it is about to undo; a finished one may not.
  const orphaned = held.filter((h) => {
    const saga = byGid.get(h.gid);
    const inFlight = saga !== undefined && !isFinished(saga.status);
    return !inFlight && (h.orderStatus === undefined || h.orderStatus === 'FAILED');
  });
  results.push({
    name: 'no stock held for an order that was never created or failed',
    ok: orphaned.length === 0,
    detail: orphaned.length
      ? sample(
          orphaned.map(
            (h) => `${h.gid} holds ${h.count} of product ${h.productId} (order ${h.orderStatus ?? 'never created'})`,
          ),
        )
      : `${held.length} holdings, each for a live order or a saga in flight`,
  });

  const finishedOrders = [...byGid.values()].filter(
    (g) => ORDER_TRANS_TYPES.includes(g.transType) && g.gid.startsWith(ORDER_GID_PREFIX) && isFinished(g.status),
  );
  const barrierProblems: string[] = [];
  for (const g of finishedOrders) {
    const rows = await rowsOf(
      src.orderDb,
      `SELECT branch_id, op, reason FROM \`${src.conf.barrierDb}\`.barrier WHERE gid=?`,
      [g.gid],
    );
    const done = rows.filter(applied).length;
    const compensated = rows.filter((r) => undoesAction(r.op)).length;
    const confirmed = rows.filter((r) => r.op === Op.confirm).length;
    const steps = ORDER_SAGA_STEPS.length;
    // A TCC that succeeded confirmed every try; one that failed confirmed none.
    const confirmsWanted = g.transType === 'tcc' && g.status === Status.succeed ? steps : 0;
    if (g.status === Status.succeed && (done !== steps || compensated !== 0))
      barrierProblems.push(`${g.gid}: ${done} actions or tries, ${compensated} compensations or cancels`);
    if (g.status === Status.failed && compensated < done)
      barrierProblems.push(
        `${g.gid}: ${done} actions or tries but ${compensated} compensations or cancels${stoppedNote(g)}`,
      );
    if (confirmed !== confirmsWanted)
      barrierProblems.push(`${g.gid}: ${confirmed} confirms of a ${g.status} ${g.transType}${stoppedNote(g)}`);
  }
  results.push({
    name: 'barrier rows match branch outcomes',
    ok: barrierProblems.length === 0,
    detail:
      sample(barrierProblems) ||
      `${finishedOrders.length} finished order transactions checked (${ORDER_TRANS_TYPES.map(
        (t) => `${t} ${finishedOrders.filter((g) => g.transType === t).length}`,
      ).join(', ')})`,
  });
  return results;
}
