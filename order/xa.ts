import type { RequestHandler, Router } from 'express';
import type { RowDataPacket } from 'mysql2';
import { DtmError } from '../common/errors';
import { branchIdOf } from '../common/protocol/vocabulary';
import { route } from '../common/http/branch-result';
import type { Switches } from '../common/http/switches';
import { parseInput } from '../common/http/validate';
import type { MysqlPool } from '../common/mysql';
import { xaGlobalTransaction } from '../common/sdk/xa';
import { preparedXids, xaLocalTransaction, xidOf } from '../common/sdk/xa-branch';
import { addFireRoute, demoOrder, fireAnswer, TOO_MANY_UNITS } from './fire';
import { orderGid, orderRequestSchema, type OrderRequest } from './order-request';
import { insertOrder, takeStock, type OrderWork } from './order-sql';

/** The status of an order written by the XA demo: the row exists only once its XA transaction committed. */
export const XA_ORDER_STATUS = 'CREATED';

/** The XA demo's two branches, in call order: each is one XA transaction in its own database. */
export const XA_BRANCHES = ['xaOrderCreate', 'xaStockDeduct'] as const;

export interface XaDeps {
  orderPool: MysqlPool;
  /** The stock service's database (STOCK_DB). */
  stockPool: MysqlPool;
  barrierDb: string;
  switches: Switches;
  dtm: string;
  busiUrl: () => string;
  outcomeWaitMs: number;
  /** Lets through only calls that carry the branch secret (the branch endpoints). */
  callersOnly: RequestHandler;
  /** The branch secret: sent on the calls of the global side and, as branch_headers, on phase 2. */
  branchHeaders: Record<string, string>;
  /** The admin token, for reading the outcome back from the coordinator. */
  dtmHeaders: Record<string, string>;
}

const WORK: Record<(typeof XA_BRANCHES)[number], { db: 'orderPool' | 'stockPool'; work: OrderWork }> = {
  xaOrderCreate: { db: 'orderPool', work: (conn, r) => insertOrder(conn, r, XA_ORDER_STATUS) },
  xaStockDeduct: { db: 'stockPool', work: takeStock },
};

/**
 * The XA demo: an order row in the order database and the stock deduction in the stock database, each
 * an XA branch (its endpoint serves the action and, for the coordinator, commit and rollback), and the
 * endpoints fireXa and fireXaFailed that run one and answer with the outcome and the rows it left.
 */
export function addXaRoutes(router: Router, deps: XaDeps): void {
  for (const name of XA_BRANCHES) {
    const { db, work } = WORK[name];
    router.post(
      `/api/busi/${name}`,
      deps.callersOnly,
      route(async (req) => {
        await deps.switches.run(name, () =>
          xaLocalTransaction(
            req.query,
            deps[db],
            // The body is read only for the action: phase 2 is called without one.
            (conn) => work(conn, parseInput(orderRequestSchema, req.body, 'branch')),
            { barrierDb: deps.barrierDb },
          ),
        );
      }),
    );
  }

  const fire = async (req: OrderRequest) => {
    const gid = orderGid(req.order_id);
    const busi = deps.busiUrl();
    try {
      await xaGlobalTransaction(
        deps.dtm,
        gid,
        async (xa) => {
          for (const name of XA_BRANCHES) await xa.callBranch(req, `${busi}/${name}`);
        },
        { waitResult: true, branchHeaders: deps.branchHeaders },
      );
    } catch (err) {
      // A refusing branch aborts the transaction, a failed or pending phase 2 is reported by submit;
      // the outcome is read back below either way.
      if (!(err instanceof DtmError)) throw err;
    }
    return fireAnswer(deps, gid, req, () => xaSnapshot(deps, req));
  };
  addFireRoute(router, '/api/fireXa', () => demoOrder('xa'), fire);
  addFireRoute(router, '/api/fireXaFailed', () => demoOrder('xa', { product_count: TOO_MANY_UNITS }), fire);
}

/** What an XA order left: its row, the stock in the stock database, and its branches still prepared. */
async function xaSnapshot(deps: XaDeps, req: OrderRequest) {
  const one = async (pool: MysqlPool, sql: string, values: unknown[]) =>
    (await pool.query<RowDataPacket[]>(sql, values))[0][0] ?? null;
  const stock = await one(deps.stockPool, 'SELECT stock FROM stock WHERE product_id=?', [req.product_id]);
  const gid = orderGid(req.order_id);
  const prepared = await preparedXids(deps.orderPool);
  return {
    order: await one(deps.orderPool, 'SELECT order_id, status, product_count, amount FROM order1 WHERE order_id=?', [
      req.order_id,
    ]),
    stock_left: stock ? Number(stock.stock) : null,
    xa_prepared: prepared.filter((xid) => XA_BRANCHES.some((_, i) => xid === xidOf(gid, branchIdOf(i)))),
  };
}
