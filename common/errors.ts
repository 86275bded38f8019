import { DtmResult } from './protocol/vocabulary';

/**
 * Typed errors shared by the coordinator, the SDK and the examples. Each class fixes its `code`, and
 * `httpStatusOf` / `errorBody` turn any error into the one HTTP answer the DTM protocol expects.
 */

/** Base class: a stable `code`, a message that says what to do, and optionally the offending field. */
export abstract class DtmError extends Error {
  abstract readonly code: string;
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = options.field;
    this.name = new.target.name;
  }
}

/** A public or coordinator request is malformed. Answered with 400; retrying the same request cannot help. */
export class InvalidInput extends DtmError {
  readonly code = 'INVALID_INPUT';
}

/**
 * An admin operation (or a branch endpoint of the examples) was called without the token or secret it
 * needs, or from where it is not allowed. Answered with 401; nothing was done.
 */
export class Unauthorized extends DtmError {
  readonly code = 'UNAUTHORIZED';
}

/** Something addressed by id does not exist (an unknown gid, say). Answered with 404. */
export class NotFound extends DtmError {
  readonly code = 'NOT_FOUND';
}

/**
 * The branch (or the whole operation) failed for good: 409 with `FAILURE`. The coordinator rolls a saga
 * back on it and never retries it. Branch handlers also throw it for input they can never accept.
 */
export class BranchFailure extends DtmError {
  readonly code = 'FAILURE';
}

/** Not finished yet; ask again later: 425 with `ONGOING`. The coordinator retries without back-off. */
export class BranchOngoing extends DtmError {
  readonly code = 'ONGOING';
}

/** A transaction was asked to move to a status its current one does not allow. 409, like DTM. */
export class IllegalTransition extends DtmError {
  readonly code = 'ILLEGAL_TRANSITION';
}

/**
 * The gid is taken by a transaction stored with other steps or payloads: a resubmit must repeat the
 * stored request. 409, with `field` naming the first difference.
 */
export class Conflict extends DtmError {
  readonly code = 'CONFLICT';
}

/** A 2-phase message's local step ran already for this gid (the barrier saw it); nothing was done twice. */
export class Duplicated extends DtmError {
  readonly code = 'DUPLICATED';
}

/** A call to another service (the coordinator, a branch) failed in a way that may pass if retried. */
export class UpstreamError extends DtmError {
  readonly code = 'UPSTREAM_ERROR';
}

/** A request body larger than the limit (after decompression). Answered with 413. */
export class PayloadTooLarge extends DtmError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** A request body in a charset or content encoding the server cannot read. Answered with 415. */
export class UnsupportedMediaType extends DtmError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

/** A service this one depends on (its store) does not answer now; it may once that is back. 503. */
export class Unavailable extends DtmError {
  readonly code = 'UNAVAILABLE';
}

/** The HTTP status for an error; anything unknown is a 500, which the coordinator retries. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof InvalidInput) return 400;
  if (err instanceof Unauthorized) return 401;
  if (err instanceof NotFound) return 404;
  if (
    err instanceof BranchFailure ||
    err instanceof IllegalTransition ||
    err instanceof Conflict ||
    err instanceof Duplicated
  )
    return 409;
  if (err instanceof PayloadTooLarge) return 413;
  if (err instanceof UnsupportedMediaType) return 415;
  if (err instanceof BranchOngoing) return 425;
  if (err instanceof UpstreamError) return 502;
  if (err instanceof Unavailable) return 503;
  return 500;
}

/** The JSON body for an error: DTM's `dtm_result` plus our `code`, `message` and `field`. */
export function errorBody(err: unknown): Record<string, string> {
  const status = httpStatusOf(err);
  const dtmResult = status === 409 ? DtmResult.failure : status === 425 ? DtmResult.ongoing : 'ERROR';
  const message = err instanceof Error ? err.message : String(err);
  const body: Record<string, string> = {
    dtm_result: dtmResult,
    code: err instanceof DtmError ? err.code : 'INTERNAL',
    message,
  };
  if (err instanceof DtmError && err.field !== undefined) body.field = err.field;
  return body;
}
