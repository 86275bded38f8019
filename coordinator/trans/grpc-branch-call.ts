import { status } from '@grpc/grpc-js';
import { branchMetadata } from '../../common/grpc/metadata';
import { RawGrpcClients, splitGrpcUrl } from '../../common/grpc/raw-client';
import { isServiceError, outcomeOfGrpc } from '../../common/grpc/status';
import { Outcome } from '../../common/protocol/vocabulary';
import { bytesOfData } from '../model/branch-data';
import type { GlobalRecord } from '../model/records';
import type { BranchAnswer, BranchTarget } from './branch-call';

/**
 * Calls branches of gRPC transactions as DTM does: a unary call of `host:port/package.Service/Method`
 * with the branch's raw payload bytes, the transaction's identity in metadata (`dtm-gid`, …), the
 * passthrough and branch headers as metadata too, and request_timeout (or the default) as the deadline.
 * The answer's `status` is the gRPC status code.
 */
export class GrpcBranchCaller {
  private readonly clients = new RawGrpcClients();

  constructor(private readonly defaultTimeoutMs: number) {}

  async call(trans: GlobalRecord, target: BranchTarget): Promise<BranchAnswer> {
    const started = Date.now();
    const timeout = trans.options.request_timeout ? trans.options.request_timeout * 1000 : this.defaultTimeoutMs;
    const answer = (code: number, text: string): BranchAnswer => ({
      outcome: outcomeOfGrpc(code, text),
      status: code,
      text,
      ms: Date.now() - started,
    });
    try {
      const metadata = branchMetadata(
        { gid: trans.gid, trans_type: trans.transType, branch_id: target.branchId, op: target.op, dtm: '' },
        { ...trans.headers, ...(trans.options.branch_headers ?? {}) },
      );
      await this.clients.call(splitGrpcUrl(target.url), bytesOfData(trans.protocol, target.data), metadata, timeout);
      return answer(status.OK, 'OK');
    } catch (err) {
      if (isServiceError(err)) return answer(err.code, err.details);
      const text = `call failed: ${err instanceof Error ? err.message : String(err)}`;
      return { outcome: Outcome.error, status: status.UNKNOWN, text, ms: Date.now() - started };
    }
  }

  close(): void {
    this.clients.close();
  }
}
