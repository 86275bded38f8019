import { Protocol } from '../../common/protocol/vocabulary';
import { bytesOfData } from '../model/branch-data';
import type { BranchRecord, GlobalRecord } from '../model/records';

/**
 * Records as DTM's query and all endpoints print them: snake_case, empty fields left out, the options
 * both as a JSON string and spread at the top level, bin_data in base64 (Go's []byte), the cron
 * interval in seconds.
 */
export function globalToWire(g: GlobalRecord): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    id: g.id === undefined ? undefined : Number(g.id),
    create_time: g.createTime.toISOString(),
    update_time: g.updateTime.toISOString(),
    gid: g.gid,
    trans_type: g.transType,
    status: g.status,
    query_prepared: g.queryPrepared || undefined,
    protocol: g.protocol,
    finish_time: g.finishTime?.toISOString(),
    rollback_time: g.rollbackTime?.toISOString(),
    rollback_reason: g.rollbackReason || undefined,
    options: Object.keys(g.options).length > 0 ? JSON.stringify(g.options) : undefined,
    custom_data: g.customData || undefined,
    next_cron_interval: Math.round(g.nextCronIntervalMs / 1000),
    next_cron_time: g.nextCronTime.toISOString(),
    owner: g.owner || undefined,
    ext_data: Object.keys(g.headers).length > 0 ? JSON.stringify({ headers: g.headers }) : undefined,
    retry_count: g.retryCount || undefined,
    ...g.options,
    // DTM prints concurrent always, as its options struct has no omitempty on it.
    concurrent: g.options.concurrent === true,
  };
  return dropUndefined(wire);
}

/** A branch as DTM prints it; `protocol` is its transaction's, which decides what bytes bin_data holds. */
export function branchToWire(b: BranchRecord, protocol: string = Protocol.http): Record<string, unknown> {
  return dropUndefined({
    id: b.id === undefined ? undefined : Number(b.id),
    create_time: b.createTime.toISOString(),
    update_time: b.updateTime.toISOString(),
    gid: b.gid,
    url: b.url,
    bin_data: b.data === '' ? undefined : bytesOfData(protocol, b.data).toString('base64'),
    branch_id: b.branchId,
    op: b.op,
    status: b.status,
    finish_time: b.finishTime?.toISOString(),
  });
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
