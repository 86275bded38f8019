import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../conf/config';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { applySqlScript, retargetSchema } from '../common/mysql';

/** Applies flash.sql to FLASH_DB and creates the barrier table. Idempotent. */
export async function ensureFlashSchema(conf: Config): Promise<void> {
  const script = readFileSync(join(__dirname, 'flash.sql'), 'utf8');
  await applySqlScript(conf, retargetSchema(script, 'flash', conf.flashDb));
  await MysqlBarrier.ensureSchema(conf);
}
