import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { Status } from '../../common/protocol/vocabulary';
import type { MysqlPool } from '../../common/mysql';
import {
  EVENTS_KEPT,
  eventFromJson,
  eventToJson,
  type Progress,
  type StatusEvent,
  type TransEvent,
} from '../model/events';
import type { BranchOutcome } from '../model/records';
import type { CronReset, DueStats } from './store';
import { retryTransient } from './transient';

/**
 * The MySQL store's statements that need no transaction of their own: the parts of a batched write
 * (outcomes, events, the owner guard) and the admin queries (events, cron resets, the due queue).
 */

export const UNFINISHED = [Status.prepared, Status.submitted, Status.aborting];

/** One statement of a batched transaction. */
export interface Statement {
  sql: string;
  values: unknown[];
}

/** One transaction as the text of one query: START TRANSACTION, the statements, COMMIT. */
export function transactionQuery(statements: Statement[]): { sql: string; values: unknown[] } {
  return {
    sql: ['START TRANSACTION', ...statements.map((st) => st.sql), 'COMMIT'].join(';\n'),
    values: statements.flatMap((st) => st.values),
  };
}

/** Follows a guarded status UPDATE: @moved tells the statements after it whether the status moved. */
export const REMEMBER_MOVED: Statement = { sql: 'SET @moved = ROW_COUNT()', values: [] };

/** The status event of a move, inserted only if it moved (REMEMBER_MOVED before it). */
export function statusEventIfMoved(gid: string, event: StatusEvent): Statement {
  return {
    sql: 'INSERT INTO trans_event (gid, event, create_time) SELECT ?, ?, ? FROM DUAL WHERE @moved = 1',
    values: [gid, eventToJson(event), event.at],
  };
}

/** The statement of one branch outcome; `onlyIfMoved` makes it depend on the status move before it. */
export function outcomeUpdate(gid: string, o: BranchOutcome, onlyIfMoved = false): Statement {
  return {
    sql: `UPDATE trans_branch_op SET status=?, finish_time=?, update_time=? WHERE gid=? AND branch_id=? AND op=?${
      onlyIfMoved ? ' AND @moved = 1' : ''
    }`,
    values: [o.status, o.at, o.at, gid, o.branchId, o.op],
  };
}

/** The statements of a progress: its outcomes, then one insert of its events. */
export function progressStatements(gid: string, progress: Progress): Statement[] {
  const statements = progress.outcomes.map((o) => outcomeUpdate(gid, o));
  if (progress.events.length > 0) {
    statements.push({
      sql: 'INSERT INTO trans_event (gid, event, create_time) VALUES ?',
      values: [progress.events.map((e) => [gid, eventToJson(e), e.kind === 'call' ? e.start : e.at])],
    });
  }
  return statements;
}

/** The owner guard of a write made by a pass: its lease must still be the stored owner. */
export function ownerGuard(owner: string | undefined): { sql: string; values: unknown[] } {
  return owner === undefined ? { sql: '', values: [] } : { sql: ' AND owner=?', values: [owner] };
}

/** The transaction's events, oldest first, the newest EVENTS_KEPT. */
export async function findEvents(pool: MysqlPool, gid: string): Promise<TransEvent[]> {
  const [rows] = await retryTransient(() =>
    pool.query<RowDataPacket[]>('SELECT event FROM trans_event WHERE gid=? ORDER BY id DESC LIMIT ?', [
      gid,
      EVENTS_KEPT,
    ]),
  );
  return rows.reverse().map((r) => eventFromJson(r.event as string));
}

/** next_cron_time (and update_time) to `at` while the transaction is unfinished; false when it is not. */
export async function resetNextCronTime(pool: MysqlPool, gid: string, at: Date): Promise<boolean> {
  const [res] = await retryTransient(() =>
    pool.execute<ResultSetHeader>(
      'UPDATE trans_global SET next_cron_time=?, update_time=? WHERE gid=? AND status IN (?,?,?)',
      [at, at, gid, ...UNFINISHED],
    ),
  );
  return res.affectedRows === 1;
}

/** One UPDATE … LIMIT, then one look for a transaction it left, in one query: has_remaining is exact. */
export async function resetCronTimes(pool: MysqlPool, after: Date, now: Date, limit: number): Promise<CronReset> {
  const [results] = await retryTransient(() =>
    pool.query(
      `UPDATE trans_global SET next_cron_time=?, update_time=? WHERE status IN (?) AND next_cron_time > ? LIMIT ?;
       SELECT 1 FROM trans_global WHERE status IN (?) AND next_cron_time > ? LIMIT 1`,
      [now, now, UNFINISHED, after, limit, UNFINISHED, after],
    ),
  );
  const [reset, left] = results as unknown as [ResultSetHeader, RowDataPacket[]];
  return { succeedCount: reset.affectedRows, hasRemaining: left.length > 0 };
}

/** How many unfinished transactions are due at `now`, and the oldest next_cron_time among them. */
export async function dueStats(pool: MysqlPool, now: Date): Promise<DueStats> {
  const [rows] = await retryTransient(() =>
    pool.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n, MIN(next_cron_time) AS oldest FROM trans_global WHERE status IN (?) AND next_cron_time <= ?',
      [UNFINISHED, now],
    ),
  );
  return { count: Number(rows[0]?.n ?? 0), oldest: (rows[0]?.oldest as Date | null) ?? undefined };
}
