import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DtmError, errorBody, httpStatusOf, InvalidInput, NotFound } from '../errors';
import type { Logger } from '../log';

/** The last middleware of every app: one error becomes one status and one JSON body. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const normalized = isBodyParserError(err)
      ? new InvalidInput(`request body is not valid JSON: ${err.message}`, { field: 'body' })
      : err;
    const status = httpStatusOf(normalized);
    if (status >= 500) log.error({ err: normalized, method: req.method, url: req.originalUrl }, 'request failed');
    else if (!(normalized instanceof DtmError) || status === 400)
      log.debug({ err: normalized, url: req.originalUrl }, 'request refused');
    if (res.headersSent) return;
    res.status(status).json(errorBody(normalized));
  };
}

/** Answers unknown paths with a 404 that names the path, instead of Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFound(`no route for ${req.method} ${req.path}`));
};

function isBodyParserError(err: unknown): err is Error & { type: string } {
  return (
    err instanceof Error &&
    typeof (err as { type?: unknown }).type === 'string' &&
    (err as { status?: unknown }).status === 400
  );
}
