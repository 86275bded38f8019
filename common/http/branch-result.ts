import type { NextFunction, Request, Response } from 'express';
import { DtmResult } from '../errors';

/** How the DTM protocol reads an HTTP answer from a branch or from the coordinator. */
export const Outcome = { success: 'SUCCESS', failure: 'FAILURE', ongoing: 'ONGOING', error: 'ERROR' } as const;
export type OutcomeWord = (typeof Outcome)[keyof typeof Outcome];

/**
 * Classifies an answer exactly as DTM does: 425 or a body containing ONGOING is ongoing; 409 or a body
 * containing FAILURE is a failure; any other non-200 is an error to retry; a 200 is success.
 */
export function classifyAnswer(status: number, bodyText: string): OutcomeWord {
  if (status === 425 || bodyText.includes(DtmResult.ongoing)) return Outcome.ongoing;
  if (status === 409 || bodyText.includes(DtmResult.failure)) return Outcome.failure;
  if (status !== 200) return Outcome.error;
  return Outcome.success;
}

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
