import type { RowDataPacket } from 'mysql2';
import type { BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import type { BranchStatusName, GlobalStatus } from '../../common/protocol/vocabulary';

/** How records map to and from the rows of mysql-schema.sql. */

export function insertGlobalSql(): string {
  return `INSERT INTO trans_global (gid, trans_type, status, query_prepared, protocol, create_time, update_time,
    rollback_reason, options, custom_data, next_cron_interval_ms, next_cron_time, owner, ext_data, retry_count)
   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;
}

/**
 * `at`, when datetime(3) can hold it. mysql2 would send an invalid Date as a zero date, which MariaDB
 * stores without complaint and which is due for ever and unreadable afterwards.
 * @throws Error naming the time otherwise; nothing is written then.
 */
export function storableTime(at: Date): Date {
  const year = at.getUTCFullYear();
  if (Number.isNaN(at.getTime()) || year < 1000 || year > 9999) {
    throw new Error(`time ${String(at)} cannot be stored in a datetime column`);
  }
  return at;
}

export function globalRow(g: GlobalRecord): unknown[] {
  return [
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
    storableTime(g.nextCronTime),
    g.owner,
    JSON.stringify({ headers: g.headers }),
    g.retryCount,
  ];
}

export function insertBranchesSql(ignoreExisting: boolean): string {
  return `INSERT ${ignoreExisting ? 'IGNORE ' : ''}INTO trans_branch_op (gid, url, bin_data, branch_id, op, status, create_time, update_time) VALUES ?`;
}

export function branchRow(b: BranchRecord): unknown[] {
  return [b.gid, b.url, Buffer.from(b.data, 'utf8'), b.branchId, b.op, b.status, b.createTime, b.updateTime];
}

export function toGlobal(r: RowDataPacket): GlobalRecord {
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

export function toBranch(r: RowDataPacket): BranchRecord {
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

export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toKv(r: RowDataPacket): KvRecord {
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
