import { BranchStatus, Op, Status } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import type { TransRun } from '../trans/trans-run';
import { newBranch, requireUrlValue } from './steps';
import type { RegisterInput, TransType } from './trans-type';

/** Read through a function: the status changes across awaits, which narrowing cannot see. */
function isSubmitted(run: TransRun): boolean {
  return run.g.status === Status.submitted;
}

/**
 * XA (dtmsvr/trans_type_xa.go): each branch prepares a local XA transaction and registers one URL while
 * the transaction is prepared; submit calls it with op `commit` for every branch, abort (or the timeout)
 * with op `rollback`, in the order the branches registered. Phase 2 is retried until it succeeds, and
 * the calls are always POSTed, without a body.
 */
export const xaType: TransType = {
  name: 'xa',
  timesOutByDefault: true,
  alwaysPost: true,
  abort: { from: [Status.prepared, Status.aborting], then: 'rollBack' },

  validate(): void {
    // Branches arrive later through registerBranch, which validates them.
  },

  genBranches(): BranchRecord[] {
    return [];
  },

  /** A branch's phase-2 URL, stored as its rollback and its commit, in that order as DTM stores them. */
  registerBranch(input: RegisterInput, now: Date): BranchRecord[] {
    const url = input.fields.url;
    requireUrlValue(url, 'url', false, input.protocol);
    return [Op.rollback, Op.commit].map((op) => newBranch(input.gid, input.branchId, op, url ?? '', input.data, now));
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
    const op = isSubmitted(run) ? Op.commit : Op.rollback;
    const pending = branches.filter((b) => b.op === op && b.status === BranchStatus.prepared);
    // execBranch throws unless the call succeeded, so reaching the end means every branch did.
    for (const branch of pending) await run.execBranch(branch, false);
    await run.changeStatus(isSubmitted(run) ? Status.succeed : Status.failed);
  },
};
