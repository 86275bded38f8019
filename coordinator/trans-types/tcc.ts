import { BranchStatus, Op, Status } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import type { TransRun } from '../trans/trans-run';
import { newBranch, requireUrlValue } from './steps';
import type { RegisterInput, TransType } from './trans-type';

/**
 * TCC: branches register while the transaction is prepared; submit confirms them all, abort (or the
 * timeout) cancels them all, newest first. Confirm and cancel are retried until they succeed.
 */
export const tccType: TransType = {
  name: 'tcc',
  timesOutByDefault: true,
  alwaysPost: false,
  abort: { from: [Status.prepared, Status.aborting], then: 'rollBack' },

  validate(): void {
    // Branches arrive later through registerBranch, which validates them.
  },

  genBranches(): BranchRecord[] {
    return [];
  },

  /** A branch's cancel and confirm, in that order as DTM stores them. */
  registerBranch(input: RegisterInput, now: Date): BranchRecord[] {
    return [Op.cancel, Op.confirm].map((op) => {
      const url = input.fields[op];
      requireUrlValue(url, op, false, input.protocol);
      return newBranch(input.gid, input.branchId, op, url ?? '', input.data, now);
    });
  },

  async processOnce(run: TransRun, storedBranches: BranchRecord[]): Promise<void> {
    let branches = storedBranches;
    if (run.g.status === Status.prepared) {
      if (!run.isTimeout()) return;
      await run.changeStatus(Status.aborting, `Timeout after ${run.timeoutMs() / 1000} seconds`);
      // A branch may have registered between reading the branches and leaving prepared; none can now.
      branches = await run.findBranches();
    }
    if (run.g.status !== Status.submitted && run.g.status !== Status.aborting) return;
    const op = run.g.status === Status.submitted ? Op.confirm : Op.cancel;
    for (const branch of [...branches].reverse()) {
      if (branch.op === op && branch.status === BranchStatus.prepared) await run.execBranch(branch, false);
    }
    await run.changeStatus(run.g.status === Status.submitted ? Status.succeed : Status.failed);
  },
};
