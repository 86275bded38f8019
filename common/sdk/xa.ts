import type { AxiosInstance, AxiosResponse } from 'axios';
import { Op } from '../protocol/vocabulary';
import { GlobalTrans, runGlobalTrans } from './global-trans';
import type { TransOptions } from './trans-base';

/**
 * An XA global transaction (DTM's dtmcli/xa.go): the caller calls each branch itself; each branch
 * prepares a local XA transaction and registers its phase-2 URL; submit makes the coordinator commit
 * every registered branch, abort makes it roll them back.
 */
export class Xa extends GlobalTrans {
  constructor(dtm: string, gid: string, http?: AxiosInstance) {
    super(dtm, gid, 'xa', http);
  }

  /**
   * Calls a branch with op `action` and, as DTM's clients do, `phase2_url` set to the same URL: the
   * branch registers it and the coordinator calls it again with op `commit` or `rollback`.
   * @throws BranchFailure / BranchOngoing / UpstreamError from the branch's answer, which makes the
   * global transaction abort.
   */
  async callBranch(body: unknown, url: string): Promise<AxiosResponse<string>> {
    return this.requestBranch(url, body, this.nextBranchId(), Op.action, { phase2_url: url });
  }

  /**
   * Records a prepared branch with the coordinator (the branch side calls this, before XA PREPARE).
   * @throws BranchFailure when the transaction is no longer prepared (it timed out or was aborted).
   */
  async registerBranch(branchId: string, phase2Url: string): Promise<void> {
    await this.callDtm('registerBranch', {
      gid: this.gid,
      trans_type: this.transType,
      branch_id: branchId,
      url: phase2Url,
    });
  }
}

/**
 * Runs `body` as an XA transaction: prepare, the branch calls, then submit (every branch commits). Any
 * error from `body` aborts the transaction (every registered branch rolls back) and is rethrown; when
 * the abort itself cannot be delivered, the coordinator rolls back after the timeout instead, as in DTM
 * (dtmimp/trans_xa_base.go), so the body's error is the one reported.
 * @throws whatever `body` throws; BranchFailure from submit with wait_result when the transaction failed.
 */
export async function xaGlobalTransaction(
  dtm: string,
  gid: string,
  body: (xa: Xa) => Promise<void>,
  options: TransOptions = {},
  http?: AxiosInstance,
): Promise<void> {
  await runGlobalTrans(new Xa(dtm, gid, http).withOptions(options), body, 'keep the body error');
}
