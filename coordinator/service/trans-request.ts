import type { TransBody } from '../../common/protocol/trans-body';
import { Protocol, type GlobalStatus } from '../../common/protocol/vocabulary';
import { dataOfBytes, dataOfText } from '../model/branch-data';
import type { GlobalRecord, WireOptions } from '../model/records';
import type { NewTransInput, RegisterInput } from '../trans-types/trans-type';
import { firstIntervalMs, type BackoffDefaults } from '../trans/backoff';

/** A prepare / submit / abort request after validation: the transaction, its options and headers. */
export interface TransRequest extends NewTransInput {
  protocol: string;
  options: WireOptions;
  rollbackReason: string;
  /** Values of the passthrough_headers found on the request. */
  headers: Record<string, string>;
}

/** A registerBranch request after validation. */
export interface RegisterBranchRequest extends RegisterInput {
  transType: string;
}

/**
 * Turns a validated transaction body into the service's request; both transports use it. `headerOf`
 * reads a request header (HTTP) or metadata entry (gRPC) for the passthrough_headers. `binPayloads`
 * are the raw step bodies a gRPC request carries; without them the body's payload texts are used,
 * turned into bytes for a gRPC transaction as DTM does (`[]byte(payload)`).
 */
export function transRequestOf(
  body: TransBody,
  headerOf: (name: string) => string | undefined,
  binPayloads?: readonly Uint8Array[],
): TransRequest {
  const protocol = body.protocol || Protocol.http;
  const headers: Record<string, string> = {};
  for (const name of body.passthrough_headers ?? []) {
    const value = headerOf(name);
    if (value !== undefined) headers[name] = value;
  }
  return {
    gid: body.gid,
    transType: body.trans_type,
    steps: body.steps ?? [],
    payloads: binPayloads ? binPayloads.map(dataOfBytes) : (body.payloads ?? []).map((p) => dataOfText(protocol, p)),
    customData: body.custom_data ?? '',
    queryPrepared: body.query_prepared ?? '',
    protocol,
    rollbackReason: body.rollback_reason ?? '',
    reqExtra: body.req_extra ?? {},
    headers,
    options: {
      wait_result: body.wait_result || undefined,
      timeout_to_fail: body.timeout_to_fail || undefined,
      request_timeout: body.request_timeout || undefined,
      retry_interval: body.retry_interval || undefined,
      retry_limit: body.retry_limit || undefined,
      branch_headers: body.branch_headers,
      passthrough_headers: body.passthrough_headers,
      concurrent: body.concurrent || undefined,
    },
  };
}

/** The record a new transaction of `req` is stored as, in `status`, its first pass one interval after `now`. */
export function newGlobalRecord(
  req: TransRequest,
  status: GlobalStatus,
  now: Date,
  defaults: BackoffDefaults,
): GlobalRecord {
  const interval = firstIntervalMs(req.options, defaults);
  return {
    gid: req.gid,
    transType: req.transType,
    status,
    queryPrepared: req.queryPrepared,
    protocol: req.protocol || Protocol.http,
    options: req.options,
    customData: req.customData,
    headers: req.headers,
    createTime: now,
    updateTime: now,
    finishTime: null,
    rollbackTime: null,
    rollbackReason: '',
    nextCronIntervalMs: interval,
    nextCronTime: new Date(now.getTime() + interval),
    owner: '',
    retryCount: 0,
  };
}
