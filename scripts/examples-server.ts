import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../conf/config';
import { route } from '../common/http/branch-result';
import { createServiceApp } from '../common/http/service-app';
import type { Logger } from '../common/log';
import { createFlashService, type FlashService } from '../flash/app';
import { createMallService, type MallOptions, type MallService } from '../mall/app';
import { createOrderService, type OrderService } from '../order/app';

/** The example services in one process: HTTP on one port, as DTM's examples run on 8081, and the mall's gRPC services. */
export interface Examples {
  port: number;
  busiUrl: string;
  order: OrderService;
  flash: FlashService;
  mall: MallService;
  close(): Promise<void>;
}

export interface ExamplesOptions {
  /** 0 picks a free port (tests); defaults to BUSI_PORT. */
  port?: number;
  batchFinalWaitMs?: number;
  /** Ports of the mall's gRPC services (0: free ones). */
  mall?: MallOptions;
}

/** Creates the schemas, mounts the order and flash routes, and listens. */
export async function startExamples(conf: Config, log: Logger, options: ExamplesOptions = {}): Promise<Examples> {
  let busiUrl = '';
  const order = await createOrderService(conf, () => busiUrl);
  const flash = await createFlashService(
    conf,
    () => busiUrl,
    log.child({ component: 'flash' }),
    options.batchFinalWaitMs,
  );
  const mall = await createMallService(conf, log.child({ component: 'mall' }), options.mall);
  const health = express.Router().get(
    '/api/health',
    route(() => ({ status: 'ok' })),
  );
  const app = createServiceApp(log, [health, order.router, flash.router, mall.router]);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? conf.busi.port, '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  busiUrl = `http://${conf.busi.host}:${port}/api/busi`;
  return {
    port,
    busiUrl,
    order,
    flash,
    mall,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await order.close();
      await flash.close();
      await mall.close();
    },
  };
}
