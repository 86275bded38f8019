import type { AxiosInstance, AxiosResponse } from 'axios';
import { BranchFailure, BranchOngoing, UpstreamError } from '../errors';
import { branchIdOf, classifyAnswer, Outcome, type OpName } from '../protocol/vocabulary';
import type { TransWire } from '../protocol/trans-body';
import { createHttpClient } from '../http/client';

/** Options shared by every transaction type. Durations are seconds, as on the wire. */
export interface TransOptions {
  /** Submit returns only when the transaction has finished (or answers its failure). */
  waitResult?: boolean;
  /** Give up and roll back (saga, tcc) or query back (msg) after this many seconds. */
  timeoutToFail?: number;
  /** Timeout of every branch call, in seconds. */
  requestTimeout?: number;
  /** First retry interval in seconds; it doubles on each error. */
  retryInterval?: number;
  /** Stop retrying after this many failed rounds (saga). */
  retryLimit?: number;
  /** Headers the coordinator adds to every branch call. */
  branchHeaders?: Record<string, string>;
  /** Names of headers the coordinator copies from the submit request onto branch calls. */
  passthroughHeaders?: string[];
}

/**
 * Asks the coordinator for a gid (GET newGid).
 * @throws UpstreamError when the coordinator cannot be reached or answers badly.
 */
export async function newGid(dtm: string, http: AxiosInstance = sharedClient()): Promise<string> {
  const res = await http.get<string>(`${dtm}/newGid`).catch((err: unknown) => {
    throw new UpstreamError(`cannot reach the coordinator at ${dtm}: ${String(err)}`, { cause: err });
  });
  const body = safeJson(res.data);
  if (res.status !== 200 || typeof body?.gid !== 'string')
    throw new UpstreamError(`newGid answered ${res.status}: ${res.data}`);
  return body.gid;
}

let defaultClient: AxiosInstance | undefined;
/** The SDK's pooled HTTP client; callers may pass their own instead. */
export function sharedClient(): AxiosInstance {
  defaultClient ??= createHttpClient(10_000);
  return defaultClient;
}

/** State and wire format shared by Saga, Msg and Tcc. */
export abstract class TransBase {
  readonly options: TransOptions = {};
  customData: string | undefined;
  rollbackReason: string | undefined;
  private branchCount = 0;

  protected constructor(
    readonly dtm: string,
    readonly gid: string,
    readonly transType: string,
    protected readonly http: AxiosInstance = sharedClient(),
  ) {}

  /** The next id of a branch the caller runs itself (TCC, XA): 01, 02, … */
  nextBranchId(): string {
    this.branchCount += 1;
    return branchIdOf(this.branchCount - 1);
  }

  /** Merges options; returns `this` for chaining. */
  withOptions(options: TransOptions): this {
    Object.assign(this.options, options);
    return this;
  }

  /** The request body for prepare / submit / abort. */
  toWire(): TransWire {
    const o = this.options;
    const wire: TransWire = { gid: this.gid, trans_type: this.transType, concurrent: false, protocol: '' };
    if (this.customData !== undefined) wire.custom_data = this.customData;
    if (o.waitResult) wire.wait_result = true;
    if (o.timeoutToFail) wire.timeout_to_fail = o.timeoutToFail;
    if (o.requestTimeout) wire.request_timeout = o.requestTimeout;
    if (o.retryInterval) wire.retry_interval = o.retryInterval;
    if (o.branchHeaders && Object.keys(o.branchHeaders).length > 0) wire.branch_headers = o.branchHeaders;
    if (o.passthroughHeaders && o.passthroughHeaders.length > 0) wire.passthrough_headers = o.passthroughHeaders;
    if (o.retryLimit) wire.retry_limit = o.retryLimit;
    if (this.rollbackReason) wire.rollback_reason = this.rollbackReason;
    return wire;
  }

  /**
   * POSTs to `${dtm}/${operation}` and reads the answer as DTM clients do.
   * @throws BranchFailure on 409 / FAILURE (the coordinator refused, or a wait_result transaction failed),
   * BranchOngoing on 425, UpstreamError on anything else that is not a 200.
   */
  protected async callDtm(operation: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
    const res = await this.postToDtm(operation, body, headers);
    throwUnlessSuccess(res.status, String(res.data ?? ''), `${operation} of ${this.gid}`);
  }

  /**
   * POSTs to `${dtm}/${operation}` and returns the answer unread.
   * @throws UpstreamError when the coordinator cannot be reached.
   */
  protected async postToDtm(
    operation: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<AxiosResponse<string>> {
    const url = `${this.dtm}/${operation}`;
    return this.http
      .post<string>(url, body, { headers, timeout: (this.options.requestTimeout ?? 0) * 1000 || undefined })
      .catch((err: unknown) => {
        throw new UpstreamError(`cannot reach the coordinator at ${url}: ${String(err)}`, { cause: err });
      });
  }

  /**
   * POSTs `body` to a branch the caller runs itself (TCC try, XA action) with the query the protocol
   * gives it (`dtm, gid, branch_id, trans_type, op`, plus `extraQuery`) and the branch headers.
   * @returns the answer when it is a success.
   * @throws BranchFailure on 409 / FAILURE, BranchOngoing on 425 / ONGOING, UpstreamError on anything
   * else, including no answer.
   */
  protected async requestBranch(
    url: string,
    body: unknown,
    branchId: string,
    op: OpName,
    extraQuery: Record<string, string> = {},
  ): Promise<AxiosResponse<string>> {
    const params = { dtm: this.dtm, gid: this.gid, branch_id: branchId, trans_type: this.transType, op, ...extraQuery };
    const res = await this.http
      .post<string>(url, body ?? {}, { params, headers: this.options.branchHeaders ?? {} })
      .catch((err: unknown) => {
        throw new UpstreamError(`${op} ${url} did not answer: ${String(err)}`, { cause: err });
      });
    throwUnlessSuccess(res.status, String(res.data ?? ''), `${op} ${url}`);
    return res;
  }
}

/**
 * Reads an answer as the protocol does and throws unless it is a success.
 * @param what names the call in the messages (`submit of <gid>`, `action <url>`).
 * @throws BranchFailure on 409 / FAILURE, BranchOngoing on 425 / ONGOING, UpstreamError on any other
 * status but 200.
 */
export function throwUnlessSuccess(status: number, text: string, what: string): void {
  switch (classifyAnswer(status, text)) {
    case Outcome.success:
      return;
    case Outcome.failure:
      throw new BranchFailure(`${what} failed: ${text}`);
    case Outcome.ongoing:
      throw new BranchOngoing(`${what} is ongoing: ${text}`);
    case Outcome.error:
      throw new UpstreamError(`${what} answered ${status}: ${text}`);
  }
}

function safeJson(text: unknown): Record<string, unknown> | undefined {
  try {
    return typeof text === 'string' ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
