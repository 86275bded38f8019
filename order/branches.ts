import type { RequestHandler, Router } from 'express';
import type { ResultSetHeader } from 'mysql2';
import { BranchBarrier } from '../common/barrier/barrier';
import type { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { BranchFailure } from '../common/errors';
import { route } from '../common/http/branch-result';
import type { Switches } from '../common/http/switches';
import { parseInput } from '../common/http/validate';
import type { MysqlConnection } from '../common/mysql';
import { orderRequestSchema, type OrderRequest } from './order-request';

export interface BranchDeps {
  barrier: MysqlBarrier;
  switches: Switches;
  /** Refuses calls that do not come from the coordinator (BRANCH_SECRET); they change nothing. */
  callersOnly: RequestHandler;
}

type BranchWork = (conn: MysqlConnection, req: OrderRequest) => Promise<void>;

async function affected(conn: MysqlConnection, sql: string, values: unknown[]): Promise<number> {
  const [res] = await conn.execute<ResultSetHeader>(sql, values as never);
  return res.affectedRows;
}

/**
 * The saga's eight branch endpoints. Each runs its SQL inside the MySQL barrier, so duplicate, late and
 * out-of-order deliveries are harmless. Input the branch can never accept answers 409 FAILURE (a 400
 * would be retried forever); actions answer FAILURE when the business says no, compensations never do.
 */
export function addOrderBranches(router: Router, deps: BranchDeps): void {
  const branch = (name: string, work: BranchWork) =>
    router.post(
      `/api/busi/${name}`,
      deps.callersOnly,
      route(async (req) => {
        const bb = BranchBarrier.fromQuery(req.query);
        const body = parseInput(orderRequestSchema, req.body, 'branch');
        await deps.switches.run(name, () => deps.barrier.call(bb, (conn) => work(conn, body)));
      }),
    );

  branch('orderCreate', async (conn, r) => {
    try {
      await conn.execute(
        `INSERT INTO order1 (user_id, order_id, product_id, product_count, amount, coupon_id, status) VALUES (?,?,?,?,?,?,'PAYING')`,
        [r.user_id, r.order_id, r.product_id, r.product_count, r.amount, r.coupon_id],
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY')
        throw new BranchFailure(`order ${r.order_id} exists already`, { field: 'order_id' });
      throw err;
    }
  });
  branch('orderCreateRevert', async (conn, r) => {
    await conn.execute(`UPDATE order1 SET status='FAILED', update_time=now() WHERE order_id=?`, [r.order_id]);
  });

  branch('stockDeduct', async (conn, r) => {
    const n = await affected(
      conn,
      'UPDATE stock SET stock=stock-?, update_time=now() WHERE product_id=? AND stock>=?',
      [r.product_count, r.product_id, r.product_count],
    );
    if (n === 0)
      throw new BranchFailure(`product ${r.product_id} has fewer than ${r.product_count} in stock`, {
        field: 'product_count',
      });
  });
  branch('stockDeductRevert', async (conn, r) => {
    await conn.execute('UPDATE stock SET stock=stock+?, update_time=now() WHERE product_id=?', [
      r.product_count,
      r.product_id,
    ]);
  });

  branch('couponUse', async (conn, r) => {
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
  });
  branch('couponUseRevert', async (conn, r) => {
    if (r.coupon_id === 0) return;
    await conn.execute('UPDATE user_coupon SET used=0, update_time=now() WHERE coupon_id=? AND user_id=? AND used=1', [
      r.coupon_id,
      r.user_id,
    ]);
  });

  branch('payCreate', async (conn, r) => {
    await conn.execute(`INSERT INTO pay (user_id, order_id, amount, status) VALUES (?,?,?,'CREATED')`, [
      r.user_id,
      r.order_id,
      r.amount,
    ]);
  });
  branch('payCreateRevert', async (conn, r) => {
    await conn.execute(`UPDATE pay SET status='CANCELED', update_time=now() WHERE order_id=?`, [r.order_id]);
  });
}
