import express, { type Router } from 'express';
import type { Config } from '../conf/config';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { createHttpClient } from '../common/http/client';
import { adminHeaders, branchCallersOnly, branchSecretHeaders } from '../common/http/guards';
import { Switches } from '../common/http/switches';
import { createMysqlPool, type MysqlPool } from '../common/mysql';
import { addOrderBranches } from './branches';
import { addOrderRoutes } from './routes';
import { ensureOrderSchema } from './schema';
import { addTccRoutes } from './tcc';
import { addOrderWorkflow } from './workflow';
import { addXaRoutes } from './xa';

/** The order example: its router, its pools and its fault switches. */
export interface OrderService {
  router: Router;
  pool: MysqlPool;
  /** The stock service's database of the XA demo. */
  stockPool: MysqlPool;
  switches: Switches;
  close(): Promise<void>;
}

/** Creates the order schema if needed and builds the order routes (saga, workflow, TCC and the XA demo). */
export async function createOrderService(conf: Config, busiUrl: () => string): Promise<OrderService> {
  await ensureOrderSchema(conf);
  const pool = createMysqlPool(conf, conf.orderDb);
  const stockPool = createMysqlPool(conf, conf.stockDb);
  const switches = Switches.forConfig(conf);
  const router = express.Router();
  const branchHeaders = branchSecretHeaders(conf.branchSecret);
  const barrier = new MysqlBarrier(pool, conf.barrierDb);
  const callersOnly = branchCallersOnly(conf.branchSecret);
  addOrderBranches(router, { barrier, switches, callersOnly });
  // The workflow calls the branch endpoints itself, so its client carries the branch secret.
  const workflowHttp = createHttpClient(10_000);
  Object.assign(workflowHttp.defaults.headers.common, branchHeaders);
  const workflows = addOrderWorkflow(router, {
    dtm: conf.dtmServer,
    busiUrl,
    killAfterBranch: conf.testFaults.workflowKillAfterBranch,
    http: workflowHttp,
    branchHeaders,
    callersOnly,
  });
  addOrderRoutes(router, {
    pool,
    dtm: conf.dtmServer,
    busiUrl,
    outcomeWaitMs: conf.outcomeWaitMs,
    workflows,
    branchHeaders,
    dtmHeaders: adminHeaders(conf.adminToken),
  });
  addXaRoutes(router, {
    orderPool: pool,
    stockPool,
    barrierDb: conf.barrierDb,
    switches,
    dtm: conf.dtmServer,
    busiUrl,
    outcomeWaitMs: conf.outcomeWaitMs,
    callersOnly,
    branchHeaders,
    dtmHeaders: adminHeaders(conf.adminToken),
  });
  addTccRoutes(router, {
    pool,
    barrier,
    switches,
    callersOnly,
    dtm: conf.dtmServer,
    busiUrl,
    outcomeWaitMs: conf.outcomeWaitMs,
    branchHeaders,
    dtmHeaders: adminHeaders(conf.adminToken),
  });
  return {
    router,
    pool,
    stockPool,
    switches,
    close: async () => void (await Promise.all([pool.end(), stockPool.end()])),
  };
}
