import type { Config } from '../../conf/config';
import { BranchOngoing, IllegalTransition, UpstreamError } from '../../common/errors';
import type { Logger } from '../../common/log';
import { Limits } from '../../common/protocol/trans-body';
import { BranchStatus, Outcome, Status, type GlobalStatus } from '../../common/protocol/vocabulary';
import type { Clock } from '../model/clock';
import { EVENT_DETAIL_CHARS, isEmpty, type Progress } from '../model/events';
import type { BranchOutcome, BranchRecord, GlobalRecord } from '../model/records';
import { assertMove } from '../model/status';
import type { Metrics } from '../observe/metrics';
import type { Store } from '../storage/store';
import { CronKind, firstIntervalMs, nextIntervalMs, type CronKindName } from './backoff';
import type { BranchAnswer, BranchCaller, BranchTarget } from './branch-call';
import { transLogs } from './logs';

/** What a transaction run needs from the coordinator. */
export interface RunDeps {
  store: Store;
  conf: Config;
  clock: Clock;
  caller: BranchCaller;
  log: Logger;
  metrics: Metrics;
}

/** What differs per transaction type in a run; the service derives it from the type. */
export interface RunPolicy {
  /** The timeout when the transaction set no timeout_to_fail of its own; 0 for none. */
  defaultTimeoutMs: number;
  /** Branches are POSTed even without a body (DTM: xa); otherwise an empty body means GET. */
  alwaysPost: boolean;
}

/**
 * Thrown when this pass no longer holds the transaction's lease: another pass (another cron loop or
 * coordinator) took it over, so this one stops calling branches and deciding outcomes. Answered as
 * ONGOING to a waiting caller: the transaction keeps going.
 */
export class TakenOver extends BranchOngoing {
  constructor(gid: string) {
    super(`transaction ${gid} is being processed by another pass; it keeps going there`);
  }
}

/** What a branch call settled: success, or a final failure with the branch's answer as the reason. */
export type BranchResult = { status: 'succeed' } | { status: 'failed'; reason: string };

/** After this long without touching the schedule, a successful branch pushes it forward (the lease). */
const TOUCH_AFTER_MS = 1500;

/** A branch outcome waits at most this long for the next status or schedule write to carry it. */
const OUTCOME_FLUSH_MS = 200;

/** A call starts only while the lease outlasts its timeout by this much (writes and clock skew). */
const LEASE_MARGIN_MS = 1000;

/**
 * One pass over one transaction: the operations a type processor uses to move it forward. Status and
 * schedule are written before the in-memory record changes. A branch outcome, and the event of every
 * call, rides on the next status or schedule write (one commit instead of one per branch), or is
 * written on its own after OUTCOME_FLUSH_MS, and at the latest by `flush` at the end of the pass. A
 * crash inside that window only makes the coordinator call those branches again, which the barrier
 * makes harmless (DTM batches branch updates the same way).
 */
