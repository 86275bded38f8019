import type { BranchOutcome, BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import type { GlobalStatus } from '../../common/protocol/vocabulary';

/** Thrown by `saveNew` when the gid exists already; the service decides whether that is a replay. */
export class UniqueConflict extends Error {
  override readonly name = 'UniqueConflict';
}

/** Fields written together with a status change. */
export interface StatusPatch {
  updateTime: Date;
  finishTime?: Date;
  rollbackTime?: Date;
  rollbackReason?: string;
}

/** What `addBranches` did. */
export type AddBranchesResult =
  { status: 'added' } | { status: 'missing' } | { status: 'conflict'; branchId: string; op: string };

/** One page of the transaction list, newest first. */
export interface GlobalPage {
  transactions: GlobalRecord[];
  /** Pass back as `position` for the next page; empty when there is none. */
  nextPosition: string;
}

/**
 * Where the coordinator keeps transactions. Every state change is written here before it is acted on,
 * so a restarted coordinator finds all it needs. Adapters own their connections and close them.
 */
export interface Store {
  /** Creates the schema if needed. Idempotent; called once at start-up, never per request. */
  init(): Promise<void>;

  /**
   * Atomically inserts a new global transaction and its branches.
   * @throws UniqueConflict when the gid exists; nothing is written then.
   */
  saveNew(global: GlobalRecord, branches: BranchRecord[]): Promise<void>;

  /** The global transaction, or undefined. A single read. */
  findGlobal(gid: string): Promise<GlobalRecord | undefined>;

  /** Its branches in creation order. A single read. */
  findBranches(gid: string): Promise<BranchRecord[]>;

  /**
   * Records branch `outcomes`, then compare-and-sets the status from `from` to `to` with `patch`, only
   * if the stored status is still `from`. A finished transaction leaves the cron schedule. MySQL does
   * both in one transaction (one commit); Redis in one atomic script, outcomes first.
   * @returns false when the status was not `from` (someone else moved it); the status is not written
   * then, the outcomes are.
   */
  changeGlobalStatus(
    gid: string,
    from: GlobalStatus,
    to: GlobalStatus,
    patch: StatusPatch,
    outcomes: BranchOutcome[],
  ): Promise<boolean>;

  /**
   * Atomically appends branches, only while the global transaction has status `whileStatus` (a TCC
   * branch registers only while its transaction is prepared). A branch whose (branch_id, op) exists with
   * the same url and data is left as it is, so a repeated registration changes nothing.
   * @returns `added`; `missing` when the transaction is missing or not in `whileStatus`; `conflict`
   * naming the first branch stored with another url or data. Nothing is written unless `added`.
   */
  addBranches(gid: string, whileStatus: GlobalStatus, branches: BranchRecord[]): Promise<AddBranchesResult>;

  /** Records branch outcomes (status and finish time), in one transaction or one script. */
  saveBranchOutcomes(gid: string, outcomes: BranchOutcome[]): Promise<void>;

  /**
   * Records branch `outcomes` and reschedules the transaction (next interval, next time, retry count),
   * as `changeGlobalStatus` does: one transaction on MySQL, one script on Redis.
   */
  touchCronTime(
    gid: string,
    nextCronIntervalMs: number,
    nextCronTime: Date,
    retryCount: number,
    outcomes: BranchOutcome[],
  ): Promise<void>;

  /**
   * Atomically leases one unfinished transaction whose next_cron_time is at or before `now`: sets its
   * owner and pushes next_cron_time to `leaseUntil`, so no other coordinator picks it meanwhile, and a
   * crash of this one only delays it until the lease runs out.
   */
  lockOneDue(now: Date, owner: string, leaseUntil: Date): Promise<GlobalRecord | undefined>;

  /** A page of transactions, newest first, starting after `position` (empty: from the newest). */
  scanGlobals(position: string, limit: number): Promise<GlobalPage>;

  /** The entry `key` of category `cat`, or undefined. */
  kvGet(cat: string, key: string): Promise<KvRecord | undefined>;

  /** A page of category `cat`'s entries, newest first, after `position` (empty: from the newest). */
  kvScan(cat: string, position: string, limit: number): Promise<{ entries: KvRecord[]; nextPosition: string }>;

  /**
   * Atomically writes `value` under (cat, key): creates it when `expectedVersion` is 0, otherwise
   * updates it only while its version is still `expectedVersion`, and bumps the version.
   * @returns false when the entry exists (create) or moved on (update); nothing is written then.
   */
  kvPut(cat: string, key: string, value: string, expectedVersion: number): Promise<boolean>;

  /** Deletes (cat, key); false when there was no such entry. */
  kvDelete(cat: string, key: string): Promise<boolean>;

  /** Closes connections. */
  close(): Promise<void>;
}
