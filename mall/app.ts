import express, { type Router } from 'express';
import type { Config } from '../conf/config';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { grpcBranchCallersOnly } from '../common/grpc/branch-guard';
import { adminHeaders, branchSecretHeaders } from '../common/http/guards';
import type { Logger } from '../common/log';
import { createMysqlPool, type MysqlPool } from '../common/mysql';
import type { MallServer } from './grpc-server';
import { startOrderService } from './order-service';
import { startProductService } from './product-service';
import { addMallRoutes } from './routes';
import { ensureMallSchema } from './schema';

/** The mall example: its gRPC order and product services, its fire routes and its pool. */
export interface MallService {
  router: Router;
  pool: MysqlPool;
  orderPort: number;
  productPort: number;
  close(): Promise<void>;
}

export interface MallOptions {
  /** Ports of the two gRPC services; 0 picks free ones (tests). Default: MALL_ORDER_PORT, MALL_PRODUCT_PORT. */
  orderPort?: number;
  productPort?: number;
}

/** The pool and barrier a mall service uses. */
export function mallDeps(conf: Config): { pool: MysqlPool; barrier: MysqlBarrier } {
  const pool = createMysqlPool(conf, conf.mallDb);
  return { pool, barrier: new MysqlBarrier(pool, conf.barrierDb) };
}

/** Creates the mall schema if needed, starts both gRPC services and builds the fire routes. */
export async function createMallService(conf: Config, log: Logger, options: MallOptions = {}): Promise<MallService> {
  await ensureMallSchema(conf);
  const { pool, barrier } = mallDeps(conf);
  const servers: MallServer[] = [];
  try {
    const guard = grpcBranchCallersOnly(conf.branchSecret);
    servers.push(await startOrderService(barrier, guard, log, options.orderPort ?? conf.mall.orderPort));
    servers.push(await startProductService(barrier, guard, log, options.productPort ?? conf.mall.productPort));
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    await pool.end();
    throw err;
  }
  const [order, product] = servers as [MallServer, MallServer];
  const router = express.Router();
  addMallRoutes(router, {
    pool,
    dtmGrpc: conf.dtmGrpcServer,
    dtm: conf.dtmServer,
    orderServer: () => `${conf.busi.host}:${order.port}`,
    productServer: () => `${conf.busi.host}:${product.port}`,
    outcomeWaitMs: conf.outcomeWaitMs,
    branchHeaders: branchSecretHeaders(conf.branchSecret),
    dtmHeaders: adminHeaders(conf.adminToken),
  });
  return {
    router,
    pool,
    orderPort: order.port,
    productPort: product.port,
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await pool.end();
    },
  };
}
