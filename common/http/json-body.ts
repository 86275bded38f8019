import express, { type RequestHandler } from 'express';
import { Limits } from '../protocol/trans-body';

/**
 * Reads every request body as JSON, whatever its content type (clients of every language post JSON,
 * some without one), up to `Limits.bodyBytes`. What it refuses goes to the error handler as 400, 413
 * or 415.
 */
export function jsonBody(): RequestHandler {
  return express.json({ limit: Limits.bodyBytes, type: () => true });
}
