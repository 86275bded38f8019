import type { RequestHandler } from 'express';
import type { Logger } from '../log';

/** Logs one request's line: method, URL, status and latency since `startedNs` (process.hrtime.bigint). */
export function logRequest(log: Logger, method: string, url: string, status: number, startedNs: bigint): void {
  const ms = Number(process.hrtime.bigint() - startedNs) / 1e6;
  log.debug({ method, url, status, ms: Math.round(ms * 10) / 10 }, 'request');
}

/**
 * One line per request with its status and latency, at debug level so hot paths stay quiet by default;
 * below debug it costs nothing per request.
 */
export function accessLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    if (log.isLevelEnabled('debug')) {
      const started = process.hrtime.bigint();
      res.on('finish', () => logRequest(log, req.method, req.originalUrl, res.statusCode, started));
    }
    next();
  };
}
