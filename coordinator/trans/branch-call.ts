import type { AxiosInstance } from 'axios';
import { classifyAnswer, Outcome, type OutcomeWord } from '../../common/http/branch-result';
import type { GlobalRecord } from './records';

/** What a branch answered, as the protocol reads it, with the raw text for logs and rollback reasons. */
export interface BranchAnswer {
  outcome: OutcomeWord;
  status: number;
  text: string;
  ms: number;
}

/** The branch operation to call: its URL, ids and body (empty body means GET, as in DTM). */
export interface BranchTarget {
  url: string;
  branchId: string;
  op: string;
  data: string;
}

/**
 * Calls branches over HTTP the way DTM does: POST with the stored JSON body (GET when there is none),
 * query `gid, trans_type, branch_id, op`, the passthrough and branch headers, and the transaction's
 * request_timeout (or the configured default).
 */
export class BranchCaller {
  constructor(
    private readonly http: AxiosInstance,
    private readonly defaultTimeoutMs: number,
  ) {}

  async call(trans: GlobalRecord, target: BranchTarget): Promise<BranchAnswer> {
    if (target.url === '') return { outcome: Outcome.success, status: 200, text: 'empty url: nothing to call', ms: 0 };
    const started = Date.now();
    const timeout = trans.options.request_timeout ? trans.options.request_timeout * 1000 : this.defaultTimeoutMs;
    const headers = { 'Content-Type': 'application/json', ...trans.headers, ...(trans.options.branch_headers ?? {}) };
    const params = { gid: trans.gid, trans_type: trans.transType, branch_id: target.branchId, op: target.op };
    try {
      const res = await this.http.request<string>({
        url: target.url,
        method: target.data === '' ? 'GET' : 'POST',
        data: target.data === '' ? undefined : target.data,
        params,
        headers,
        timeout,
      });
      const text = String(res.data ?? '');
      return { outcome: classifyAnswer(res.status, text), status: res.status, text, ms: Date.now() - started };
    } catch (err) {
      return { outcome: Outcome.error, status: 0, text: `request failed: ${err instanceof Error ? err.message : String(err)}`, ms: Date.now() - started };
    }
  }
}
