import { statusEvent, type Progress, type StatusEvent, type TransEvent } from '../model/events';
import type { BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import { BranchStatus, Status, type GlobalStatus } from '../../common/protocol/vocabulary';

/**
 * What `saveNew` did: saved the new transaction, or found the gid taken and answered what is stored under
 * it, so the service can tell a replay from a conflict without reading again. With `submitted`, the same
 * call moved the stored transaction to submitted (see SaveNewOptions), and `existing` is as it stands
 * after the move.
 */
export type SaveNewResult =
  { created: true } | { created: false; submitted: boolean; existing: GlobalRecord; branches: BranchRecord[] };

/** How `saveNew` treats a gid that is taken. */
export interface SaveNewOptions {
  /**
   * The gid is probably taken already (a submit after prepare): a store for which a refused insert costs
   * more than a read reads first.
   */
  likelyStored?: boolean;
  /**
   * The save of a submit, given as the submitted transaction: when the gid holds a prepared transaction of
   * the same trans_type, the store moves it to submitted (update time and status event from the given
   * record's update time) in the same atomic call. With `sameBranches`, only when its branches are exactly
   * the given ones: the same set of branch ids and ops, each with the same url and data, byte for byte,
   * none with an outcome yet; the answer's `branches` are then the given ones, not read back. Anything
   * else is left for the caller to judge from what is answered.
   */
  submitPrepared?: { sameBranches: boolean };
}

/** The status event of submitPrepared's move, which every store writes with it. */
export function submitMoveEvent(submitted: GlobalRecord): StatusEvent {
  return statusEvent(submitted.updateTime, Status.prepared, Status.submitted, undefined);
}

/** Fields written together with a status change. */
export interface StatusPatch {
  updateTime: Date;
  finishTime?: Date;
  rollbackTime?: Date;
  rollbackReason?: string;
  /**
   * When given, the move happens only while the transaction's lease is still this owner's: a pass that
   * another pass took over must not decide the outcome.
   */
  owner?: string;
}

/** What `addBranches` did. */
export type AddBranchesResult =
  { status: 'added' } | { status: 'missing' } | { status: 'conflict'; branchId: string; op: string };

/** Which transactions a listing returns; every field given must match. */
export interface GlobalFilter {
  status?: GlobalStatus;
  transType?: string;
  /** Created at or after this. */
  createTimeStart?: Date;
  /** Created before this. */
  createTimeEnd?: Date;
}

/** What a batch reset of cron times did. */
export interface CronReset {
  succeedCount: number;
  /** More transactions matched than `limit`; call again. */
  hasRemaining: boolean;
}

/** The unfinished transactions due now: how many, and since when the longest-waiting one is due. */
export interface DueStats {
  count: number;
  oldest: Date | undefined;
}

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
   * Atomically inserts a new global transaction and its branches; when the gid exists, writes nothing
   * (unless `options.submitPrepared` moves it) and answers the stored transaction and its branches instead.
   */
  saveNew(global: GlobalRecord, branches: BranchRecord[], options?: SaveNewOptions): Promise<SaveNewResult>;

  /** The global transaction, or undefined. A single read. */
  findGlobal(gid: string): Promise<GlobalRecord | undefined>;

  /** Its branches in creation order. A single read. */
  findBranches(gid: string): Promise<BranchRecord[]>;

  /**
   * Records `progress` (branch outcomes and call events), then compare-and-sets the status from `from`
   * to `to` with `patch`, only if the stored status is still `from` (and the lease `patch.owner`'s),
   * adding a status event when it moves. A `failed` outcome is written only together with the move (it
   * is what caused the rollback). A finished transaction leaves the cron schedule. MySQL does all in one
   * transaction (one commit); Redis in one atomic script.
   * @returns false when the status was not `from` or the lease moved on; the status and the failed
   * outcomes are not written then, the rest of the progress is.
   */
  changeGlobalStatus(
    gid: string,
    from: GlobalStatus,
    to: GlobalStatus,
    patch: StatusPatch,
    progress: Progress,
  ): Promise<boolean>;

  /**
   * Atomically appends branches, only while the global transaction has status `whileStatus` (a TCC
   * branch registers only while its transaction is prepared). A branch whose (branch_id, op) exists with
   * the same url and data is left as it is, so a repeated registration changes nothing.
   * @returns `added`; `missing` when the transaction is missing or not in `whileStatus`; `conflict`
   * naming the first branch stored with another url or data. Nothing is written unless `added`.
   */
  addBranches(gid: string, whileStatus: GlobalStatus, branches: BranchRecord[]): Promise<AddBranchesResult>;

  /**
   * Records branch outcomes (status and finish time) and call events, in one transaction or one script.
   */
  saveBranchOutcomes(gid: string, progress: Progress): Promise<void>;

  /**
   * Records `progress` and reschedules the transaction (next interval, next time, retry count), as
   * `changeGlobalStatus` does: one transaction on MySQL, one script on Redis. A retry is where
   * events pile up, so this is also where the events beyond EVENTS_KEPT are dropped.
   * @param owner when given, the schedule is written only while the lease is still this owner's.
   * @returns false when `owner` no longer holds the lease; the progress is written all the same.
   */
  touchCronTime(
    gid: string,
    nextCronIntervalMs: number,
    nextCronTime: Date,
    retryCount: number,
    progress: Progress,
    owner?: string,
  ): Promise<boolean>;

  /**
   * Atomically extends the lease of `owner` on an unfinished transaction: next_cron_time becomes `until`.
   * @returns false when another pass leased it since (or it finished); nothing is written then.
   */
  renewLease(gid: string, owner: string, until: Date): Promise<boolean>;

  /** The transaction's events, oldest first (at most EVENTS_KEPT). A single read. */
  findEvents(gid: string): Promise<TransEvent[]>;

  /**
   * Atomically sets next_cron_time to `at` while the transaction is unfinished (the admin's "retry now").
   * @returns false when it is missing or finished; nothing is written then.
   */
  resetNextCronTime(gid: string, at: Date): Promise<boolean>;

  /**
   * Sets next_cron_time to `now` for up to `limit` unfinished transactions whose next_cron_time is later
   * than `after` (DTM's resetCronTime). Each transaction is updated atomically; the batch is not.
   */
  resetCronTimes(after: Date, now: Date, limit: number): Promise<CronReset>;

  /** How many unfinished transactions are due at `now`, and the oldest next_cron_time among them. */
  dueStats(now: Date): Promise<DueStats>;

  /**
   * Atomically leases one unfinished transaction whose next_cron_time is at or before `now`: sets its
   * owner and pushes next_cron_time to `leaseUntil`, so no other coordinator picks it meanwhile, and a
   * crash of this one only delays it until the lease runs out.
   */
  lockOneDue(now: Date, owner: string, leaseUntil: Date): Promise<GlobalRecord | undefined>;

  /**
   * A page of the transactions matching `filter`, newest first, starting after `position` (empty: from
   * the newest). A page may hold fewer than `limit` while `nextPosition` is not empty (Redis examines a
   * bounded number of entries per call); keep going until it is empty.
   */
  scanGlobals(position: string, limit: number, filter?: GlobalFilter): Promise<GlobalPage>;

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

/** A change's `failed` outcomes (written only with the status move) apart from the rest of its progress. */
export function splitFailures(progress: Progress): [Progress['outcomes'], Progress] {
  const failures = progress.outcomes.filter((o) => o.status === BranchStatus.failed);
  const rest = progress.outcomes.filter((o) => o.status !== BranchStatus.failed);
  return [failures, { outcomes: rest, events: progress.events }];
}
