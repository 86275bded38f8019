import { BranchStatus, Status, type OpName } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import type { TransRun } from '../trans/trans-run';

/** How a type whose branches register while prepared (tcc, xa) finishes them. */
export interface PhaseTwo {
  /** The op called on every branch after submit (confirm, commit). */
  commit: OpName;
  /** The op called after abort or the timeout (cancel, rollback). */
  rollback: OpName;
  /** The order of the calls: as the branches registered (xa) or newest first (tcc). */
  order: 'registered' | 'newest first';
}

/** Read through a function: the status changes across awaits, which narrowing cannot see. */
function isSubmitted(run: TransRun): boolean {
  return run.g.status === Status.submitted;
}

/**
 * One pass of phase 2: a prepared transaction past its timeout moves to aborting; a submitted one has
 * `commit` called on every branch, an aborting one `rollback`; each call is retried until it succeeds,
 * and the transaction then ends succeed or failed.
 */
export async function processPhaseTwo(run: TransRun, storedBranches: BranchRecord[], phase: PhaseTwo): Promise<void> {
  let branches = storedBranches;
  if (run.g.status === Status.prepared) {
    if (!run.isTimeout()) return;
    await run.changeStatus(Status.aborting, `Timeout after ${run.timeoutMs() / 1000} seconds`);
    // A branch may have registered between reading the branches and leaving prepared; none can now.
    branches = await run.findBranches();
  }
  if (run.g.status !== Status.submitted && run.g.status !== Status.aborting) return;
  const op = isSubmitted(run) ? phase.commit : phase.rollback;
  const ordered = phase.order === 'registered' ? branches : [...branches].reverse();
  // execBranch throws unless the call succeeded, so reaching the end means every branch did.
  for (const branch of ordered) {
    if (branch.op === op && branch.status === BranchStatus.prepared) await run.execBranch(branch, false);
  }
  await run.changeStatus(isSubmitted(run) ? Status.succeed : Status.failed);
}
