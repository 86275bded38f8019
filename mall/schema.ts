import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../conf/config';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { applySqlScript, retargetSchema } from '../common/mysql';

/** Applies mall.sql to MALL_DB and creates the barrier table. Idempotent. */
export async function ensureMallSchema(conf: Config): Promise<void> {
  const script = readFileSync(join(__dirname, 'mall.sql'), 'utf8');
  await applySqlScript(conf, retargetSchema(script, 'mall', conf.mallDb));
  await MysqlBarrier.ensureSchema(conf);
}
