import type { NextFunction, Request, Response } from 'express';
import { DtmResult } from '../protocol/vocabulary';

type Handler = (req: Request, res: Response) => Promise<unknown> | unknown;

/**
 * Wraps a handler that returns its result: `undefined` becomes `{"dtm_result":"SUCCESS"}`, an object is
 * sent as JSON, and a thrown error goes to the shared error middleware (Express 5 forwards rejections).
 */
export function route(handler: Handler) {
  return async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const result = await handler(req, res);
    if (res.headersSent) return;
    res.status(200).json(result === undefined ? { dtm_result: DtmResult.success } : result);
  };
}
