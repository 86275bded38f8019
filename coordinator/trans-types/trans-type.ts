import type { GlobalStatus } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import type { TransRun } from '../trans/trans-run';

/** What a prepare or submit request carries besides options, after shape validation. */
export interface NewTransInput {
  gid: string;
  transType: string;
  steps: Record<string, string>[];
  payloads: string[];
  customData: string;
  queryPrepared: string;
  /** How its branches are called (`http` when absent); decides which branch URLs are valid. */
  protocol?: string;
  /** Subscriber URLs of the topics the steps name (`topic://<name>`), looked up when it is stored. */
  subscribers?: Readonly<Record<string, readonly string[]>>;
  /** `req_extra` of the body: what a workflow's submit reports (status, rollback_reason, result). */
  reqExtra?: Readonly<Record<string, string>>;
}

/** The request that asks for a transaction to be stored. */
export type SaveOperation = 'prepare' | 'submit';

/** A registerBranch request: the ids, the branch's data, and the fields only its type reads. */
export interface RegisterInput {
  gid: string;
  branchId: string;
  data: string;
  /** The protocol of the API it came through (`http` when absent); decides which URLs are valid. */
  protocol?: string;
  /** Every string field of the body (tcc: confirm, cancel; xa: url). */
  fields: Readonly<Record<string, string>>;
}

/** How a client that ran the branches itself (workflow) says its transaction ended. */
export type ReportedOutcome = { status: 'succeed' } | { status: 'failed'; reason: string };

/** What abort does to a transaction of a type that may be aborted. */
export interface AbortRule {
  /** The stored statuses abort is accepted in. */
  from: readonly GlobalStatus[];
  /** `fail`: it fails at once and nothing is called; `rollBack`: it becomes aborting and is processed. */
  then: 'fail' | 'rollBack';
}

/**
 * One transaction type: everything that differs between saga, msg, tcc, … The service, the run and the
 * API read these members and never a type's name, so a new type is one file implementing this and one
 * line in registry.ts.
 */
export interface TransType {
  readonly name: string;
  /**
   * Whether a transaction without its own timeout_to_fail times out after TIMEOUT_TO_FAIL_MS (DTM:
   * every type but saga).
   */
  readonly timesOutByDefault: boolean;
  /** Whether its branches are POSTed even without a body (DTM: xa); otherwise an empty body is a GET. */
  readonly alwaysPost: boolean;
  /**
   * Whether its clients prepare it before they submit it (DTM: every type but saga), so that a submit
   * usually finds it stored already.
   */
  readonly preparedBeforeSubmit: boolean;
  /** How abort treats it; absent when abort is refused. */
  readonly abort?: AbortRule;
  /**
   * Checks what only this type cares about (steps, URLs, query_prepared, custom_data).
   * @throws InvalidInput naming the field.
   */
  validate(input: NewTransInput, operation: SaveOperation): void;
  /** The branch records stored with a new transaction (TCC registers its branches later). */
  genBranches(input: NewTransInput, now: Date): BranchRecord[];
  /**
   * The records a registerBranch call adds, while the transaction is prepared; absent when the type
   * registers no branches.
   * @throws InvalidInput naming the field.
   */
  registerBranch?(input: RegisterInput, now: Date): BranchRecord[];
  /**
   * For a type whose client runs the branches and reports how the transaction ended (workflow): that end,
   * read from the submit request. The service records it instead of processing anything.
   * @throws InvalidInput naming the field.
   */
  outcomeAtSubmit?(input: NewTransInput): ReportedOutcome;
  /**
   * Moves the transaction as far as it can go now. Errors (a branch answering 500, ONGOING) propagate
   * after the schedule was updated; the cron loop calls this again later.
   */
  processOnce(run: TransRun, branches: BranchRecord[]): Promise<void>;
}
