import type { GlobalStatus } from '../../common/protocol/vocabulary';
import type { BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import { asStoredText } from '../model/stored-text';

/** How the Redis store's records become hash fields and JSON, and back. */

/** The JSON a branch is stored as: the record with its times as epoch milliseconds. */
export type StoredBranch = Omit<BranchRecord, 'createTime' | 'updateTime' | 'finishTime'> & {
  createTime: number;
  updateTime: number;
  finishTime: number | null;
};

/** The escape JSON.stringify writes for a lone UTF-16 surrogate. */
const SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/;

/**
 * JSON for a Lua script to decode. Redis's cjson refuses the escape JSON.stringify writes for a lone
 * surrogate (text cut inside a pair, or a client's "\ud800"), so such a surrogate becomes U+FFFD: the
 * bytes ioredis sends for it in a plain argument, and what any UTF-8 encoding of it turns into. Only a
 * document that holds one pays for the second pass.
 */
export function scriptJson(value: unknown): string {
  const text = JSON.stringify(value);
  // includes() first (JSON.stringify writes the escape in lower case): it scans a document about three
  // times faster than the expression, and almost no document holds the escape.
  if (!text.includes('\\ud') || !SURROGATE_ESCAPE.test(text)) return text;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? asStoredText(v) : v));
}

export function branchKey(branchId: string, op: string): string {
  return `${branchId}|${op}`;
}

export function globalFields(g: GlobalRecord): Record<string, string> {
  return {
    gid: g.gid,
    trans_type: g.transType,
    status: g.status,
    query_prepared: g.queryPrepared,
    protocol: g.protocol,
    options: JSON.stringify(g.options),
    custom_data: g.customData,
    headers: JSON.stringify(g.headers),
    create_time: String(g.createTime.getTime()),
    update_time: String(g.updateTime.getTime()),
    finish_time: g.finishTime ? String(g.finishTime.getTime()) : '',
    rollback_time: g.rollbackTime ? String(g.rollbackTime.getTime()) : '',
    rollback_reason: g.rollbackReason,
    next_cron_interval_ms: String(g.nextCronIntervalMs),
    next_cron_time: String(g.nextCronTime.getTime()),
    owner: g.owner,
    retry_count: String(g.retryCount),
  };
}

export function fromHash(h: Record<string, string>): GlobalRecord {
  const time = (v: string | undefined) => (v ? new Date(Number(v)) : null);
  return {
    id: h.id,
    gid: h.gid ?? '',
    transType: h.trans_type ?? '',
    status: h.status as GlobalStatus,
    queryPrepared: h.query_prepared ?? '',
    protocol: h.protocol ?? 'http',
    options: JSON.parse(h.options ?? '{}') as GlobalRecord['options'],
    customData: h.custom_data ?? '',
    headers: JSON.parse(h.headers ?? '{}') as Record<string, string>,
    createTime: new Date(Number(h.create_time)),
    updateTime: new Date(Number(h.update_time)),
    finishTime: time(h.finish_time),
    rollbackTime: time(h.rollback_time),
    rollbackReason: h.rollback_reason ?? '',
    nextCronIntervalMs: Number(h.next_cron_interval_ms),
    nextCronTime: new Date(Number(h.next_cron_time)),
    owner: h.owner ?? '',
    retryCount: Number(h.retry_count ?? 0),
  };
}

export function toStoredBranch(b: BranchRecord): StoredBranch {
  return {
    ...b,
    createTime: b.createTime.getTime(),
    updateTime: b.updateTime.getTime(),
    finishTime: b.finishTime?.getTime() ?? null,
  };
}

export function fromStoredBranch(s: StoredBranch): BranchRecord {
  return {
    ...s,
    createTime: new Date(s.createTime),
    updateTime: new Date(s.updateTime),
    finishTime: s.finishTime === null ? null : new Date(s.finishTime),
  };
}

export function fromStoredKv(cat: string, k: string, stored: string): KvRecord {
  const e = JSON.parse(stored) as { id: string; v: string; version: number; create_time: number; update_time: number };
  return {
    id: e.id,
    cat,
    k,
    v: e.v,
    version: e.version,
    createTime: new Date(e.create_time),
    updateTime: new Date(e.update_time),
  };
}
