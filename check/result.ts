import type { Redis } from 'ioredis';
import type { RowDataPacket } from 'mysql2';
import type { Config } from '../conf/config';
import type { MysqlPool } from '../common/mysql';
import type { GlobalRecord } from '../coordinator/model/records';
import type { Store } from '../coordinator/storage/store';
import { FORCE_STOP_REASON } from '../coordinator/service/trans-service';

/** One checked invariant: what was checked, whether it holds, and the evidence. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the checker reads. */
export interface CheckSources {
  conf: Config;
  /** The store the coordinator uses (COORDINATOR_STORE). */
  store: Store;
  orderDb: MysqlPool;
  /** The XA demo's stock database (STOCK_DB). */
  stockDb: MysqlPool;
  flashDb: MysqlPool;
  redis: Redis;
  /** Seeded stock per product of the order example (order.sql, and stock.sql for the XA demo). */
  initialStock: Record<number, number>;
  /** The mall example's database; its checks run when given. */
  mallDb?: MysqlPool;
  now?: Date;
}

/** What every check reads: the sources, every transaction of the store by gid, and now. */
export interface CheckContext {
  src: CheckSources;
  byGid: ReadonlyMap<string, GlobalRecord>;
  now: Date;
}

export const rowsOf = async (pool: MysqlPool, sql: string, values: unknown[] = []) =>
  (await pool.query<RowDataPacket[]>(sql, values))[0];

/** The first few items as evidence, e.g. `a, b, c (and 4 more)`. */
export function sample(items: readonly string[], max = 5): string {
  const more = items.length > max ? ` (and ${items.length - max} more)` : '';
  return `${items.slice(0, max).join(', ')}${more}`;
}

/** Marks a transaction ended by forceStop: what it did so far stays done, nothing is undone. */
export function stoppedNote(g: GlobalRecord | undefined): string {
  return g?.rollbackReason === FORCE_STOP_REASON ? ' (force-stopped: its effects are half-applied)' : '';
}
