import { branchMetadata } from '../grpc/metadata';
import { splitGrpcUrl } from '../grpc/raw-client';
import { errorFromGrpc } from '../grpc/status';
import type { TransWire } from '../protocol/trans-body';
import { Op } from '../protocol/vocabulary';
import { callDtmGrpc, grpcMethodOf, sharedGrpcClients, toDtmRequest } from './dtm-grpc';
import { runTcc } from './tcc';
import { GlobalTrans } from './global-trans';
import type { TransOptions } from './trans-base';

/** How long a Try may take when the transaction sets no request_timeout. */
const DEFAULT_TRY_TIMEOUT_MS = 10_000;

/**
 * A TCC transaction through the coordinator's gRPC API, with gRPC branches: the caller runs each Try
 * itself (a unary call with the barrier's identity in metadata), after registering its Confirm and
 * Cancel with the request bytes they will receive.
 */
export class TccGrpc extends GlobalTrans {
  /** @param server the coordinator's gRPC address, `host:port`. */
  constructor(server: string, gid: string) {
    super(server, gid, 'tcc');
  }

  /** Records a branch's confirm and cancel methods and their request bytes, before its Try runs. */
  async registerBranch(branchId: string, payload: Uint8Array, confirm: string, cancel: string): Promise<void> {
    await callDtmGrpc(
      this.dtm,
      'RegisterBranch',
      {
        Gid: this.gid,
        TransType: this.transType,
        BranchID: branchId,
        Data: { confirm, cancel },
        BusiPayload: Buffer.from(payload),
      },
      { what: `registerBranch of ${this.gid}` },
    );
  }

  /**
   * Registers a branch, then calls its Try with `payload`.
   * @returns the Try's reply bytes.
   * @throws BranchFailure (ABORTED), BranchOngoing (FAILED_PRECONDITION) or UpstreamError from the Try,
   * which makes the global transaction abort.
   */
  async callBranch(payload: Uint8Array, tryUrl: string, confirmUrl: string, cancelUrl: string): Promise<Buffer> {
    const branchId = this.nextBranchId();
    await this.registerBranch(branchId, payload, confirmUrl, cancelUrl);
    const metadata = branchMetadata(
      { gid: this.gid, trans_type: this.transType, branch_id: branchId, op: Op.try, dtm: this.dtm },
      this.options.branchHeaders ?? {},
    );
    const timeout = (this.options.requestTimeout ?? 0) * 1000 || DEFAULT_TRY_TIMEOUT_MS;
    try {
      return await sharedGrpcClients().call(splitGrpcUrl(tryUrl), Buffer.from(payload), metadata, timeout);
    } catch (err) {
      throw errorFromGrpc(err, `try ${tryUrl}`);
    }
  }

  protected override async callDtm(operation: string, body: unknown, headers: Record<string, string> = {}) {
    await callDtmGrpc(this.dtm, grpcMethodOf(operation), toDtmRequest(body as TransWire, []), {
      headers,
      what: `${operation} of ${this.gid}`,
    });
  }
}

/** Runs `body` as a TCC transaction over gRPC: prepare, the tries, submit; abort on any error. */
export async function tccGlobalTransactionGrpc(
  server: string,
  gid: string,
  body: (tcc: TccGrpc) => Promise<void>,
  options: TransOptions = {},
): Promise<void> {
  await runTcc(new TccGrpc(server, gid).withOptions(options), body);
}
