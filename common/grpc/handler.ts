import type { handleUnaryCall, Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { BranchFailure, BranchOngoing } from '../errors';
import type { Logger } from '../log';
import { toGrpcError } from './status';

/**
 * A unary gRPC handler from an async function: its result is the reply, and a thrown error becomes the
 * status the protocol expects (BranchFailure → ABORTED, BranchOngoing → FAILED_PRECONDITION,
 * InvalidInput → INVALID_ARGUMENT, …; see status.ts). One debug line per call with its latency.
 */
export function unaryHandler<Req, Res>(
  name: string,
  log: Logger,
  handle: (request: Req, metadata: Metadata, peer: string) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const started = process.hrtime.bigint();
    const done = (code: string) =>
      log.debug({ method: name, code, ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000 }, 'grpc call');
    Promise.resolve()
      .then(() => handle(call.request, call.metadata, call.getPeer()))
      .then(
        (reply) => {
          done('OK');
          callback(null, reply);
        },
        (err: unknown) => {
          const answer = toGrpcError(err);
          done(String(answer.code));
          if (!(err instanceof BranchFailure || err instanceof BranchOngoing))
            log.debug({ err, method: name }, 'grpc error');
          callback(answer);
        },
      );
  };
}
