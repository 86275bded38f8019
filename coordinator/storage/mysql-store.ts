import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Config } from '../../conf/config';
import {
  applySqlScript,
  createMysqlPool,
  queryOn,
  retargetSchema,
  type MysqlConnection,
  type MysqlPool,
} from '../../common/mysql';
import { EVENTS_KEPT, isEmpty, statusEvent, type Progress, type TransEvent } from '../model/events';
import type { BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import { asStoredText } from '../model/stored-text';
import { BranchStatus, Status, type GlobalStatus } from '../../common/protocol/vocabulary';
import {
  dueStats,
  findEvents,
  outcomeUpdate,
  ownerGuard,
  progressStatements,
  REMEMBER_MOVED,
  resetCronTimes,
  resetNextCronTime,
  statusEventIfMoved,
  transactionQuery,
  UNFINISHED,
  type Statement,
} from './mysql-statements';
import {
  branchRow,
  globalRow,
  insertBranchesSql,
  insertGlobalSql,
  storableTime,
  toBranch,
  toGlobal,
  toKv,
} from './mysql-rows';
import { retryTransient } from './transient';
import {
  splitFailures,
  submitMoveEvent,
  type AddBranchesResult,
  type CronReset,
  type DueStats,
  type GlobalFilter,
  type GlobalPage,
  type SaveNewOptions,
  type SaveNewResult,
  type StatusPatch,
  type Store,
} from './store';

/**
 * Runs `statements` as one transaction in one query (START TRANSACTION; …; COMMIT) and answers their
 * results. A statement that fails stops the rest and leaves the transaction open for the caller to roll back.
 */
async function batchOn(conn: MysqlConnection, statements: Statement[]): Promise<unknown[]> {
  const { sql, values } = transactionQuery(statements);
  const results = await queryOn(conn, sql, values);
  return (results as unknown[]).slice(1, -1);
}

/** How often saveNew tries an insert that meets a unique key while no transaction of the gid is found. */
const SAVE_NEW_TRIES = 3;

/** A transaction and its branches, read in one query; values: the gid twice. */
const READ_STORED = 'SELECT * FROM trans_global WHERE gid=?; SELECT * FROM trans_branch_op WHERE gid=? ORDER BY id';
/** READ_STORED after a move (REMEMBER_MOVED) that leaves the branches unread when it moved. */
const READ_STORED_UNLESS_MOVED =
  'SELECT * FROM trans_global WHERE gid=?; SELECT * FROM trans_branch_op WHERE gid=? AND @moved = 0 ORDER BY id';

/**
 * What READ_STORED found, as saveNew answers a taken gid; undefined when there is no such transaction.
 * `given`: the branches of a move that found them stored as given, which it did not read back.
 */
function storedOf(results: unknown, submitted = false, given?: BranchRecord[]): SaveNewResult | undefined {
  const [globals, rows] = results as [RowDataPacket[], RowDataPacket[]];
  return (
    globals[0] && { created: false, submitted, existing: toGlobal(globals[0]), branches: given ?? rows.map(toBranch) }
  );
}

/**
 * The guard of saveNew's submitPrepared move with `sameBranches`: the stored branches are as many as the
 * given ones, and each given (branch_id, op, url, data) matches one of them byte for byte that has no
 * outcome yet.
 */
function sameBranchesGuard(g: GlobalRecord, branches: BranchRecord[]): Statement {
  const count = '(SELECT COUNT(*) FROM trans_branch_op WHERE gid=?) = ?';
  if (branches.length === 0) return { sql: ` AND ${count}`, values: [g.gid, 0] };
  const tuples = branches.map(() => '(?,?,?,?)').join(',');
  return {
    sql: ` AND ${count} AND (SELECT COUNT(*) FROM trans_branch_op WHERE gid=? AND status=?
      AND (branch_id, op, CAST(url AS BINARY), bin_data) IN (${tuples})) = ?`,
    values: [
      g.gid,
      branches.length,
      g.gid,
      BranchStatus.prepared,
      ...branches.flatMap((b) => [b.branchId, b.op, b.url, Buffer.from(b.data, 'utf8')]),
      branches.length,
    ],
  };
}

/**
 * How saveNew reads a taken gid, as one query: READ_STORED, or, for a submit (`move`), one transaction
 * that first moves a prepared transaction of the same type to submitted (with its status event) and then
 * reads it as it stands; when the move found the given branches stored (`sameBranches`), without reading
 * them back. `answer` turns the query's results into saveNew's answer.
 */
function readStored(
  g: GlobalRecord,
  branches: BranchRecord[],
  move: SaveNewOptions['submitPrepared'],
): { sql: string; values: unknown[]; answer: (results: unknown[]) => SaveNewResult | undefined } {
  if (!move) return { sql: READ_STORED, values: [g.gid, g.gid], answer: (results) => storedOf(results) };
  const guard = move.sameBranches ? sameBranchesGuard(g, branches) : { sql: '', values: [] };
  const statements: Statement[] = [
    {
      sql: `UPDATE trans_global SET status=?, update_time=? WHERE gid=? AND status=? AND trans_type=?${guard.sql}`,
      values: [Status.submitted, g.updateTime, g.gid, Status.prepared, g.transType, ...guard.values],
    },
    REMEMBER_MOVED,
    statusEventIfMoved(g.gid, submitMoveEvent(g)),
    { sql: move.sameBranches ? READ_STORED_UNLESS_MOVED : READ_STORED, values: [g.gid, g.gid] },
  ];
  return {
    ...transactionQuery(statements),
    // START TRANSACTION, UPDATE, SET, INSERT, then the read's two results.
    answer: (results) => {
      const moved = (results[1] as ResultSetHeader).affectedRows === 1;
      return storedOf(results.slice(4, 6), moved, moved && move.sameBranches ? branches : undefined);
    },
  };
}

/**
 * What registering `given` finds: the transaction missing (or not in the status the caller required),
 * a branch stored already under the same id and op with another url or data (compared as stored), or
 * nothing against it.
 */
function addBranchesResult(found: boolean, stored: BranchRecord[], given: BranchRecord[]): AddBranchesResult {
  if (!found) return { status: 'missing' };
  for (const b of given) {
    const old = stored.find((e) => e.branchId === b.branchId && e.op === b.op);
    if (old && (old.url !== asStoredText(b.url) || old.data !== asStoredText(b.data)))
      return { status: 'conflict', branchId: b.branchId, op: b.op };
  }
  return { status: 'added' };
}

/** The store on MySQL: one row per transaction in trans_global, one per branch op in trans_branch_op. */
export class MysqlStore implements Store {
  private readonly pool: MysqlPool;

  constructor(private readonly conf: Config) {
    this.pool = createMysqlPool(conf, conf.coordinator.db, 32, { multipleStatements: true });
  }

  /** Creates the database and tables from mysql-schema.sql (IF NOT EXISTS: safe on every start). */
  async init(): Promise<void> {
    const script = readFileSync(join(__dirname, 'mysql-schema.sql'), 'utf8');
    await applySqlScript(
      this.conf,
      retargetSchema(script.replace(/\bdtm\./g, `${this.conf.coordinator.db}.`), 'dtm', this.conf.coordinator.db),
    );
  }

  /**
   * One transaction, sent as one batch: the global row and every branch row, or nothing. When the gid is
   * taken, the rollback of that batch and the read of the stored row and its branches (with the move of
   * `options.submitPrepared` before it) go in one more round trip; should that row be gone by then (a
   * cleanup), the insert is tried again, a few times. When it is `likelyStored`, the read comes first, so
   * the usual case costs one round trip and no refused insert.
   */
  async saveNew(g: GlobalRecord, branches: BranchRecord[], options: SaveNewOptions = {}): Promise<SaveNewResult> {
    const read = readStored(g, branches, options.submitPrepared);
    if (options.likelyStored) {
      const found = await retryTransient(() =>
        this.inTransaction(
          async (conn) => read.answer((await queryOn(conn, read.sql, read.values)) as unknown[]),
          'opened by the query',
        ),
      );
      if (found) return found;
    }
    const statements: Statement[] = [{ sql: insertGlobalSql(), values: globalRow(g) }];
    if (branches.length > 0) statements.push({ sql: insertBranchesSql(false), values: [branches.map(branchRow)] });
    const attempt = (conn: MysqlConnection) =>
      batchOn(conn, statements).then(
        (): SaveNewResult => ({ created: true }),
        async (err: unknown): Promise<SaveNewResult | undefined> => {
          if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err;
          const [, ...results] = (await queryOn(conn, `ROLLBACK; ${read.sql}`, read.values)) as unknown[];
          return read.answer(results);
        },
      );
    for (let tries = 1; ; tries++) {
      const saved = await retryTransient(() => this.inTransaction(attempt, 'opened by the query'));
      if (saved) return saved;
      if (tries === SAVE_NEW_TRIES) {
        // A key other than the global row's keeps refusing it: branch rows left without their transaction.
        throw new Error(`gid ${g.gid} is not stored, yet inserting it meets a unique key (branch rows left behind?)`);
      }
    }
  }

  async findGlobal(gid: string): Promise<GlobalRecord | undefined> {
    const [rows] = await retryTransient(() =>
      this.pool.execute<RowDataPacket[]>('SELECT * FROM trans_global WHERE gid=?', [gid]),
    );
    return rows[0] ? toGlobal(rows[0]) : undefined;
  }

  async findBranches(gid: string): Promise<BranchRecord[]> {
    const [rows] = await retryTransient(() =>
      this.pool.execute<RowDataPacket[]>('SELECT * FROM trans_branch_op WHERE gid=? ORDER BY id', [gid]),
    );
    return rows.map(toBranch);
  }

  /**
   * One transaction, sent as one batch: the branch outcomes and events, an UPDATE guarded by the old
   * status (and the lease), then, only if it moved (`@moved`), the failed outcomes and the status event.
   */
  async changeGlobalStatus(
    gid: string,
    from: GlobalStatus,
    to: GlobalStatus,
    patch: StatusPatch,
    progress: Progress,
  ): Promise<boolean> {
    const [failures, facts] = splitFailures(progress);
    const guard = ownerGuard(patch.owner);
    const recorded = progressStatements(gid, facts);
    const statements: Statement[] = [
      ...recorded,
      {
        sql: `UPDATE trans_global SET status=?, update_time=?, finish_time=COALESCE(?, finish_time),
           rollback_time=COALESCE(?, rollback_time), rollback_reason=COALESCE(?, rollback_reason)
         WHERE gid=? AND status=?${guard.sql}`,
        values: [
          to,
          patch.updateTime,
          patch.finishTime ?? null,
          patch.rollbackTime ?? null,
          patch.rollbackReason ?? null,
          gid,
          from,
          ...guard.values,
        ],
      },
      REMEMBER_MOVED,
      ...failures.map((o) => outcomeUpdate(gid, o, true)),
      statusEventIfMoved(gid, statusEvent(patch.updateTime, from, to, patch.rollbackReason)),
    ];
    const results = await retryTransient(() => this.batch(statements));
    // The status UPDATE's result follows the progress statements' ones.
    return (results[recorded.length] as ResultSetHeader).affectedRows === 1;
  }

  /**
   * In one transaction of two round trips: lock the global row in `whileStatus` (FOR UPDATE) and read the
   * branches with the same ids, then insert-ignore the branches unless one of them conflicts.
   */
  async addBranches(gid: string, whileStatus: GlobalStatus, branches: BranchRecord[]): Promise<AddBranchesResult> {
    const ids = [...new Set(branches.map((b) => b.branchId))];
    // Two round trips: the transaction opens with the reads, and the insert carries the commit. A TCC
    // registers a branch per try, so this is on the TCC path's every step.
    return retryTransient(() =>
      this.inTransaction(async (conn): Promise<AddBranchesResult> => {
        const [results] = await conn.query<RowDataPacket[][]>(
          `START TRANSACTION;
           SELECT id FROM trans_global WHERE gid=? AND status=? FOR UPDATE;
           SELECT * FROM trans_branch_op WHERE gid=? AND branch_id IN (?)`,
          [gid, whileStatus, gid, ids.length > 0 ? ids : ['']],
        );
        const [, locked = [], stored = []] = results;
        const result = addBranchesResult(locked.length > 0, stored.map(toBranch), branches);
        if (result.status === 'added' && branches.length > 0) {
          await conn.query(`${insertBranchesSql(true)}; COMMIT`, [branches.map(branchRow)]);
        } else {
          await conn.query('COMMIT');
        }
        return result;
      }, 'opened by the query'),
    );
  }

  async saveBranchOutcomes(gid: string, progress: Progress): Promise<void> {
    if (!isEmpty(progress)) await retryTransient(() => this.batch(progressStatements(gid, progress)));
  }

  /**
   * One transaction, one batch: the progress, the schedule UPDATE (guarded by the lease), and, when
   * events came, the removal of those beyond EVENTS_KEPT (a derived table lets MySQL read the table it
   * deletes from).
   */
  async touchCronTime(
    gid: string,
    nextCronIntervalMs: number,
    nextCronTime: Date,
    retryCount: number,
    progress: Progress,
    owner?: string,
  ): Promise<boolean> {
    const guard = ownerGuard(owner);
    const statements = [
      ...progressStatements(gid, progress),
      {
        sql: `UPDATE trans_global SET next_cron_interval_ms=?, next_cron_time=?, retry_count=?, update_time=?
         WHERE gid=?${guard.sql}`,
        values: [nextCronIntervalMs, storableTime(nextCronTime), retryCount, new Date(), gid, ...guard.values],
      },
    ];
    const scheduleAt = statements.length - 1;
    if (progress.events.length > 0) {
      statements.push({
        sql: `DELETE FROM trans_event WHERE gid=? AND id < (SELECT id FROM (
             SELECT id FROM trans_event WHERE gid=? ORDER BY id DESC LIMIT 1 OFFSET ?) AS kept)`,
        values: [gid, gid, EVENTS_KEPT - 1],
      });
    }
    const results = await retryTransient(() => this.batch(statements));
    return (results[scheduleAt] as ResultSetHeader).affectedRows === 1;
  }

  async renewLease(gid: string, owner: string, until: Date): Promise<boolean> {
    const [res] = await retryTransient(() =>
      this.pool.execute<ResultSetHeader>(
        'UPDATE trans_global SET next_cron_time=? WHERE gid=? AND owner=? AND status IN (?,?,?)',
        [until, gid, owner, ...UNFINISHED],
      ),
    );
    return res.affectedRows === 1;
  }

  async findEvents(gid: string): Promise<TransEvent[]> {
    return findEvents(this.pool, gid);
  }

  async resetNextCronTime(gid: string, at: Date): Promise<boolean> {
    return resetNextCronTime(this.pool, gid, at);
  }

  async resetCronTimes(after: Date, now: Date, limit: number): Promise<CronReset> {
    return resetCronTimes(this.pool, after, now, limit);
  }

  async dueStats(now: Date): Promise<DueStats> {
    return dueStats(this.pool, now);
  }

  /**
   * Sends `START TRANSACTION; …statements…; COMMIT` as one query, so a transaction costs one round trip.
   * The pool allows several statements per query only for this: every value still goes through a
   * placeholder. MySQL stops at the first failing statement; the open transaction is then rolled back.
   * @returns each statement's result, in order.
   */
  private async batch(statements: Statement[]): Promise<unknown[]> {
    return this.inTransaction((conn) => batchOn(conn, statements), 'opened by the query');
  }

  /**
   * Runs `work` on one pooled connection inside a transaction (begun here unless `begin` says the work
   * opens it): committed if it returns, rolled back if it throws. A connection whose rollback fails is
   * broken and is destroyed instead of going back to the pool.
   */
  private async inTransaction<T>(
    work: (conn: MysqlConnection) => Promise<T>,
    begin: 'here' | 'opened by the query' = 'here',
  ): Promise<T> {
    const conn = await this.pool.getConnection();
    let broken = false;
    try {
      if (begin === 'here') await conn.query('START TRANSACTION');
      const result = await work(conn);
      if (begin === 'here') await conn.query('COMMIT');
      return result;
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  /**
   * One UPDATE … LIMIT 1 claims a due row for a unique owner (row locks make it atomic across
   * coordinators); the SELECT, sent in the same query, reads back what this owner claimed. Under heavy
   * insert load InnoDB may pick this UPDATE as a deadlock victim; nothing was claimed then, so it is tried
   * again.
   */
  async lockOneDue(now: Date, owner: string, leaseUntil: Date): Promise<GlobalRecord | undefined> {
    const [results] = await retryTransient(() =>
      this.pool.query(
        `UPDATE trans_global SET owner=?, next_cron_time=? WHERE status IN (?,?,?) AND next_cron_time <= ? LIMIT 1;
         SELECT * FROM trans_global WHERE owner=? AND next_cron_time=? LIMIT 1`,
        [owner, leaseUntil, ...UNFINISHED, now, owner, leaseUntil],
      ),
    );
    const [claimed, rows] = results as unknown as [ResultSetHeader, RowDataPacket[]];
    return claimed.affectedRows === 1 && rows[0] ? toGlobal(rows[0]) : undefined;
  }

  async scanGlobals(position: string, limit: number, filter: GlobalFilter = {}): Promise<GlobalPage> {
    const before = position === '' ? Number.MAX_SAFE_INTEGER : Number(position);
    const where = ['id < ?'];
    const values: unknown[] = [before];
    const add = (clause: string, value: unknown) => {
      if (value === undefined) return;
      where.push(clause);
      values.push(value);
    };
    add('status = ?', filter.status);
    add('trans_type = ?', filter.transType);
    add('create_time >= ?', filter.createTimeStart);
    add('create_time < ?', filter.createTimeEnd);
    const [rows] = await retryTransient(() =>
      this.pool.query<RowDataPacket[]>(
        `SELECT * FROM trans_global WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
        [...values, limit],
      ),
    );
    const transactions = rows.map(toGlobal);
    const last = transactions[transactions.length - 1];
    return { transactions, nextPosition: transactions.length === limit && last?.id ? last.id : '' };
  }

  async kvGet(cat: string, key: string): Promise<KvRecord | undefined> {
    const [rows] = await retryTransient(() =>
      this.pool.execute<RowDataPacket[]>('SELECT * FROM kv WHERE cat=? AND k=?', [cat, key]),
    );
    return rows[0] ? toKv(rows[0]) : undefined;
  }

  async kvScan(cat: string, position: string, limit: number): Promise<{ entries: KvRecord[]; nextPosition: string }> {
    const before = position === '' ? Number.MAX_SAFE_INTEGER : Number(position);
    const [rows] = await retryTransient(() =>
      this.pool.query<RowDataPacket[]>('SELECT * FROM kv WHERE cat=? AND id < ? ORDER BY id DESC LIMIT ?', [
        cat,
        before,
        limit,
      ]),
    );
    const entries = rows.map(toKv);
    return { entries, nextPosition: entries.length === limit ? (entries[entries.length - 1]?.id ?? '') : '' };
  }

  async kvPut(cat: string, key: string, value: string, expectedVersion: number): Promise<boolean> {
    const now = new Date();
    if (expectedVersion === 0) {
      const [res] = await retryTransient(() =>
        this.pool.execute<ResultSetHeader>(
          'INSERT IGNORE INTO kv (cat, k, v, version, create_time, update_time) VALUES (?,?,?,1,?,?)',
          [cat, key, value, now, now],
        ),
      );
      return res.affectedRows === 1;
    }
    const [res] = await retryTransient(() =>
      this.pool.execute<ResultSetHeader>(
        'UPDATE kv SET v=?, version=version+1, update_time=? WHERE cat=? AND k=? AND version=?',
        [value, now, cat, key, expectedVersion],
      ),
    );
    return res.affectedRows === 1;
  }

  async kvDelete(cat: string, key: string): Promise<boolean> {
    const [res] = await retryTransient(() =>
      this.pool.execute<ResultSetHeader>('DELETE FROM kv WHERE cat=? AND k=?', [cat, key]),
    );
    return res.affectedRows === 1;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
