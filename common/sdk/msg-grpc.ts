import type { BranchBarrier } from '../barrier/barrier';
import { branchMetadata } from '../grpc/metadata';
import { splitGrpcUrl } from '../grpc/raw-client';
import { isServiceError, outcomeOfGrpc } from '../grpc/status';
import type { TransWire } from '../protocol/trans-body';
import { Outcome, type OutcomeWord } from '../protocol/vocabulary';
import { callDtmForTrans, sharedGrpcClients } from './dtm-grpc';
import { Msg } from './msg';

/** How long `doAndSubmit` waits for the query-back answer. */
const QUERY_PREPARED_TIMEOUT_MS = 10_000;

/**
 * A 2-phase message through the coordinator's gRPC API, with gRPC steps and a gRPC query-back method
 * (`host:port/package.Service/Method`); each step's payload is the serialized request message.
 */
export class MsgGrpc extends Msg {
  private readonly binPayloads: Uint8Array[] = [];

  /** @param server the coordinator's gRPC address, `host:port`. */
  constructor(server: string, gid: string) {
    super(server, gid);
  }

  /** Adds a step the coordinator will call with `payload` as the request bytes. */
  override add(action: string, payload: Uint8Array): this {
    super.add(action, undefined);
    this.binPayloads.push(payload);
    return this;
  }

  protected override async callDtm(operation: string, body: unknown, headers: Record<string, string> = {}) {
    const trans = { server: this.dtm, gid: this.gid, requestTimeout: this.options.requestTimeout };
    await callDtmForTrans(trans, operation, body as TransWire, this.binPayloads, headers);
  }

  /** The query-back over gRPC, with the barrier's identity in metadata (DTM MsgGrpc.DoAndSubmit). */
  protected override async askQueryPrepared(bb: BranchBarrier): Promise<OutcomeWord> {
    const metadata = branchMetadata({
      gid: this.gid,
      trans_type: this.transType,
      branch_id: bb.branchId,
      op: bb.op,
      dtm: this.dtm,
    });
    try {
      await sharedGrpcClients().call(
        splitGrpcUrl(this.queryPrepared),
        Buffer.alloc(0),
        metadata,
        QUERY_PREPARED_TIMEOUT_MS,
      );
      return Outcome.success;
    } catch (err) {
      return isServiceError(err) ? outcomeOfGrpc(err.code, err.details) : Outcome.error;
    }
  }
}
