import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { logRequest } from '../../common/http/access-log';
import { bodyTooLarge, errorAnswer, unreadableBody } from '../../common/http/error-handler';
import type { Logger } from '../../common/log';
import { DtmResult } from '../../common/protocol/vocabulary';
import { Limits } from '../../common/protocol/trans-body';
import type { Metrics } from '../observe/metrics';
import { apiNameOf } from './metrics-routes';

/**
 * An endpoint every transaction calls: takes the parsed JSON body and a reader of the request headers,
 * and resolves to the answer (undefined: `{"dtm_result":"SUCCESS"}`) or rejects with a typed error.
 */
export type HotHandler = (body: unknown, header: (name: string) => string | undefined) => Promise<unknown>;

export interface FastLaneOptions {
  /** The path the handlers' paths are under: `/api/dtmsvr`. */
  prefix: string;
  handlers: ReadonlyMap<string, HotHandler>;
  metrics: Metrics;
  log: Logger;
}

interface HotRoute {
  handler: HotHandler;
  /** Its name in the request metrics. */
  api: string;
}

/**
 * Serves the hot endpoints on plain node:http and hands every other request to `fallback` (the express
 * app). A submit through express's router, body parser and response helpers cost about as much CPU as the
 * rest of the coordinator's work on it, so the requests that make up a transaction skip them: a POST to a
 * hot path with an uncompressed UTF-8 body. Anything else (a compressed body, another charset, a path
 * spelled another way) goes to express, which mounts the same handlers and reads every encoding.
 */
export function withFastLane(fallback: RequestListener, options: FastLaneOptions): RequestListener {
  const routes = new Map<string, HotRoute>();
  for (const [path, handler] of options.handlers) {
    routes.set(options.prefix + path, { handler, api: apiNameOf(path) });
  }
  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const hot = req.method === 'POST' ? routes.get(query === -1 ? url : url.slice(0, query)) : undefined;
    if (hot === undefined || !readsAsIs(req)) {
      fallback(req, res);
      return;
    }
    serve(req, res, hot, options);
  };
}

/** Whether the body is JSON the fast lane reads itself: no content encoding, no charset but UTF-8. */
function readsAsIs(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function serve(req: IncomingMessage, res: ServerResponse, hot: HotRoute, options: FastLaneOptions): void {
  const started = process.hrtime.bigint();
  const finish = (status: number, payload: unknown) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    options.metrics.request(hot.api, status < 400, Number(process.hrtime.bigint() - started) / 1e9);
    if (options.log.isLevelEnabled('debug')) logRequest(options.log, 'POST', req.url ?? '', status, started);
  };
  const fail = (err: unknown) => {
    const { status, body } = errorAnswer(options.log, err, 'POST', req.url ?? '');
    finish(status, body);
  };
  if (Number(req.headers['content-length']) > Limits.bodyBytes) {
    // The rest of a body this large is not worth reading: the connection closes after the answer.
    res.shouldKeepAlive = false;
    fail(bodyTooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size <= Limits.bodyBytes) {
      chunks.push(chunk);
      return;
    }
    refused = true;
    chunks.length = 0;
    res.shouldKeepAlive = false;
    fail(bodyTooLarge());
  });
  req.on('end', () => {
    if (refused) return;
    run(hot.handler, req, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
      .then((result) => finish(200, result === undefined ? { dtm_result: DtmResult.success } : result), fail)
      .catch((err: unknown) => {
        options.log.error({ err, url: req.url }, 'answer could not be written');
        res.destroy();
      });
  });
}

/** Parses the body and runs the handler; whatever either throws becomes the rejection. */
async function run(handler: HotHandler, req: IncomingMessage, bytes: Buffer): Promise<unknown> {
  return handler(parseBody(bytes), (name) => headerOf(req, name));
}

/** The UTF-8 byte order mark some clients put first; express's parser drops it, and so does the fast lane. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The body as JSON, as express's JSON parser reads it: empty is `{}`, a byte order mark is dropped, and
 * the top level must be an object or an array.
 * @throws InvalidInput naming the body when it is not.
 */
function parseBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8', bytes.subarray(0, 3).equals(BOM) ? 3 : 0));
  } catch (err) {
    throw unreadableBody(err instanceof Error ? err.message : String(err), err);
  }
  if (typeof parsed !== 'object' || parsed === null) throw unreadableBody('the top level must be a JSON object');
  return parsed;
}

/** A request header by name, repeated values joined as express's `req.get` joins them. */
function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
