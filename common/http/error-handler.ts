import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  DtmError,
  errorBody,
  httpStatusOf,
  InvalidInput,
  NotFound,
  PayloadTooLarge,
  UnsupportedMediaType,
} from '../errors';
import type { Logger } from '../log';
import { Limits } from '../protocol/trans-body';

/**
 * The status and JSON body that answer `err`, logged as a failure (5xx) or, when it is bad input or no
 * typed error, as a refusal at debug level.
 */
export function errorAnswer(
  log: Logger,
  err: unknown,
  method: string,
  url: string,
): { status: number; body: Record<string, string> } {
  const status = httpStatusOf(err);
  if (status >= 500) log.error({ err, method, url }, 'request failed');
  else if (!(err instanceof DtmError) || status === 400) log.debug({ err, url }, 'request refused');
  return { status, body: errorBody(err) };
}

/** The last middleware of every app: one error becomes one status and one JSON body. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body } = errorAnswer(log, fromBodyReader(err) ?? err, req.method, req.originalUrl);
    if (res.headersSent) return;
    res.status(status).json(body);
  };
}

/** A body over `Limits.bodyBytes`: 413 naming the limit. */
export function bodyTooLarge(cause?: unknown): PayloadTooLarge {
  return new PayloadTooLarge(`request body is larger than ${Limits.bodyBytes} bytes`, { field: 'body', cause });
}

/** A body that is not readable JSON: 400 saying why. */
export function unreadableBody(why: string, cause?: unknown): InvalidInput {
  return new InvalidInput(`request body cannot be read: ${why}`, { field: 'body', cause });
}

/** Answers unknown paths with a 404 that names the path, instead of Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFound(`no route for ${req.method} ${req.path}`));
};

/**
 * The typed error for what the body reader (and the router) refuse before a handler runs. They mark
 * their errors with a 4xx `status`: 413 for a body over the limit, 415 for a charset or content
 * encoding it cannot read, 400 for anything it cannot parse, corrupt gzip included.
 */
function fromBodyReader(err: unknown): DtmError | undefined {
  if (!(err instanceof Error) || err instanceof DtmError) return undefined;
  const status = (err as { status?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return bodyTooLarge(err);
  if (status === 415) {
    return new UnsupportedMediaType(`${err.message}; send JSON in UTF-8, plain or gzip/deflate/br`, {
      field: 'body',
      cause: err,
    });
  }
  return unreadableBody(err.message, err);
}
