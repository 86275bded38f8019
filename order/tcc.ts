import { randomBytes } from 'node:crypto';
import type { RequestHandler, Router } from 'express';
import type { ResultSetHeader } from 'mysql2';
import { BranchBarrier } from '../common/barrier/barrier';
import type { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { BranchFailure, DtmError } from '../common/errors';
import { route } from '../common/http/branch-result';
import type { Switches } from '../common/http/switches';
import { parseInput } from '../common/http/validate';
import type { MysqlConnection, MysqlPool } from '../common/mysql';
import { outcomeAnswer } from '../common/sdk/query';
import { tccGlobalTransaction } from '../common/sdk/tcc';
import { orderGid, orderRequestSchema, type OrderRequest } from './order-request';
import { orderSnapshot } from './routes';

/** The order row's status while its TCC holds it: confirm makes it PAYING, cancel FAILED. */
export const TCC_ORDER_STATUS = 'TRYING';

/** The TCC's resources, in the order their tries run (branch 01, 02, …, as the saga's steps). */
export const TCC_RESOURCES = ['order', 'stock', 'coupon', 'pay'] as const;
type Resource = (typeof TCC_RESOURCES)[number];
type Phase = 'Try' | 'Confirm' | 'Cancel';

type TccWork = (conn: MysqlConnection, req: OrderRequest) => Promise<void>;

async function affected(conn: MysqlConnection, sql: string, values: unknown[]): Promise<number> {
  const [res] = await conn.execute<ResultSetHeader>(sql, values as never);
  return res.affectedRows;
}

/**
 * What each phase does to each table. A try reserves (the order and payment rows exist as TRYING, the
 * units leave the stock, the coupon is marked used), a confirm makes the reservation final, a cancel
 * gives it back. A confirm or cancel never refuses: the coordinator retries them until they succeed.
 */
const WORK: Record<Resource, Record<Phase, TccWork>> = {
  order: {
    async Try(conn, r) {
      try {
        await conn.execute(
          'INSERT INTO order1 (user_id, order_id, product_id, product_count, amount, coupon_id, status) VALUES (?,?,?,?,?,?,?)',
          [r.user_id, r.order_id, r.product_id, r.product_count, r.amount, r.coupon_id, TCC_ORDER_STATUS],
        );
      } catch (err) {
        if ((err as { code?: string }).code === 'ER_DUP_ENTRY')
          throw new BranchFailure(`order ${r.order_id} exists already`, { field: 'order_id' });
        throw err;
      }
    },
    async Confirm(conn, r) {
      await conn.execute(`UPDATE order1 SET status='PAYING', update_time=now() WHERE order_id=? AND status=?`, [
        r.order_id,
        TCC_ORDER_STATUS,
      ]);
    },
    async Cancel(conn, r) {
      await conn.execute(`UPDATE order1 SET status='FAILED', update_time=now() WHERE order_id=?`, [r.order_id]);
    },
  },
  stock: {
    async Try(conn, r) {
      const n = await affected(
        conn,
        'UPDATE stock SET stock=stock-?, update_time=now() WHERE product_id=? AND stock>=?',
        [r.product_count, r.product_id, r.product_count],
      );
      if (n === 0)
        throw new BranchFailure(`product ${r.product_id} has fewer than ${r.product_count} in stock`, {
          field: 'product_count',
        });
    },
    // The units left the stock in the try; confirming keeps them out.
    async Confirm() {},
    async Cancel(conn, r) {
      await conn.execute('UPDATE stock SET stock=stock+?, update_time=now() WHERE product_id=?', [
        r.product_count,
        r.product_id,
      ]);
    },
  },
  coupon: {
    async Try(conn, r) {
      if (r.coupon_id === 0) return;
      const n = await affected(
        conn,
        'UPDATE user_coupon SET used=1, update_time=now() WHERE coupon_id=? AND user_id=? AND used=0',
        [r.coupon_id, r.user_id],
      );
      if (n === 0)
        throw new BranchFailure(`coupon ${r.coupon_id} is not an unused coupon of user ${r.user_id}`, {
          field: 'coupon_id',
        });
    },
    async Confirm() {},
    async Cancel(conn, r) {
      if (r.coupon_id === 0) return;
      await conn.execute(
        'UPDATE user_coupon SET used=0, update_time=now() WHERE coupon_id=? AND user_id=? AND used=1',
        [r.coupon_id, r.user_id],
      );
    },
  },
  pay: {
    async Try(conn, r) {
      await conn.execute(`INSERT INTO pay (user_id, order_id, amount, status) VALUES (?,?,?,'TRYING')`, [
        r.user_id,
        r.order_id,
        r.amount,
      ]);
    },
    async Confirm(conn, r) {
      await conn.execute(`UPDATE pay SET status='CREATED', update_time=now() WHERE order_id=? AND status='TRYING'`, [
        r.order_id,
      ]);
    },
    async Cancel(conn, r) {
      await conn.execute(`UPDATE pay SET status='CANCELED', update_time=now() WHERE order_id=?`, [r.order_id]);
    },
  },
};

/** The endpoint of one phase of one resource, under /api/busi: `orderTry`, `stockCancel`, … */
export const tccEndpoint = (resource: Resource, phase: Phase): string => `${resource}${phase}`;

export interface TccDeps {
  pool: MysqlPool;
  barrier: MysqlBarrier;
  switches: Switches;
  /** Lets through only calls that carry the branch secret (tries from the examples, the coordinator's phase 2). */
  callersOnly: RequestHandler;
  dtm: string;
  busiUrl: () => string;
  outcomeWaitMs: number;
  /** The branch secret: sent with the tries and, as branch_headers, with every confirm and cancel. */
  branchHeaders: Record<string, string>;
  /** The admin token, for reading the outcome back from the coordinator. */
  dtmHeaders: Record<string, string>;
}

/**
 * The order as a TCC transaction: twelve branch endpoints (a try, a confirm and a cancel per resource),
 * each inside the MySQL barrier, so a repeated confirm or cancel changes nothing, a cancel that arrives
 * before its try plants the try's row (a null compensation) and the late try then does nothing; and
 * fireTcc / fireTccFailed, which run one and answer with the outcome and the rows it left.
 */
export function addTccRoutes(router: Router, deps: TccDeps): void {
  for (const resource of TCC_RESOURCES)
    for (const phase of ['Try', 'Confirm', 'Cancel'] as const) {
      const name = tccEndpoint(resource, phase);
      router.post(
        `/api/busi/${name}`,
        deps.callersOnly,
        route(async (req) => {
          const bb = BranchBarrier.fromQuery(req.query);
          const body = parseInput(orderRequestSchema, req.body, 'branch');
          await deps.switches.run(name, () => deps.barrier.call(bb, (conn) => WORK[resource][phase](conn, body)));
        }),
      );
    }

  const fire = async (req: OrderRequest) => {
    const gid = orderGid(req.order_id);
    const busi = deps.busiUrl();
    const url = (resource: Resource, phase: Phase) => `${busi}/${tccEndpoint(resource, phase)}`;
    try {
      await tccGlobalTransaction(
        deps.dtm,
        gid,
        async (tcc) => {
          for (const resource of TCC_RESOURCES)
            await tcc.callBranch(req, url(resource, 'Try'), url(resource, 'Confirm'), url(resource, 'Cancel'));
        },
        { waitResult: true, branchHeaders: deps.branchHeaders },
      );
    } catch (err) {
      // A refusing try aborts the transaction (its cancels run); a lost submit leaves it to the timeout.
      // The outcome is read back below either way.
      if (!(err instanceof DtmError)) throw err;
    }
    return {
      ...(await outcomeAnswer(deps.dtm, gid, deps.outcomeWaitMs, deps.dtmHeaders)),
      request: req,
      rows: await orderSnapshot(deps.pool, req),
    };
  };
  const order = (productCount: number): OrderRequest => ({
    user_id: 1,
    order_id: `tcc-${randomBytes(6).toString('hex')}`,
    amount: 100,
    product_id: 1,
    product_count: productCount,
    coupon_id: 0,
  });
  for (const [path, productCount] of [
    ['/api/fireTcc', 1],
    ['/api/fireTccFailed', 1000],
  ] as const) {
    const handler = route(async () => fire(order(productCount)));
    router.get(path, handler);
    router.post(path, handler);
  }
}
