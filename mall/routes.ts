import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import type { RowDataPacket } from 'mysql2';
import { BranchFailure, BranchOngoing } from '../common/errors';
import { route } from '../common/http/branch-result';
import type { MysqlPool } from '../common/mysql';
import { outcomeAnswer } from '../common/sdk/query';
import { SagaGrpc } from '../common/sdk/saga-grpc';
import { MALL_GID_PREFIX, MALL_PRODUCT_ID, mallPayload, mallUrl, type CreateReq } from './mall-proto';

export interface MallRouteDeps {
  pool: MysqlPool;
  /** The coordinator's gRPC address (submit) and HTTP URL (query). */
  dtmGrpc: string;
  dtm: string;
  /** `host:port` of the order and product services, known once they listen. */
  orderServer: () => string;
  productServer: () => string;
  outcomeWaitMs: number;
  /** The branch secret, sent to the services as branch_headers (gRPC metadata). */
  branchHeaders: Record<string, string>;
  /** The admin token, for reading the outcome back from the coordinator. */
  dtmHeaders: Record<string, string>;
}

/** Units fireMallFailed asks for: more than the seeded stock, so DecrStock answers ABORTED. */
const TOO_MANY = 1_000_000;

/** The mall saga, as in the go-zero article: Create → DecrStock, each with its revert. */
export function mallSaga(deps: MallRouteDeps, order: CreateReq): SagaGrpc {
  const stock = { product_id: order.product_id, num: order.num };
  return new SagaGrpc(deps.dtmGrpc, order.order_no)
    .withOptions({ branchHeaders: deps.branchHeaders })
    .add(
      mallUrl(deps.orderServer(), 'order', 'Create'),
      mallUrl(deps.orderServer(), 'order', 'CreateRevert'),
      mallPayload('order', 'Create', order),
    )
    .add(
      mallUrl(deps.productServer(), 'product', 'DecrStock'),
      mallUrl(deps.productServer(), 'product', 'DecrStockRevert'),
      mallPayload('product', 'DecrStock', stock),
    );
}

/**
 * GET /api/fireMall (one unit: order created, stock −1) and /api/fireMallFailed (more than the stock:
 * DecrStock answers ABORTED, CreateRevert sets the order to status 9, stock untouched). Each submits a
 * gRPC saga, waits for its outcome and answers with it and the rows it left.
 */
export function addMallRoutes(router: Router, deps: MallRouteDeps): void {
  const fire = async (num: number) => {
    const order: CreateReq = {
      order_no: `${MALL_GID_PREFIX}${randomBytes(6).toString('hex')}`,
      user_id: 1,
      product_id: MALL_PRODUCT_ID,
      num,
    };
    try {
      await mallSaga(deps, order).withOptions({ waitResult: true }).submit();
    } catch (err) {
      // wait_result reports a rollback as FAILURE and a pending retry as ONGOING; read the outcome below.
      if (!(err instanceof BranchFailure) && !(err instanceof BranchOngoing)) throw err;
    }
    const outcome = await outcomeAnswer(deps.dtm, order.order_no, deps.outcomeWaitMs, deps.dtmHeaders);
    const [orders] = await deps.pool.query<RowDataPacket[]>(
      'SELECT order_no, user_id, product_id, num, status FROM orders WHERE order_no=?',
      [order.order_no],
    );
    const [product] = await deps.pool.query<RowDataPacket[]>('SELECT id, stock FROM product WHERE id=?', [
      order.product_id,
    ]);
    return {
      ...outcome,
      request: order,
      rows: { order: orders[0] ?? null, product: product[0] ?? null },
    };
  };
  router.get(
    '/api/fireMall',
    route(async () => fire(1)),
  );
  router.get(
    '/api/fireMallFailed',
    route(async () => fire(TOO_MANY)),
  );
}
