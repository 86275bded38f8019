import type { Request, Router } from 'express';
import type { RowDataPacket } from 'mysql2';
import { BranchFailure, BranchOngoing, UpstreamError } from '../common/errors';
import { route } from '../common/http/branch-result';
import { parseInput } from '../common/http/validate';
import type { MysqlPool } from '../common/mysql';
import { Saga } from '../common/sdk/saga';
import type { Workflows } from '../common/sdk/workflows';
import { addFireRoute, couponOf, demoOrder, fireAnswer, TOO_MANY_UNITS } from './fire';
import { ORDER_SAGA_STEPS, orderGid, orderRequestSchema, type OrderRequest } from './order-request';
import { ORDER_WORKFLOW } from './workflow';

export interface OrderRouteDeps {
  pool: MysqlPool;
  dtm: string;
  /** Base URL of the branch endpoints, known once the server listens. */
  busiUrl: () => string;
  /** How long a fire endpoint waits for the outcome before answering with the status so far. */
  outcomeWaitMs: number;
  /** Runs the order workflow (order/workflow.ts). */
  workflows: Workflows;
  /** Headers the coordinator sends with every branch call: the branch secret. */
  branchHeaders: Record<string, string>;
  /** Headers of the calls to the coordinator's admin endpoints (query): the admin token. */
  dtmHeaders: Record<string, string>;
}

/**
 * Builds the order saga: four steps, each with its compensation, all with the same body; every branch
 * call carries `branchHeaders` (the branch secret).
 */
export function orderSaga(dtm: string, busi: string, req: OrderRequest, branchHeaders: Record<string, string>): Saga {
  const saga = new Saga(dtm, orderGid(req.order_id)).withOptions({ branchHeaders });
  for (const step of ORDER_SAGA_STEPS) saga.add(`${busi}/${step}`, `${busi}/${step}Revert`, req);
  return saga;
}

/**
 * submitOrder and the fire endpoints. A fire endpoint runs a ready-made order as a saga or as a
 * workflow, waits for the outcome and answers with it and the rows it left, so one curl shows what
 * happened.
 */
export function addOrderRoutes(router: Router, deps: OrderRouteDeps): void {
  const outcome = (gid: string, req: OrderRequest) => fireAnswer(deps, gid, req, () => orderSnapshot(deps.pool, req));
  const submit = async (req: OrderRequest) => {
    const saga = orderSaga(deps.dtm, deps.busiUrl(), req, deps.branchHeaders).withOptions({ waitResult: true });
    try {
      await saga.submit();
    } catch (err) {
      // wait_result reports a rollback as FAILURE and a pending retry as ONGOING; the outcome is read
      // back below either way.
      if (!(err instanceof BranchFailure) && !(err instanceof BranchOngoing)) throw err;
    }
    return outcome(saga.gid, req);
  };
  const runWorkflow = async (req: OrderRequest) => {
    const gid = orderGid(req.order_id);
    try {
      await deps.workflows.execute(ORDER_WORKFLOW, gid, JSON.stringify(req));
    } catch (err) {
      // FAILURE: it rolled back. ONGOING or an unreachable branch: it stopped half-way and the
      // coordinator resumes it through the callback. The outcome is read back either way.
      if (!(err instanceof BranchFailure) && !(err instanceof BranchOngoing) && !(err instanceof UpstreamError))
        throw err;
    }
    return outcome(gid, req);
  };

  router.post(
    '/api/busi/submitOrder',
    route(async (req) => submit(parseInput(orderRequestSchema, req.body, 'public'))),
  );

  const fire = (path: string, make: (httpReq: Request) => OrderRequest, run = submit) =>
    addFireRoute(router, path, make, run);
  const order = (overrides: Partial<OrderRequest> = {}) => demoOrder('ord', overrides);
  fire('/api/fireSucceed', (req) => order({ coupon_id: couponOf(req) }));
  fire('/api/fireFailed', () => order({ product_count: TOO_MANY_UNITS }));
  fire('/api/fireFailedCoupon', () => order({ coupon_id: 101 }));
  fire('/api/fireWorkflow', () => order(), runWorkflow);
  fire('/api/fireWorkflowFailed', () => order({ product_count: TOO_MANY_UNITS }), runWorkflow);
}

/** The rows an order touched, for the answer of the fire endpoints (saga, workflow and TCC). */
export async function orderSnapshot(pool: MysqlPool, req: OrderRequest) {
  const one = async (sql: string, values: unknown[]) => (await pool.query<RowDataPacket[]>(sql, values))[0][0] ?? null;
  const stock = await one('SELECT stock FROM stock WHERE product_id=?', [req.product_id]);
  return {
    order: await one('SELECT order_id, status, product_count, amount FROM order1 WHERE order_id=?', [req.order_id]),
    stock_left: stock ? Number(stock.stock) : null,
    coupon: req.coupon_id
      ? await one('SELECT coupon_id, user_id, used FROM user_coupon WHERE coupon_id=?', [req.coupon_id])
      : null,
    pay: await one('SELECT status, amount FROM pay WHERE order_id=?', [req.order_id]),
  };
}
