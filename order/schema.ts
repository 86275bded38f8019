import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../conf/config';
import { applySqlScript, retargetSchema } from '../common/mysql';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';

/** Applies order.sql to ORDER_DB, stock.sql to STOCK_DB (the XA demo) and creates the barrier table. Idempotent. */
export async function ensureOrderSchema(conf: Config): Promise<void> {
  const script = readFileSync(join(__dirname, '..', 'order.sql'), 'utf8');
  await applySqlScript(conf, retargetSchema(script, 'ord', conf.orderDb));
  const stockScript = readFileSync(join(__dirname, 'stock.sql'), 'utf8');
  await applySqlScript(conf, retargetSchema(stockScript, 'stock', conf.stockDb));
  await MysqlBarrier.ensureSchema(conf);
}
