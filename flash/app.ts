import express, { type Router } from 'express';
import type { Config } from '../conf/config';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { adminOnly, branchCallersOnly, branchSecretHeaders } from '../common/http/guards';
import { Switches } from '../common/http/switches';
import type { Logger } from '../common/log';
import { createMysqlPool } from '../common/mysql';
import { connectRedis } from '../common/redis';
import { FlashOrders } from './orders';
import { addFlashRoutes } from './routes';
import { FlashSeller } from './sale';
import { ensureFlashSchema } from './schema';
import { FLASH_PRODUCT_ID, FlashStock } from './stock';

/** Units on sale when the service first starts on an empty Redis. */
export const FLASH_INITIAL_STOCK = 100;

export interface FlashService {
  router: Router;
  stock: FlashStock;
  orders: FlashOrders;
  seller: FlashSeller;
  switches: Switches;
  close(): Promise<void>;
}

/** Creates the flash schema if needed and builds the flash-sale routes. */
export async function createFlashService(
  conf: Config,
  busiUrl: () => string,
  log: Logger,
  batchFinalWaitMs = 30_000,
): Promise<FlashService> {
  await ensureFlashSchema(conf);
  const pool = createMysqlPool(conf, conf.flashDb);
  const redis = await connectRedis(conf, log);
  const stock = new FlashStock(redis, conf.redis.prefix, FLASH_PRODUCT_ID);
  await stock.seed(FLASH_INITIAL_STOCK);
  const orders = new FlashOrders(pool, new MysqlBarrier(pool, conf.barrierDb));
  const seller = new FlashSeller({
    dtm: conf.dtmServer,
    busiUrl,
    stock,
    productId: FLASH_PRODUCT_ID,
    killAfterDeduct: conf.testFaults.flashKillAfterDeduct,
    branchHeaders: branchSecretHeaders(conf.branchSecret),
  });
  const switches = Switches.forConfig(conf);
  const router = express.Router();
  addFlashRoutes(router, {
    seller,
    stock,
    orders,
    switches,
    log,
    batchFinalWaitMs,
    adminOnly: adminOnly(conf.adminToken),
    callersOnly: branchCallersOnly(conf.branchSecret),
  });
  return {
    router,
    stock,
    orders,
    seller,
    switches,
    async close() {
      await pool.end();
      await redis.quit();
    },
  };
}
