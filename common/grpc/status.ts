import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import {
  BranchFailure,
  BranchOngoing,
  Conflict,
  DtmError,
  Duplicated,
  IllegalTransition,
  InvalidInput,
  NotFound,
  Unauthorized,
  UpstreamError,
} from '../errors';
import { DtmResult, Outcome, type OutcomeWord } from '../protocol/vocabulary';

/**
 * The DTM protocol over gRPC status codes (DTM dtmgrpc/type.go): FAILURE travels as ABORTED and ONGOING
 * as FAILED_PRECONDITION, in both directions; a branch answering OK succeeded; anything else is an
 * error the coordinator retries with back-off.
 */

/** The gRPC status for an error: the counterpart of `httpStatusOf`. */
export function grpcStatusOf(err: unknown): status {
  if (err instanceof InvalidInput) return status.INVALID_ARGUMENT;
  if (err instanceof NotFound) return status.NOT_FOUND;
  if (err instanceof Unauthorized) return status.UNAUTHENTICATED;
  if (
    err instanceof BranchFailure ||
    err instanceof IllegalTransition ||
    err instanceof Conflict ||
    err instanceof Duplicated
  ) {
    return status.ABORTED;
  }
  if (err instanceof BranchOngoing) return status.FAILED_PRECONDITION;
  if (err instanceof UpstreamError) return status.UNAVAILABLE;
  return status.INTERNAL;
}

/** An error as a gRPC handler answers it: its status code, its message, and its field in metadata. */
export function toGrpcError(err: unknown): Partial<StatusObject> & { code: status } {
  const metadata = new Metadata();
  if (err instanceof DtmError) {
    metadata.set('dtm-code', err.code);
    if (err.field !== undefined) metadata.set('dtm-field', err.field);
  }
  return { code: grpcStatusOf(err), details: err instanceof Error ? err.message : String(err), metadata };
}

/** The answer of a gRPC branch handler that failed for good: ABORTED, so a saga rolls back. */
export function failureStatus(message: string): Partial<StatusObject> & { code: status } {
  return { code: status.ABORTED, details: message };
}

/** The answer of a gRPC branch handler that is not done yet: FAILED_PRECONDITION, asked again later. */
export function ongoingStatus(message: string): Partial<StatusObject> & { code: status } {
  return { code: status.FAILED_PRECONDITION, details: message };
}

/**
 * Reads a branch's gRPC answer as DTM does: OK succeeds, ABORTED is FAILURE (except the message
 * `ONGOING`, which DTM before 1.10 sent with ABORTED), FAILED_PRECONDITION is ONGOING, the rest errors.
 */
export function outcomeOfGrpc(code: status, details: string): OutcomeWord {
  if (code === status.OK) return Outcome.success;
  if (code === status.ABORTED) return details === DtmResult.ongoing ? Outcome.ongoing : Outcome.failure;
  if (code === status.FAILED_PRECONDITION) return Outcome.ongoing;
  return Outcome.error;
}

/** True for the errors a gRPC call rejects with. */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/**
 * The SDK's typed error for a failed gRPC call to the coordinator or a branch.
 * @param what names the call for the message (`submit of <gid>`).
 */
export function errorFromGrpc(err: unknown, what: string): DtmError {
  if (!isServiceError(err)) return new UpstreamError(`${what}: ${String(err)}`, { cause: err });
  const message = `${what}: ${status[err.code]} ${err.details}`;
  const field = err.metadata?.get('dtm-field')[0];
  const options = { cause: err, field: typeof field === 'string' ? field : undefined };
  if (err.code === status.INVALID_ARGUMENT) return new InvalidInput(message, options);
  if (err.code === status.NOT_FOUND) return new NotFound(message, options);
  if (err.code === status.UNAUTHENTICATED) return new Unauthorized(message, options);
  switch (outcomeOfGrpc(err.code, err.details)) {
    case Outcome.failure:
      return new BranchFailure(message, options);
    case Outcome.ongoing:
      return new BranchOngoing(message, options);
    default:
      return new UpstreamError(message, options);
  }
}
