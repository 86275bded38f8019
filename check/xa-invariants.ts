import type { RowDataPacket } from 'mysql2';
import type { MysqlPool } from '../common/mysql';
import { isFinished, Status } from '../common/protocol/vocabulary';
import { preparedXids } from '../common/sdk/xa-branch';
import type { GlobalRecord } from '../coordinator/model/records';
import { ORDER_GID_PREFIX, orderGid } from '../order/order-request';
import { XA_ORDER_STATUS } from '../order/xa';
import type { CheckResult } from './result';

/** What the XA checks read. */
export interface XaCheckSources {
  orderDb: MysqlPool;
  /** The XA demo's stock database (STOCK_DB). */
  stockDb: MysqlPool;
  /** Seeded stock per product; the stock database starts from the same seed as the order database. */
  initialStock: Record<number, number>;
}

/** The gid of an XA branch's xid `<gid>-<branch_id>` (branch ids hold no `-`). */
function gidOfXid(xid: string): string {
  return xid.slice(0, xid.lastIndexOf('-'));
}

/**
 * The XA demo's invariants: an XA order row exists exactly when its transaction committed (or is
 * committing), the stock database balances against those orders, and no branch of a finished XA
 * transaction is still prepared in MySQL. `XA RECOVER` lists the whole server, so only xids whose gid
 * belongs to a transaction in `globals` count. Read-only.
 */
export async function checkXaInvariants(src: XaCheckSources, globals: GlobalRecord[]): Promise<CheckResult[]> {
  const byGid = new Map(globals.map((g) => [g.gid, g]));
  const xaOrderTrans = globals.filter((g) => g.transType === 'xa' && g.gid.startsWith(ORDER_GID_PREFIX));
  const inFlight = xaOrderTrans.filter((g) => !isFinished(g.status)).length;
  const [orders] = await src.orderDb.query<RowDataPacket[]>(
    'SELECT order_id, product_id, product_count FROM order1 WHERE status=?',
    [XA_ORDER_STATUS],
  );
  const orderGids = new Set(orders.map((o) => orderGid(String(o.order_id))));

  const committing: readonly string[] = [Status.submitted, Status.succeed];
  const orphans = orders.filter((o) => !committing.includes(byGid.get(orderGid(String(o.order_id)))?.status ?? ''));
  const lost = xaOrderTrans.filter((g) => g.status === Status.succeed && !orderGids.has(g.gid));
  const results: CheckResult[] = [
    {
      name: 'XA orders match their transaction',
      ok: orphans.length === 0 && lost.length === 0,
      detail: `${orders.length} XA orders, ${xaOrderTrans.length} XA order transactions; ${orphans.length} orders without a committed transaction, ${lost.length} committed without an order${[
        ...orphans.map((o) => String(o.order_id)),
        ...lost.map((g) => g.gid),
      ]
        .slice(0, 3)
        .map((id) => ` ${id}`)
        .join(',')}`,
    },
  ];

  const [stock] = await src.stockDb.query<RowDataPacket[]>('SELECT product_id, stock FROM stock');
  const mismatch = stock.flatMap((row) => {
    const productId = Number(row.product_id);
    const sold = orders
      .filter((o) => Number(o.product_id) === productId)
      .reduce((n, o) => n + Number(o.product_count), 0);
    const initial = src.initialStock[productId];
    if (Number(row.stock) < 0) return [`product ${productId}: stock below zero`];
    return initial === undefined || Number(row.stock) + sold === initial
      ? []
      : [`product ${productId}: stock ${row.stock} + sold ${sold} ≠ ${initial}`];
  });
  results.push({
    name: 'XA stock + XA orders = initial',
    // Between the two commits of one transaction the databases disagree for a moment.
    ok: mismatch.length === 0 || (inFlight > 0 && !mismatch.some((m) => m.includes('below zero'))),
    detail: `${mismatch.join('; ') || `${stock.length} products balance`}; ${inFlight} XA transactions in flight`,
  });

  const prepared = (await preparedXids(src.orderDb)).filter((xid) => byGid.get(gidOfXid(xid))?.transType === 'xa');
  const stranded = prepared.filter((xid) => isFinished(byGid.get(gidOfXid(xid))!.status));
  results.push({
    name: 'no XA branch of a finished transaction left prepared',
    ok: stranded.length === 0,
    detail: `XA RECOVER lists ${prepared.length} branches of these transactions, ${stranded.length} of finished ones${stranded
      .slice(0, 3)
      .map((x) => ` ${x}`)
      .join(',')}`,
  });
  return results;
}
