import { Agent, type Dispatcher } from 'undici';
import { classifyAnswer, Outcome, Protocol, type OutcomeWord } from '../../common/protocol/vocabulary';
import { bytesOfData } from '../model/branch-data';
import type { GlobalRecord } from '../model/records';
import { GrpcBranchCaller } from './grpc-branch-call';

/** What a branch answered, as the protocol reads it, with the raw text for logs and rollback reasons. */
export interface BranchAnswer {
  outcome: OutcomeWord;
  /** The HTTP status, or the gRPC status code of a gRPC call. */
  status: number;
  text: string;
  ms: number;
}

/** The branch operation to call: its URL, ids and body. */
export interface BranchTarget {
  url: string;
  branchId: string;
  op: string;
  data: string;
}

/** Whether a branch URL is called over gRPC: in a gRPC transaction, unless it is an http(s) URL (DTM). */
export function callsOverGrpc(protocol: string, url: string): boolean {
  return protocol === Protocol.grpc && !/^https?:\/\//.test(url);
}

/**
 * Calls branches the way DTM does, over gRPC (grpc-branch-call.ts) when `callsOverGrpc`, else over HTTP: POST with the stored JSON body (GET when there is none),
 * `gid, branch_id, op, trans_type` added to the URL's query, the passthrough and branch headers, and the transaction's
 * request_timeout (or the configured default). Uses undici's pooled keep-alive client: branch calls are
 * the coordinator's hot path, and it costs less CPU per call than axios.
 */
export class BranchCaller {
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 256 });
  private readonly grpc: GrpcBranchCaller;

  constructor(private readonly defaultTimeoutMs: number) {
    this.grpc = new GrpcBranchCaller(defaultTimeoutMs);
  }

  /** How long a call of one of `trans`'s branches may take: its request_timeout, else the default. */
  timeoutMsOf(trans: GlobalRecord): number {
    return trans.options.request_timeout ? trans.options.request_timeout * 1000 : this.defaultTimeoutMs;
  }

  /**
   * @param alwaysPost POST even without a body; otherwise an empty body is a GET, as in DTM.
   */
  async call(trans: GlobalRecord, target: BranchTarget, alwaysPost: boolean): Promise<BranchAnswer> {
    if (target.url === '') return { outcome: Outcome.success, status: 200, text: 'empty url: nothing to call', ms: 0 };
    if (callsOverGrpc(trans.protocol, target.url)) return this.grpc.call(trans, target);
    const started = Date.now();
    const timeout = this.timeoutMsOf(trans);
    const headers = { 'content-type': 'application/json', ...trans.headers, ...(trans.options.branch_headers ?? {}) };
    try {
      const url = new URL(withBranchQuery(target.url, trans, target));
      const { statusCode, text } = await exchange(
        this.agent,
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: target.data === '' && !alwaysPost ? 'GET' : 'POST',
          body: target.data === '' ? undefined : bytesOfData(trans.protocol, target.data),
          headers,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        },
        timeout,
      );
      return { outcome: classifyAnswer(statusCode, text), status: statusCode, text, ms: Date.now() - started };
    } catch (err) {
      return {
        outcome: Outcome.error,
        status: 0,
        text: `request failed: ${err instanceof Error ? err.message : String(err)}`,
        ms: Date.now() - started,
      };
    }
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    this.grpc.close();
    await this.agent.close();
  }
}

/**
 * One request on the pooled agent, answered with its status and body text, or rejected when it fails or
 * has not finished within `timeoutMs`. undici's dispatch with a handler of its own: the branch call is
 * the hot path, and the request() API's body stream, async resource and abort signal cost more CPU than
 * the call's own parsing.
 */
function exchange(
  agent: Agent,
  options: Dispatcher.DispatchOptions,
  timeoutMs: number,
): Promise<{ statusCode: number; text: string }> {
  return new Promise((resolve, reject) => {
    let statusCode = 0;
    const chunks: Buffer[] = [];
    let abort: ((err: Error) => void) | undefined;
    let expired: Error | undefined;
    const timer = setTimeout(() => {
      expired = new Error(`no answer within ${timeoutMs} ms`);
      abort?.(expired);
      reject(expired);
    }, timeoutMs);
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abortRequest) {
        abort = abortRequest;
        if (expired) abortRequest(expired);
      },
      onHeaders(status) {
        statusCode = status;
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        clearTimeout(timer);
        resolve({ statusCode, text: Buffer.concat(chunks).toString('utf8') });
      },
      onError(err) {
        clearTimeout(timer);
        reject(err);
      },
    };
    try {
      agent.dispatch(options, handler);
    } catch (err) {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/**
 * The URL with `branch_id, gid, op, trans_type` appended to the query it may already carry (a routed
 * `…/TransOut?tenant=7` keeps its own parameters), as DTM appends them.
 */
export function withBranchQuery(url: string, trans: GlobalRecord, target: BranchTarget): string {
  const params = new URLSearchParams({
    branch_id: target.branchId,
    gid: trans.gid,
    op: target.op,
    trans_type: trans.transType,
  }).toString();
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${params}`;
}
