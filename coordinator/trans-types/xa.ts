import { Op, Status } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import type { TransRun } from '../trans/trans-run';
import { processPhaseTwo } from './phase-two';
import { newBranch, requireUrlValue } from './steps';
import type { RegisterInput, TransType } from './trans-type';

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
  preparedBeforeSubmit: true,
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
    await processPhaseTwo(run, storedBranches, { commit: Op.commit, rollback: Op.rollback, order: 'registered' });
  },
};
