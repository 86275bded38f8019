import type { Router } from 'express';
import { DtmError } from '../common/errors';
import type { MysqlPool } from '../common/mysql';
import { tccGlobalTransaction } from '../common/sdk/tcc';
import { addBarrierBranch, type BranchDeps } from './branches';
import { addFireRoute, couponOf, demoOrder, fireAnswer, TOO_MANY_UNITS } from './fire';
import { orderGid, TCC_ORDER_STATUS, TCC_RESOURCES, type OrderRequest } from './order-request';
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
import { orderSnapshot } from './routes';

type Resource = (typeof TCC_RESOURCES)[number];
const PHASES = ['Try', 'Confirm', 'Cancel'] as const;
type Phase = (typeof PHASES)[number];

const nothing: OrderWork = async () => {};

/**
 * What each phase does to each table. A try reserves (the order and payment rows exist as TRYING, the
 * units leave the stock, the coupon is marked used), a confirm makes the reservation final, a cancel
 * gives it back. A confirm or cancel never refuses: the coordinator retries them until they succeed.
 */
const WORK: Record<Resource, Record<Phase, OrderWork>> = {
  order: {
    Try: (conn, r) => insertOrder(conn, r, TCC_ORDER_STATUS),
    Confirm: (conn, r) => setOrderStatus(conn, r.order_id, 'PAYING', TCC_ORDER_STATUS),
    Cancel: (conn, r) => setOrderStatus(conn, r.order_id, 'FAILED'),
  },
  // The units leave the stock in the try; confirming keeps them out.
  stock: { Try: takeStock, Confirm: nothing, Cancel: returnStock },
  coupon: { Try: useCoupon, Confirm: nothing, Cancel: releaseCoupon },
  pay: {
    Try: (conn, r) => insertPay(conn, r, TCC_ORDER_STATUS),
    Confirm: (conn, r) => setPayStatus(conn, r.order_id, 'CREATED', TCC_ORDER_STATUS),
    Cancel: (conn, r) => setPayStatus(conn, r.order_id, 'CANCELED'),
  },
};

/** The endpoint of one phase of one resource, under /api/busi: `orderTry`, `stockCancel`, … */
const tccEndpoint = (resource: Resource, phase: Phase): string => `${resource}${phase}`;

export interface TccDeps extends BranchDeps {
  pool: MysqlPool;
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
 * fireTcc (`?coupon_id=` uses a coupon) and fireTccFailed, which run one and answer with the outcome
 * and the rows it left.
 */
export function addTccRoutes(router: Router, deps: TccDeps): void {
  for (const resource of TCC_RESOURCES)
    for (const phase of PHASES) addBarrierBranch(router, deps, tccEndpoint(resource, phase), WORK[resource][phase]);

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
    return fireAnswer(deps, gid, req, () => orderSnapshot(deps.pool, req));
  };
  addFireRoute(router, '/api/fireTcc', (req) => demoOrder('tcc', { coupon_id: couponOf(req) }), fire);
  addFireRoute(router, '/api/fireTccFailed', () => demoOrder('tcc', { product_count: TOO_MANY_UNITS }), fire);
}
