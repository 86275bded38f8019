import type { Config } from '../../conf/config';
import { BranchOngoing, IllegalTransition, UpstreamError } from '../../common/errors';
import type { Logger } from '../../common/log';
import { Limits } from '../../common/protocol/trans-body';
import { BranchStatus, Outcome, Status, type GlobalStatus } from '../../common/protocol/vocabulary';
import type { Clock } from '../model/clock';
import type { BranchOutcome, BranchRecord, GlobalRecord } from '../model/records';
import { assertMove } from '../model/status';
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
}

/** What differs per transaction type in a run; the service derives it from the type. */
export interface RunPolicy {
  /** The timeout when the transaction set no timeout_to_fail of its own; 0 for none. */
  defaultTimeoutMs: number;
  /** Branches are POSTed even without a body (DTM: xa); otherwise an empty body means GET. */
  alwaysPost: boolean;
}

/** What a branch call settled: success, or a final failure with the branch's answer as the reason. */
export type BranchResult = { status: 'succeed' } | { status: 'failed'; reason: string };

/** After this long without touching the schedule, a successful branch pushes it forward (the lease). */
const TOUCH_AFTER_MS = 1500;

/** A branch outcome waits at most this long for the next status or schedule write to carry it. */
const OUTCOME_FLUSH_MS = 200;

/**
 * One pass over one transaction: the operations a type processor uses to move it forward. Status and
 * schedule are written before the in-memory record changes. A branch outcome rides on the next status
 * or schedule write (one commit instead of one per branch), or is written on its own after
 * OUTCOME_FLUSH_MS, and at the latest by `flush` at the end of the pass. A crash inside that window
 * only makes the coordinator call those branches again, which the barrier makes harmless (DTM batches
 * branch updates the same way).
 */
export class TransRun {
  private lastTouched: number;
  private pendingOutcomes: BranchOutcome[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private backgroundFlush: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: RunDeps,
    readonly g: GlobalRecord,
    private readonly policy: RunPolicy,
  ) {
    this.lastTouched = deps.clock().getTime();
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
   * Moves the status, guarded by the stored one.
   * @throws IllegalTransition when the move is not legal or another actor moved the status first.
   */
  async changeStatus(to: GlobalStatus, rollbackReason = ''): Promise<void> {
    const from = this.g.status;
    assertMove(this.g.gid, from, to);
    const now = this.now();
    const patch = {
      updateTime: now,
      finishTime: to === Status.succeed ? now : undefined,
      rollbackTime: to === Status.failed ? now : undefined,
      rollbackReason: rollbackReason ? rollbackReason.slice(0, Limits.rollbackReasonLength) : undefined,
    };
    // A background write of earlier outcomes must land before the status that follows from them.
    await this.backgroundFlush;
    if (!(await this.deps.store.changeGlobalStatus(this.g.gid, from, to, patch, this.takeOutcomes()))) {
      throw new IllegalTransition(
        `transaction ${this.g.gid} is no longer '${from}'; another request or coordinator moved it`,
      );
    }
    this.g.status = to;
    if (rollbackReason) this.g.rollbackReason = rollbackReason;
    transLogs.statusChanged(this.deps.log, this.g, from, rollbackReason);
  }

  /**
   * Calls a branch operation and records its outcome.
   * @param failureIsFinal whether FAILURE ends this branch (a saga action) or is retried like an error.
   * @returns the recorded status; for `failed`, the branch's answer as the reason.
   * @throws BranchOngoing (interval kept) or UpstreamError (interval doubled) for anything else;
   * the branch stays `prepared` and the cron loop calls it again.
   */
  async execBranch(branch: BranchRecord, failureIsFinal: boolean): Promise<BranchResult> {
    const answer = await this.deps.caller.call(this.g, branch, this.policy.alwaysPost);
    transLogs.branchCalled(this.deps.log, this.g, branch, answer);
    if (answer.outcome === Outcome.success || (answer.outcome === Outcome.failure && failureIsFinal)) {
      const status = answer.outcome === Outcome.success ? BranchStatus.succeed : BranchStatus.failed;
      this.pendingOutcomes.push({ branchId: branch.branchId, op: branch.op, status, at: this.now() });
      this.flushSoon();
      branch.status = status;
      const backedOff = this.g.nextCronIntervalMs > firstIntervalMs(this.g.options, this.backoffDefaults());
      if (backedOff || this.now().getTime() - this.lastTouched >= TOUCH_AFTER_MS) await this.touchCron(CronKind.reset);
      if (status === BranchStatus.succeed) return { status };
      return { status, reason: `${branch.op} ${branch.url} answered FAILURE: ${answer.text.slice(0, 500)}` };
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

  /** Calls a URL that is not a stored branch (msg query-back), without recording anything. */
  async callUrl(target: BranchTarget): Promise<BranchAnswer> {
    const answer = await this.deps.caller.call(this.g, target, this.policy.alwaysPost);
    transLogs.branchCalled(this.deps.log, this.g, target, answer);
    return answer;
  }

  /** Reschedules the transaction; `delayMs` sets the next time directly (msg delay). */
  async touchCron(kind: CronKindName, delayMs = 0): Promise<void> {
    const interval = nextIntervalMs(kind, this.g.nextCronIntervalMs, this.g.options, this.backoffDefaults());
    const at = new Date(this.now().getTime() + (delayMs > 0 ? delayMs : interval));
    if (kind === CronKind.backoff) this.g.retryCount += 1;
    await this.backgroundFlush;
    await this.deps.store.touchCronTime(this.g.gid, interval, at, this.g.retryCount, this.takeOutcomes());
    this.g.nextCronIntervalMs = interval;
    this.g.nextCronTime = at;
    this.lastTouched = this.now().getTime();
    if (kind !== CronKind.reset) transLogs.retryScheduled(this.deps.log, this.g, interval, at);
  }

  /** Writes the branch outcomes not yet written. Called at the end of every pass, error or not. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.backgroundFlush;
    await this.deps.store.saveBranchOutcomes(this.g.gid, this.takeOutcomes());
  }

  /** Writes pending outcomes after OUTCOME_FLUSH_MS unless another write carried them first. */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const outcomes = this.takeOutcomes();
      if (outcomes.length === 0) return;
      this.backgroundFlush = this.backgroundFlush
        .then(() => this.deps.store.saveBranchOutcomes(this.g.gid, outcomes))
        .catch((err: unknown) => {
          // Not fatal: the outcomes go back to the queue for the next write to carry.
          this.pendingOutcomes.unshift(...outcomes);
          this.deps.log.warn(
            { err, gid: this.g.gid },
            'writing branch outcomes failed; will retry with the next write',
          );
        });
    }, OUTCOME_FLUSH_MS);
  }

  private takeOutcomes(): BranchOutcome[] {
    const outcomes = this.pendingOutcomes;
    this.pendingOutcomes = [];
    return outcomes;
  }

  private backoffDefaults() {
    return {
      retryIntervalMs: this.deps.conf.coordinator.retryIntervalMs,
      maxRetryIntervalMs: this.deps.conf.coordinator.maxRetryIntervalMs,
    };
  }
}