export class TransRun {
  private lastTouched: number;
  private pending: Progress = { outcomes: [], events: [] };
  /** Final FAILUREs wait for the status change they cause (rollback), so both land in one write. */
  private pendingFailures: BranchOutcome[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private backgroundFlush: Promise<void> = Promise.resolve();
  /** The lease this pass holds: the owner the store had when the transaction was read or leased. */
  private readonly owner: string;

  constructor(
    private readonly deps: RunDeps,
    readonly g: GlobalRecord,
    private readonly policy: RunPolicy,
  ) {
    this.lastTouched = deps.clock().getTime();
    this.owner = g.owner;
  }

  now(): Date {
    return this.deps.clock();
  }

  /** The effective timeout in ms: the transaction's own, else its type's default (0: none). */
  timeoutMs(): number {
    if (this.g.options.timeout_to_fail) return this.g.options.timeout_to_fail * 1000;
    return this.policy.defaultTimeoutMs;
  }

  /**
   * How long the transaction may stay prepared: its own timeout, else TIMEOUT_TO_FAIL_MS whatever its
   * type, so a prepared transaction nobody submits never waits for ever.
   */
  preparedTimeoutMs(): number {
    return this.timeoutMs() || this.deps.conf.coordinator.timeoutToFailMs;
  }

  isTimeout(): boolean {
    const timeout = this.timeoutMs();
    return timeout > 0 && this.now().getTime() - this.g.createTime.getTime() >= timeout;
  }

  /**
   * Moves the status as this pass decides it, guarded by the stored status and by the lease: a pass
   * another pass took over decides nothing.
   * @throws IllegalTransition when the move is not legal; TakenOver when the status or the lease moved on.
   */
  async changeStatus(to: GlobalStatus, rollbackReason = ''): Promise<void> {
    await this.moveStatus(to, rollbackReason, true);
  }

  /**
   * Moves the status because a request says so (submit, abort, forceStop), whoever holds the lease.
   * @throws IllegalTransition when the move is not legal or the status moved on first.
   */
  async changeStatusOnRequest(to: GlobalStatus, rollbackReason = ''): Promise<void> {
    await this.moveStatus(to, rollbackReason, false);
  }

  private async moveStatus(to: GlobalStatus, rollbackReason: string, leased: boolean): Promise<void> {
    const from = this.g.status;
    assertMove(this.g.gid, from, to);
    const now = this.now();
    const patch = {
      updateTime: now,
      finishTime: to === Status.succeed ? now : undefined,
      rollbackTime: to === Status.failed ? now : undefined,
      rollbackReason: rollbackReason ? rollbackReason.slice(0, Limits.rollbackReasonLength) : undefined,
      owner: leased ? this.owner : undefined,
    };
    // A background write of earlier outcomes must land before the status that follows from them.
    await this.backgroundFlush;
    const progress = this.takeProgress();
    progress.outcomes.push(...this.pendingFailures.splice(0));
    if (!(await this.deps.store.changeGlobalStatus(this.g.gid, from, to, patch, progress))) {
      if (leased) throw new TakenOver(this.g.gid);
      throw new IllegalTransition(
        `transaction ${this.g.gid} is no longer '${from}'; another request or coordinator moved it`,
      );
    }
    this.g.status = to;
    if (rollbackReason) this.g.rollbackReason = rollbackReason;
    transLogs.statusChanged(this.deps.log, this.g, from, rollbackReason);
  }

  /**
   * Makes sure the lease outlasts a call of `timeoutMs`, extending it when it would not: another cron
   * loop may take the transaction only once the lease ran out, so the holder never overlaps another pass.
   * @throws TakenOver when another pass leased the transaction meanwhile.
   */
  private async holdLease(timeoutMs: number): Promise<void> {
    const now = this.now().getTime();
    if (this.g.nextCronTime.getTime() - now >= timeoutMs + LEASE_MARGIN_MS) return;
    const until = new Date(now + Math.max(this.deps.conf.coordinator.retryIntervalMs, timeoutMs + LEASE_MARGIN_MS));
    if (!(await this.deps.store.renewLease(this.g.gid, this.owner, until))) throw new TakenOver(this.g.gid);
    this.g.nextCronTime = until;
  }

  /**
   * Calls a branch operation and records its outcome.
   * @param failureIsFinal whether FAILURE ends this branch (a saga action) or is retried like an error.
   * @returns the recorded status; for `failed`, the branch's answer as the reason.
   * @throws BranchOngoing (interval kept) or UpstreamError (interval doubled) for anything else;
   * the branch stays `prepared` and the cron loop calls it again.
   */
  async execBranch(branch: BranchRecord, failureIsFinal: boolean): Promise<BranchResult> {
    const answer = await this.callAndRecord(branch);
    this.deps.metrics.branchCall(this.g.transType, branch.branchId, branch.op, answer.outcome === Outcome.success);
    if (answer.outcome === Outcome.success || (answer.outcome === Outcome.failure && failureIsFinal)) {
      const status = answer.outcome === Outcome.success ? BranchStatus.succeed : BranchStatus.failed;
      const outcome = { branchId: branch.branchId, op: branch.op, status, at: this.now() };
      branch.status = status;
      if (status === BranchStatus.failed) {
        // Written only with the rollback it causes: a pass that cannot roll back (taken over, a crash)
        // leaves the action to be called again rather than failed without a rollback.
        this.pendingFailures.push(outcome);
        return { status, reason: `${branch.op} ${branch.url} answered FAILURE: ${answer.text.slice(0, 500)}` };
      }
      this.pending.outcomes.push(outcome);
      this.flushSoon();
      const backedOff = this.g.nextCronIntervalMs > firstIntervalMs(this.g.options, this.deps.conf.coordinator);
      if (backedOff || this.now().getTime() - this.lastTouched >= TOUCH_AFTER_MS) await this.touchCron(CronKind.reset);
      return { status };
    }
    if (answer.outcome === Outcome.ongoing) {
      transLogs.ongoing(this.deps.log, this.g, branch);
      await this.touchCron(CronKind.keep);
      throw new BranchOngoing(`${branch.op} of branch ${branch.branchId} is ongoing`);
    }
    await this.touchCron(CronKind.backoff);
    throw new UpstreamError(
      `${branch.op} ${branch.url} answered ${answer.status || 'nothing'}: ${answer.text.slice(0, 500)}`,
    );
  }

  /**
   * The transaction's branches as stored now. A type whose branches register while it is prepared (tcc,
   * xa) reads them again after leaving prepared: one may have registered after this pass read them.
   */
  async findBranches(): Promise<BranchRecord[]> {
    return this.deps.store.findBranches(this.g.gid);
  }

  /** Calls a URL that is not a stored branch (msg query-back); only its event is recorded. */
  async callUrl(target: BranchTarget): Promise<BranchAnswer> {
    return this.callAndRecord(target);
  }

  /** Makes the call, logs it and queues its event for the next write. */
  private async callAndRecord(target: BranchTarget): Promise<BranchAnswer> {
    await this.holdLease(this.deps.caller.timeoutMsOf(this.g));
    const start = this.now();
    const answer = await this.deps.caller.call(this.g, target, this.policy.alwaysPost);
    transLogs.branchCalled(this.deps.log, this.g, target, answer);
    this.pending.events.push({
      kind: 'call',
      branchId: target.branchId,
      op: target.op,
      start,
      end: new Date(start.getTime() + answer.ms),
      outcome: answer.outcome,
      httpStatus: answer.status,
      detail: answer.text.slice(0, EVENT_DETAIL_CHARS),
    });
    return answer;
  }

  /** Reschedules the transaction; `delayMs` sets the next time directly (msg delay). */
  async touchCron(kind: CronKindName, delayMs = 0): Promise<void> {
    const interval = nextIntervalMs(kind, this.g.nextCronIntervalMs, this.g.options, this.deps.conf.coordinator);
    const at = new Date(this.now().getTime() + (delayMs > 0 ? delayMs : interval));
    if (kind === CronKind.backoff) this.g.retryCount += 1;
    await this.backgroundFlush;
    const progress = this.takeProgress();
    if (!(await this.deps.store.touchCronTime(this.g.gid, interval, at, this.g.retryCount, progress, this.owner))) {
      throw new TakenOver(this.g.gid);
    }
    this.g.nextCronIntervalMs = interval;
    this.g.nextCronTime = at;
    this.lastTouched = this.now().getTime();
    if (kind !== CronKind.reset) transLogs.retryScheduled(this.deps.log, this.g, interval, at);
  }

  /**
   * Writes the branch outcomes and events not yet written. Called at the end of every pass, error or
   * not. A FAILURE whose rollback did not happen is dropped: the next pass calls that action again.
   */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pendingFailures = [];
    await this.backgroundFlush;
    await this.deps.store.saveBranchOutcomes(this.g.gid, this.takeProgress());
  }

  /** Writes pending progress after OUTCOME_FLUSH_MS unless another write carried it first. */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const progress = this.takeProgress();
      if (isEmpty(progress)) return;
      this.backgroundFlush = this.backgroundFlush
        .then(() => this.deps.store.saveBranchOutcomes(this.g.gid, progress))
        .catch((err: unknown) => {
          // Not fatal: the progress goes back to the queue for the next write to carry.
          this.pending.outcomes.unshift(...progress.outcomes);
          this.pending.events.unshift(...progress.events);
          this.deps.log.warn(
            { err, gid: this.g.gid },
            'writing branch outcomes failed; will retry with the next write',
          );
        });
    }, OUTCOME_FLUSH_MS);
  }

  private takeProgress(): Progress {
    const progress = this.pending;
    this.pending = { outcomes: [], events: [] };
    return progress;
  }
}
