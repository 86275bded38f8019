import { Op, Status } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import type { TransRun } from '../trans/trans-run';
import { processPhaseTwo } from './phase-two';
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
  preparedBeforeSubmit: true,
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
    await processPhaseTwo(run, storedBranches, { commit: Op.confirm, rollback: Op.cancel, order: 'newest first' });
  },
};
