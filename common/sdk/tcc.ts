import type { AxiosInstance, AxiosResponse } from 'axios';
import { Op } from '../protocol/vocabulary';
import { TransBase, type TransOptions } from './trans-base';

/**
 * A TCC global transaction: the caller runs each branch's Try itself, registering its Confirm and
 * Cancel first; the coordinator confirms all on submit or cancels all on abort.
 */
export class Tcc extends TransBase {
  constructor(dtm: string, gid: string, http?: AxiosInstance) {
    super(dtm, gid, 'tcc', http);
  }

  /** Records a branch's confirm and cancel URLs with the coordinator, before its Try runs. */
  async registerBranch(branchId: string, body: unknown, confirm: string, cancel: string): Promise<void> {
    await this.callDtm('registerBranch', {
      gid: this.gid,
      trans_type: this.transType,
      branch_id: branchId,
      data: JSON.stringify(body ?? {}),
      confirm,
      cancel,
    });
  }

  /**
   * Registers a branch, then calls its Try with the barrier's query string.
   * @throws BranchFailure / BranchOngoing / UpstreamError from Try's answer, which makes the global
   * transaction abort.
   */
  async callBranch(
    body: unknown,
    tryUrl: string,
    confirmUrl: string,
    cancelUrl: string,
  ): Promise<AxiosResponse<string>> {
    const branchId = this.nextBranchId();
    await this.registerBranch(branchId, body, confirmUrl, cancelUrl);
    return this.requestBranch(tryUrl, body, branchId, Op.try);
  }

  async prepare(): Promise<void> {
    await this.callDtm('prepare', this.toWire());
  }

  async submit(): Promise<void> {
    await this.callDtm('submit', this.toWire());
  }

  async abort(): Promise<void> {
    await this.callDtm('abort', this.toWire());
  }
}

/** What `runTcc` needs of a TCC transaction, over HTTP (Tcc) or gRPC (TccGrpc). */
export interface TccLike {
  rollbackReason: string | undefined;
  prepare(): Promise<void>;
  submit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Prepare, `body` (the tries), then submit; any error from `body` aborts the transaction (its cancels
 * run) and is rethrown.
 */
export async function runTcc<T extends TccLike>(tcc: T, body: (tcc: T) => Promise<void>): Promise<void> {
  await tcc.prepare();
  try {
    await body(tcc);
  } catch (err) {
    tcc.rollbackReason = err instanceof Error ? err.message.slice(0, 1000) : String(err);
    await tcc.abort();
    throw err;
  }
  await tcc.submit();
}

/** Runs `body` as a TCC transaction over HTTP (see `runTcc`). */
export async function tccGlobalTransaction(
  dtm: string,
  gid: string,
  body: (tcc: Tcc) => Promise<void>,
  options: TransOptions = {},
  http?: AxiosInstance,
): Promise<void> {
  await runTcc(new Tcc(dtm, gid, http).withOptions(options), body);
}
