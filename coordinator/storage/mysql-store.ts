import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Config } from '../../conf/config';
import {
  applySqlScript,
  createMysqlPool,
  retargetSchema,
  type MysqlConnection,
  type MysqlPool,
} from '../../common/mysql';
import type { BranchOutcome, BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import { Status, type BranchStatusName, type GlobalStatus } from '../../common/protocol/vocabulary';
import { UniqueConflict, type AddBranchesResult, type GlobalPage, type StatusPatch, type Store } from './store';

const UNFINISHED = [Status.prepared, Status.submitted, Status.aborting];

/** The store on MySQL: one row per transaction in trans_global, one per branch op in trans_branch_op. */
export class MysqlStore implements Store {
  private readonly pool: MysqlPool;

  constructor(private readonly conf: Config) {
    this.pool = createMysqlPool(conf, conf.coordinator.db, 32);
  }

  /** Creates the database and tables from mysql-schema.sql (IF NOT EXISTS: safe on every start). */
  async init(): Promise<void> {
    const script = readFileSync(join(__dirname, 'mysql-schema.sql'), 'utf8');
    await applySqlScript(
      this.conf,
      retargetSchema(script.replace(/\bdtm\./g, `${this.conf.coordinator.db}.`), 'dtm', this.conf.coordinator.db),
    );
  }

  /** One transaction: the global row and every branch row, or nothing. */
  async saveNew(g: GlobalRecord, branches: BranchRecord[]): Promise<void> {
    try {
      await this.inTransaction(async (conn) => {
        await conn.execute(
          `INSERT INTO trans_global (gid, trans_type, status, query_prepared, protocol, create_time, update_time,
            rollback_reason, options, custom_data, next_cron_interval_ms, next_cron_time, owner, ext_data, retry_count)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
          [
            g.gid,
            g.transType,
            g.status,
            g.queryPrepared,
            g.protocol,
            g.createTime,
            g.updateTime,
            g.rollbackReason,
            JSON.stringify(g.options),
            g.customData,
            g.nextCronIntervalMs,
            g.nextCronTime,
            g.owner,
            JSON.stringify({ headers: g.headers }),
            g.retryCount,
          ],
        );
        if (branches.length > 0) await conn.query(insertBranchesSql(false), [branches.map(branchRow)]);
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') throw new UniqueConflict(`gid ${g.gid} exists`);
      throw err;
    }
  }

  async findGlobal(gid: string): Promise<GlobalRecord | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>('SELECT * FROM trans_global WHERE gid=?', [gid]);
    return rows[0] ? toGlobal(rows[0]) : undefined;
  }

  async findBranches(gid: string): Promise<BranchRecord[]> {
    const [rows] = await this.pool.execute<RowDataPacket[]>('SELECT * FROM trans_branch_op WHERE gid=? ORDER BY id', [
      gid,
    ]);
    return rows.map(toBranch);
  }

  /** One transaction: the branch outcomes, then an UPDATE guarded by the old status. */
  async changeGlobalStatus(
    gid: string,
    from: GlobalStatus,
    to: GlobalStatus,
    patch: StatusPatch,
    outcomes: BranchOutcome[],
  ): Promise<boolean> {
    return this.withOutcomes(gid, outcomes, async (conn) => {
      const [res] = await conn.execute<ResultSetHeader>(
        `UPDATE trans_global SET status=?, update_time=?, finish_time=COALESCE(?, finish_time),
           rollback_time=COALESCE(?, rollback_time), rollback_reason=COALESCE(?, rollback_reason)
         WHERE gid=? AND status=?`,
        [
          to,
          patch.updateTime,
          patch.finishTime ?? null,
          patch.rollbackTime ?? null,
          patch.rollbackReason ?? null,
          gid,
          from,
        ],
      );
      return res.affectedRows === 1;
    });
  }

  /** In one transaction: lock the global row in `whileStatus` (FOR UPDATE), then insert-ignore the branches. */
  async addBranches(gid: string, whileStatus: GlobalStatus, branches: BranchRecord[]): Promise<AddBranchesResult> {
    return this.inTransaction(async (conn): Promise<AddBranchesResult> => {
      const [rows] = await conn.execute<RowDataPacket[]>(
        'SELECT id FROM trans_global WHERE gid=? AND status=? FOR UPDATE',
        [gid, whileStatus],
      );
      if (rows.length === 0) return { status: 'missing' };
      if (branches.length === 0) return { status: 'added' };
      const [stored] = await conn.query<RowDataPacket[]>(
        'SELECT * FROM trans_branch_op WHERE gid=? AND branch_id IN (?)',
        [gid, [...new Set(branches.map((b) => b.branchId))]],
      );
      const existing = stored.map(toBranch);
      for (const b of branches) {
        const old = existing.find((e) => e.branchId === b.branchId && e.op === b.op);
        if (old && (old.url !== b.url || old.data !== b.data))
          return { status: 'conflict', branchId: b.branchId, op: b.op };
      }
      await conn.query(insertBranchesSql(true), [branches.map(branchRow)]);
      return { status: 'added' };
    });
  }

  async saveBranchOutcomes(gid: string, outcomes: BranchOutcome[]): Promise<void> {
    if (outcomes.length > 0) await this.withOutcomes(gid, outcomes, async () => true);
  }

  async touchCronTime(
    gid: string,
    nextCronIntervalMs: number,
    nextCronTime: Date,
    retryCount: number,
    outcomes: BranchOutcome[],
  ): Promise<void> {
    await this.withOutcomes(gid, outcomes, async (conn) => {
      await conn.execute(
        'UPDATE trans_global SET next_cron_interval_ms=?, next_cron_time=?, retry_count=?, update_time=? WHERE gid=?',
        [nextCronIntervalMs, nextCronTime, retryCount, new Date(), gid],
      );
      return true;
    });
  }

  /**
   * Writes branch outcomes and then `write` in one transaction, so one commit (one log flush) covers
   * them all. The outcomes are facts, so they are committed even when `write`'s guard misses.
   * Without outcomes, `write` runs alone.
   */
  private async withOutcomes(
    gid: string,
    outcomes: BranchOutcome[],
    write: (conn: MysqlConnection | MysqlPool) => Promise<boolean>,
  ): Promise<boolean> {
    if (outcomes.length === 0) return write(this.pool);
    return this.inTransaction(async (conn) => {
      for (const o of outcomes) {
        await conn.execute(
          'UPDATE trans_branch_op SET status=?, finish_time=?, update_time=? WHERE gid=? AND branch_id=? AND op=?',
          [o.status, o.at, o.at, gid, o.branchId, o.op],
        );
      }
      return write(conn);
    });
  }

  /** Runs `work` in one transaction on one pooled connection: committed if it returns, rolled back if it throws. */
  private async inTransaction<T>(work: (conn: MysqlConnection) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const result = await work(conn);
      await conn.commit();
      return result;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  /**
   * One UPDATE … LIMIT 1 claims a due row for a unique owner (row locks make it atomic across
   * coordinators); the SELECT then reads back what this owner claimed. Under heavy insert load InnoDB may
   * pick this UPDATE as a deadlock victim; nothing was claimed then, so it is simply tried again.
   */
  async lockOneDue(now: Date, owner: string, leaseUntil: Date): Promise<GlobalRecord | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const [res] = await this.pool.execute<ResultSetHeader>(
          'UPDATE trans_global SET owner=?, next_cron_time=? WHERE status IN (?,?,?) AND next_cron_time <= ? LIMIT 1',
          [owner, leaseUntil, ...UNFINISHED, now],
        );
        if (res.affectedRows === 0) return undefined;
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'ER_LOCK_DEADLOCK' || attempt >= 3) throw err;
      }
    }
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      'SELECT * FROM trans_global WHERE owner=? AND next_cron_time=? LIMIT 1',
      [owner, leaseUntil],
    );
    return rows[0] ? toGlobal(rows[0]) : undefined;
  }

  async scanGlobals(position: string, limit: number): Promise<GlobalPage> {
    const before = position === '' ? Number.MAX_SAFE_INTEGER : Number(position);
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT * FROM trans_global WHERE id < ? ORDER BY id DESC LIMIT ?',
      [before, limit],
    );
    const transactions = rows.map(toGlobal);
    const last = transactions[transactions.length - 1];
    return { transactions, nextPosition: transactions.length === limit && last?.id ? last.id : '' };
  }

  async kvGet(cat: string, key: string): Promise<KvRecord | undefined> {
    const [rows] = await this.pool.execute<RowDataPacket[]>('SELECT * FROM kv WHERE cat=? AND k=?', [cat, key]);
    return rows[0] ? toKv(rows[0]) : undefined;
  }

  async kvScan(cat: string, position: string, limit: number): Promise<{ entries: KvRecord[]; nextPosition: string }> {
    const before = position === '' ? Number.MAX_SAFE_INTEGER : Number(position);
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT * FROM kv WHERE cat=? AND id < ? ORDER BY id DESC LIMIT ?',
      [cat, before, limit],
    );
    const entries = rows.map(toKv);
    return { entries, nextPosition: entries.length === limit ? (entries[entries.length - 1]?.id ?? '') : '' };
  }

  async kvPut(cat: string, key: string, value: string, expectedVersion: number): Promise<boolean> {
    const now = new Date();
    if (expectedVersion === 0) {
      const [res] = await this.pool.execute<ResultSetHeader>(
        'INSERT IGNORE INTO kv (cat, k, v, version, create_time, update_time) VALUES (?,?,?,1,?,?)',
        [cat, key, value, now, now],
      );
      return res.affectedRows === 1;
    }
    const [res] = await this.pool.execute<ResultSetHeader>(
      'UPDATE kv SET v=?, version=version+1, update_time=? WHERE cat=? AND k=? AND version=?',
      [value, now, cat, key, expectedVersion],
    );
    return res.affectedRows === 1;
  }

  async kvDelete(cat: string, key: string): Promise<boolean> {
    const [res] = await this.pool.execute<ResultSetHeader>('DELETE FROM kv WHERE cat=? AND k=?', [cat, key]);
    return res.affectedRows === 1;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function insertBranchesSql(ignoreExisting: boolean): string {
  return `INSERT ${ignoreExisting ? 'IGNORE ' : ''}INTO trans_branch_op (gid, url, bin_data, branch_id, op, status, create_time, update_time) VALUES ?`;
}

function branchRow(b: BranchRecord): unknown[] {
  return [b.gid, b.url, Buffer.from(b.data, 'utf8'), b.branchId, b.op, b.status, b.createTime, b.updateTime];
}

function toGlobal(r: RowDataPacket): GlobalRecord {
  const ext = parseJson<{ headers?: Record<string, string> }>(r.ext_data, {});
  return {
    id: String(r.id),
    gid: r.gid as string,
    transType: r.trans_type as string,
    status: r.status as GlobalStatus,
    queryPrepared: r.query_prepared as string,
    protocol: r.protocol as string,
    options: parseJson(r.options, {}),
    customData: (r.custom_data as string | null) ?? '',
    headers: ext.headers ?? {},
    createTime: r.create_time as Date,
    updateTime: r.update_time as Date,
    finishTime: (r.finish_time as Date | null) ?? null,
    rollbackTime: (r.rollback_time as Date | null) ?? null,
    rollbackReason: r.rollback_reason as string,
    nextCronIntervalMs: Number(r.next_cron_interval_ms),
    nextCronTime: r.next_cron_time as Date,
    owner: r.owner as string,
    retryCount: Number(r.retry_count),
  };
}

function toBranch(r: RowDataPacket): BranchRecord {
  return {
    id: String(r.id),
    gid: r.gid as string,
    url: r.url as string,
    data: r.bin_data ? (r.bin_data as Buffer).toString('utf8') : '',
    branchId: r.branch_id as string,
    op: r.op as string,
    status: r.status as BranchStatusName,
    createTime: r.create_time as Date,
    updateTime: r.update_time as Date,
    finishTime: (r.finish_time as Date | null) ?? null,
  };
}

function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toKv(r: RowDataPacket): KvRecord {
  return {
    id: String(r.id),
    cat: r.cat as string,
    k: r.k as string,
    v: (r.v as string | null) ?? '',
    version: Number(r.version),
    createTime: r.create_time as Date,
    updateTime: r.update_time as Date,
  };
}
