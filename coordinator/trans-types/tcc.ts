import { Op } from '../../common/sdk/trans-base';
import type { BranchRecord } from '../trans/records';
import { BranchStatus, Status } from '../trans/status';
import type { TransRun } from '../trans/trans-run';
import type { TransType } from './trans-type';

/**
 * TCC: branches register while the transaction is prepared; submit confirms them all, abort (or the
 * timeout) cancels them all, newest first. Confirm and cancel are retried until they succeed.
 */
export const tccType: TransType = {
  name: 'tcc',

  validate(): void {
    // Branches arrive later through registerBranch, which validates them.
  },

  genBranches(): BranchRecord[] {
    return [];
  },

  async processOnce(run: TransRun, branches: BranchRecord[]): Promise<void> {
    if (run.g.status === Status.prepared) {
      if (!run.isTimeout()) return;
      await run.changeStatus(Status.aborting, `Timeout after ${run.timeoutMs() / 1000} seconds`);
    }
    if (run.g.status !== Status.submitted && run.g.status !== Status.aborting) return;
    const op = run.g.status === Status.submitted ? Op.confirm : Op.cancel;
    for (const branch of [...branches].reverse()) {
      if (branch.op === op && branch.status === BranchStatus.prepared) await run.execBranch(branch, false);
    }
    await run.changeStatus(run.g.status === Status.submitted ? Status.succeed : Status.failed);
  },
};
