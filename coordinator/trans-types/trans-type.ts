import type { BranchRecord } from '../trans/records';
import type { TransRun } from '../trans/trans-run';

/** What a prepare or submit request carries besides options, after shape validation. */
export interface NewTransInput {
  gid: string;
  transType: string;
  steps: Record<string, string>[];
  payloads: string[];
  customData: string;
  queryPrepared: string;
}

/** The request that asks for a transaction to be stored. */
export type SaveOperation = 'prepare' | 'submit';

/**
 * One transaction type. A new type is one file implementing this and one line in registry.ts.
 */
export interface TransType {
  readonly name: string;
  /**
   * Checks what only this type cares about (steps, URLs, query_prepared).
   * @throws InvalidInput naming the field.
   */
  validate(input: NewTransInput, operation: SaveOperation): void;
  /** The branch records stored with a new transaction (TCC registers its branches later). */
  genBranches(input: NewTransInput, now: Date): BranchRecord[];
  /**
   * Moves the transaction as far as it can go now. Errors (a branch answering 500, ONGOING) propagate
   * after the schedule was updated; the cron loop calls this again later.
   */
  processOnce(run: TransRun, branches: BranchRecord[]): Promise<void>;
}
