import type { RequestHandler, Router } from 'express';
import { BranchBarrier } from '../common/barrier/barrier';
import type { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { route } from '../common/http/branch-result';
import type { Switches } from '../common/http/switches';
import { parseInput } from '../common/http/validate';
import { orderRequestSchema } from './order-request';
import {
  insertOrder,
  insertPay,
  releaseCoupon,
  returnStock,
  setOrderStatus,
  setPayStatus,
  takeStock,
  useCoupon,
  type OrderWork,
} from './order-sql';

export interface BranchDeps {
  barrier: MysqlBarrier;
  switches: Switches;
  /** Refuses calls that do not come from the coordinator (BRANCH_SECRET); they change nothing. */
  callersOnly: RequestHandler;
}

/**
 * Serves one branch endpoint, `/api/busi/<name>`: `work` runs inside the MySQL barrier, under the fault
 * switch of that name, on a body the branch validates itself (input it can never accept answers 409
 * FAILURE naming the field: a 400 would be retried forever).
 */
export function addBarrierBranch(router: Router, deps: BranchDeps, name: string, work: OrderWork): void {
  router.post(
    `/api/busi/${name}`,
    deps.callersOnly,
    route(async (req) => {
      const bb = BranchBarrier.fromQuery(req.query);
      const body = parseInput(orderRequestSchema, req.body, 'branch');
      await deps.switches.run(name, () => deps.barrier.call(bb, (conn) => work(conn, body)));
    }),
  );
}

/**
 * The saga's eight branch endpoints. Each runs its SQL inside the MySQL barrier, so duplicate, late and
 * out-of-order deliveries are harmless; actions answer FAILURE when the business says no, compensations
 * never do.
 */
export function addOrderBranches(router: Router, deps: BranchDeps): void {
  const branch = (name: string, work: OrderWork) => addBarrierBranch(router, deps, name, work);

  branch('orderCreate', (conn, r) => insertOrder(conn, r, 'PAYING'));
  branch('orderCreateRevert', (conn, r) => setOrderStatus(conn, r.order_id, 'FAILED'));
  branch('stockDeduct', takeStock);
  branch('stockDeductRevert', returnStock);
  branch('couponUse', useCoupon);
  branch('couponUseRevert', releaseCoupon);
  branch('payCreate', (conn, r) => insertPay(conn, r, 'CREATED'));
  branch('payCreateRevert', (conn, r) => setPayStatus(conn, r.order_id, 'CANCELED'));
}
