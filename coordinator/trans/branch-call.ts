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
  /** Branch URLs parsed once, by the URL as stored. */
  private readonly endpoints = new Map<string, BranchEndpoint>();

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
      const endpoint = this.endpointOf(target.url);
      const { statusCode, text } = await exchange(
        this.agent,
        {
          origin: endpoint.origin,
          path: `${endpoint.path}${endpoint.join}${branchQuery(trans, target)}`,
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

  /** @throws TypeError when the URL does not parse. */
  private endpointOf(url: string): BranchEndpoint {
    let endpoint = this.endpoints.get(url);
    if (endpoint === undefined) {
      endpoint = parseEndpoint(url);
      if (this.endpoints.size >= ENDPOINTS_KEPT) this.endpoints.clear();
      this.endpoints.set(url, endpoint);
    }
    return endpoint;
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

/** Where a branch URL's calls go: the connection pool's origin, the path with the URL's own query, and what joins that to the branch query. */
type BranchEndpoint = Readonly<{
  origin: string;
  path: string;
  join: '?' | '&' | '';
}>;

/** How many parsed branch URLs a caller keeps: a coordinator usually calls few distinct URLs, many times each. */
const ENDPOINTS_KEPT = 1024;

/**
 * A branch URL parsed (and normalized, as WHATWG URL parsing does). The query it may carry already
 * stays, a routed `…/TransOut?tenant=7` keeps its parameters; the fragment goes, as no request carries one.
 * @throws TypeError when the URL does not parse.
 */
function parseEndpoint(url: string): BranchEndpoint {
  const parsed = new URL(url);
  const query = parsed.search;
  return {
    origin: parsed.origin,
    path: `${parsed.pathname}${query}`,
    join: query === '' ? '?' : query.endsWith('&') ? '' : '&',
  };
}

/** `branch_id, gid, op, trans_type`, the query DTM appends to every branch URL. */
function branchQuery(trans: GlobalRecord, target: BranchTarget): string {
  return `branch_id=${formValue(target.branchId)}&gid=${formValue(trans.gid)}&op=${formValue(target.op)}&trans_type=${formValue(trans.transType)}`;
}

/** What form encoding (URLSearchParams) leaves as it is: ASCII letters and digits, `*`, `-`, `.`, `_`. */
const FORM_SAFE = /^[\w*.-]*$/;

/**
 * A query value, form-encoded as URLSearchParams writes it. Ids and types are almost always plain
 * already, and the check is far cheaper than building a URLSearchParams per call.
 */
function formValue(value: string): string {
  return FORM_SAFE.test(value) ? value : new URLSearchParams([['', value]]).toString().slice(1);
}
