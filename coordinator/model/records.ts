import type { BranchStatusName, GlobalStatus } from '../../common/protocol/vocabulary';

/** Transaction options as they travel on the wire and are stored: DTM's names, seconds for durations. */
export interface WireOptions {
  wait_result?: boolean;
  timeout_to_fail?: number;
  request_timeout?: number;
  retry_interval?: number;
  retry_limit?: number;
  branch_headers?: Record<string, string>;
  passthrough_headers?: string[];
  concurrent?: boolean;
}

/** A global transaction as the store keeps it. Times are Dates; intervals are milliseconds. */
export interface GlobalRecord {
  gid: string;
  transType: string;
  status: GlobalStatus;
  queryPrepared: string;
  protocol: string;
  options: WireOptions;
  customData: string;
  /** Headers copied from the submit request (passthrough_headers), replayed on every branch call. */
  headers: Record<string, string>;
  createTime: Date;
  updateTime: Date;
  finishTime: Date | null;
  rollbackTime: Date | null;
  rollbackReason: string;
  nextCronIntervalMs: number;
  nextCronTime: Date;
  owner: string;
  /** Rounds that ended in an error; compared with `options.retry_limit`. */
  retryCount: number;
  /** Store-assigned position used for listing; absent until saved. */
  id?: string;
}

/** One operation of one branch (`action` and `compensate` of a saga step are two records). */
export interface BranchRecord {
  gid: string;
  url: string;
  /** The request body, as the caller's JSON text. */
  data: string;
  branchId: string;
  op: string;
  status: BranchStatusName;
  createTime: Date;
  updateTime: Date;
  finishTime: Date | null;
  /** Store-assigned position, in creation order; absent until saved. */
  id?: string;
}

/** One entry of the key-value store (DTM's `kv` table): topics and their subscribers live here. */
export interface KvRecord {
  id: string;
  cat: string;
  k: string;
  v: string;
  /** Starts at 1 and grows with each update; updates compare it (optimistic lock). */
  version: number;
  createTime: Date;
  updateTime: Date;
}

/** A branch operation's result, recorded together with the next write of its transaction. */
export interface BranchOutcome {
  branchId: string;
  op: string;
  status: BranchStatusName;
  at: Date;
}
