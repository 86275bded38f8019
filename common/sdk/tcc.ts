import type { AxiosInstance, AxiosResponse } from 'axios';
import { Op } from '../protocol/vocabulary';
import { GlobalTrans, runGlobalTrans } from './global-trans';
import type { TransOptions } from './trans-base';

/**
 * A TCC global transaction: the caller runs each branch's Try itself, registering its Confirm and
 * Cancel first; the coordinator confirms all on submit or cancels all on abort.
 */
export class Tcc extends GlobalTrans {
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
}

/**
 * Prepare, `body` (the tries), then submit; any error from `body` aborts the transaction (its cancels
 * run) and is rethrown, over HTTP (Tcc) or gRPC (TccGrpc).
 */
export async function runTcc<T extends GlobalTrans>(tcc: T, body: (tcc: T) => Promise<void>): Promise<void> {
  await runGlobalTrans(tcc, body, 'throw');
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
