import { BranchFailure, BranchOngoing, IllegalTransition, InvalidInput, NotFound } from '../../common/errors';
import { isFinished, Status, type GlobalStatus } from '../../common/protocol/vocabulary';
import type { BranchRecord, GlobalRecord } from '../model/records';
import type { SaveNewOptions } from '../storage/store';
import { transTypeOf } from '../trans-types/registry';
import type { ReportedOutcome, SaveOperation } from '../trans-types/trans-type';
import { transLogs } from '../trans/logs';
import { TransRun, type RunDeps } from '../trans/trans-run';
import { PassRegistry } from './pass-registry';
import { assertSameType, requireSameRequest, takeSubmitTimeFields } from './repeated-request';
import { Topics } from './topics';
import { newGlobalRecord, type RegisterBranchRequest, type TransRequest } from './trans-request';

/** The rollback reason forceStop leaves; the checker names half-applied stopped transactions by it. */
export const FORCE_STOP_REASON = 'stopped by forceStop';

/**
 * The coordinator's operations, independent of HTTP: what each endpoint does to the store and when
 * processing starts. Processing either runs inside the request (wait_result) or in the background;
 * every pass is registered by gid, so a repeated request joins it and `drain` can wait for it at
 * shutdown. Whatever differs per type comes from the type's `TransType` members.
 */
export class TransService {
  private readonly passes = new PassRegistry();
  readonly topics: Topics;

  constructor(private readonly deps: RunDeps) {
    this.topics = new Topics(deps.store);
  }

  /** Stores a prepared transaction; repeating it while still prepared is a no-op. */
  async prepare(req: TransRequest): Promise<void> {
    await this.validate(req, 'prepare');
    const { record, created, branches } = await this.saveNew(req, Status.prepared);
    if (created) return;
    requireSameRequest(record, req, branches);
    if (record.status !== Status.prepared) {
      throw new IllegalTransition(`transaction ${req.gid} is '${record.status}' and cannot be prepared again`);
    }
  }

  /**
   * prepareWorkflow: stores a prepared transaction, or finds the stored one, and answers it with the
   * branch results recorded so far, from which its client resumes.
   */
  async prepareWithProgress(req: TransRequest): Promise<{ transaction: GlobalRecord; progresses: BranchRecord[] }> {
    await this.validate(req, 'prepare');
    const { record, created, branches } = await this.saveNew(req, Status.prepared);
    if (created) return { transaction: record, progresses: [] };
    assertSameType(record, req);
    return { transaction: record, progresses: branches };
  }

  /**
   * Stores (or moves a prepared one to) submitted and processes it. A repeated submit of a submitted or
   * succeeded transaction succeeds without doing anything twice; of a failed one it answers FAILURE.
   * A type whose client reports the end (workflow) has that end recorded instead. One whose steps or
   * payloads differ from the stored request is refused with 409 CONFLICT.
   */
  async submit(req: TransRequest): Promise<void> {
    await this.validate(req, 'submit');
    const type = transTypeOf(req.transType);
    const reported = type.outcomeAtSubmit?.(req);
    if (reported) return this.recordOutcome(req, reported);
    // The store moves a prepared transaction of this request to submitted in the same call; for a type
    // whose branches come from its steps, only when they are stored byte for byte as this request makes
    // them (anything else, such as a payload serialized again, is judged by requireSameRequest below).
    const { record, created, submitted, branches } = await this.saveNew(req, Status.submitted, {
      likelyStored: type.preparedBeforeSubmit,
      submitPrepared: { sameBranches: !type.registerBranch },
    });
    const wait = req.options.wait_result === true;
    if (created) return this.process(this.runOf(record), wait, true, branches);
    if (submitted) {
      takeSubmitTimeFields(record, req, record.updateTime);
      transLogs.statusChanged(this.deps.log, record, Status.prepared, '');
      return this.process(this.runOf(record), wait, true, branches);
    }
    requireSameRequest(record, req, branches);
    await this.resubmit(record, req, wait, branches);
  }

  /**
   * A submit of a gid that exists: idempotent for the request that created it. `stored` are its
   * branches as read with `record`.
   */
  private async resubmit(
    record: GlobalRecord,
    req: TransRequest,
    wait: boolean,
    stored?: BranchRecord[],
  ): Promise<void> {
    if (record.status === Status.succeed) return;
    if (record.status === Status.failed || record.status === Status.aborting) {
      throw new BranchFailure(
        `transaction ${req.gid} is '${record.status}' and cannot be submitted${record.rollbackReason ? `: ${record.rollbackReason}` : ''}`,
      );
    }
    const run = this.runOf(record);
    if (record.status === Status.prepared) {
      takeSubmitTimeFields(record, req, this.deps.clock());
      try {
        await run.changeStatusOnRequest(Status.submitted);
      } catch (err) {
        if (!(err instanceof IllegalTransition)) throw err;
        // The same submit, sent again, moved it first: go on from what that one stored.
        return this.resubmit(await this.mustFind(req.gid), req, wait);
      }
      // Nothing was called while it was prepared, and a type whose branches come from its steps gains
      // none: what was read with the record is still what is stored. A type that registers branches may
      // have gained one since.
      if (stored && !transTypeOf(record.transType).registerBranch) return this.process(run, wait, true, stored);
    } else if (!wait) {
      // Already submitted: whoever submitted it first (or the cron loop) is driving it; only a caller
      // that waits for the result joins in.
      return;
    }
    await this.process(run, wait, true);
  }

  /**
   * Records the end a client reported: prepared → succeed or failed, nothing called. Reporting the same
   * end again succeeds (a client retrying a lost reply); another end answers FAILURE.
   */
  private async recordOutcome(req: TransRequest, reported: ReportedOutcome): Promise<void> {
    const { record } = await this.saveNew(req, Status.prepared, { likelyStored: true });
    assertSameType(record, req);
    if (record.status === reported.status) return;
    if (record.status !== Status.prepared) {
      throw new BranchFailure(`transaction ${req.gid} is '${record.status}' and cannot become '${reported.status}'`);
    }
    await this.runOf(record).changeStatusOnRequest(
      reported.status,
      reported.status === Status.failed ? reported.reason : '',
    );
  }

  /** Aborts as the transaction's type allows: at once (msg) or by running its rollback (tcc). */
  async abort(req: TransRequest): Promise<void> {
    const existing = await this.mustFind(req.gid);
    const rule = transTypeOf(existing.transType).abort;
    if (!rule || !rule.from.includes(existing.status)) {
      throw new IllegalTransition(
        `a ${existing.transType} transaction in status '${existing.status}' cannot be aborted`,
      );
    }
    const run = this.runOf(existing);
    const reason = req.rollbackReason || 'aborted by the caller';
    if (rule.then === 'fail') {
      await run.changeStatusOnRequest(Status.failed, reason);
      return;
    }
    if (existing.status !== Status.aborting) await run.changeStatusOnRequest(Status.aborting, reason);
    await this.process(run, req.options.wait_result === true, false);
  }

  /**
   * Ends an unfinished transaction as failed without calling anything more. Use with care: what its
   * branches did stays done (a msg whose local step committed never delivers its steps), which
   * `npm run check` reports as half-applied.
   */
  async forceStop(gid: string): Promise<void> {
    const existing = await this.mustFind(gid);
    if (isFinished(existing.status)) {
      throw new IllegalTransition(`transaction ${gid} is already '${existing.status}'; nothing to stop`);
    }
    await this.runOf(existing).changeStatusOnRequest(Status.failed, FORCE_STOP_REASON);
  }

  /**
   * Records a branch of a type that registers branches (tcc: its confirm and cancel; workflow: a result),
   * only while its transaction is prepared.
   */
  async registerBranch(req: RegisterBranchRequest): Promise<void> {
    const type = transTypeOf(req.transType);
    if (!type.registerBranch) {
      throw new InvalidInput(`a ${type.name} transaction does not register branches`, { field: 'trans_type' });
    }
    const branches = type.registerBranch(req, this.deps.clock());
    const saved = await this.deps.store.addBranches(req.gid, Status.prepared, branches);
    if (saved.status === 'missing') {
      throw new BranchFailure(`no prepared transaction with gid ${req.gid}: register branches before submit or abort`);
    }
    if (saved.status === 'conflict') {
      throw new BranchFailure(
        `branch ${saved.branchId} of ${req.gid} is registered already with another ${saved.op} url or data; use a new branch_id`,
        { field: 'branch_id' },
      );
    }
  }

  /**
   * The transaction and its branches, for the query endpoint. The global record is read first: branch
   * outcomes are written no later than the status that follows from them, so the branches read after it
   * are at least as new (read the other way round, a finished status could show unfinished branches).
   */
  async query(gid: string): Promise<{ transaction: GlobalRecord | undefined; branches: BranchRecord[] }> {
    const transaction = await this.deps.store.findGlobal(gid);
    const branches = await this.deps.store.findBranches(gid);
    return { transaction, branches };
  }

  /**
   * Processes a transaction the cron loop leased. Errors are logged, never thrown: the schedule was
   * updated before they surfaced.
   */
  async processLeased(g: GlobalRecord): Promise<void> {
    // A request of this process is moving it already; that pass writes the next schedule.
    if (this.passes.get(g.gid)) return;
    transLogs.cronPicked(this.deps.log, g);
    await this.process(this.runOf(g), true, false).catch((err: unknown) =>
      transLogs.processFailed(this.deps.log, g, err),
    );
  }

  /** Waits for every pass of this process to settle (shutdown and tests). */
  async drain(): Promise<void> {
    await this.passes.drain();
  }

  /** Looks up the subscribers of the topics the steps name, then lets the type check the request. */
  private async validate(req: TransRequest, operation: SaveOperation): Promise<void> {
    req.subscribers = await this.topics.subscribersOf(req.steps);
    transTypeOf(req.transType).validate(req, operation);
  }

  private runOf(g: GlobalRecord): TransRun {
    const type = transTypeOf(g.transType);
    return new TransRun(this.deps, g, {
      defaultTimeoutMs: type.timesOutByDefault ? this.deps.conf.coordinator.timeoutToFailMs : 0,
      alwaysPost: type.alwaysPost,
    });
  }

  /**
   * Runs one pass of the type processor, in the request (`wait`) or in the background. `branches` may be
   * given when they were just created; otherwise they are read from the store. When a pass for the same
   * gid is running in this process already, a waiting caller waits for it instead of starting another.
   * A waiting submit answers the outcome: success, FAILURE once the transaction is rolling back or failed
   * (with the rollback reason), ONGOING while it is still moving forward.
   */
  private async process(run: TransRun, wait: boolean, submitting: boolean, branches?: BranchRecord[]): Promise<void> {
    const gid = run.g.gid;
    const running = this.passes.get(gid);
    if (running) {
      if (!wait) return;
      return this.answerFromStore(gid, submitting, await running);
    }
    const pass = this.passes.start(gid, () => this.runPass(run, !wait, branches));
    if (!wait) return;
    const passError = await pass;
    // Another coordinator moved the status under this pass: what it stored is the answer.
    if (passError instanceof IllegalTransition) return this.answerFromStore(gid, submitting, undefined);
    this.answer(run.g, submitting, passError);
  }

  /** The answer for a pass this request did not run (joined, or overtaken): from the stored status. */
  private async answerFromStore(gid: string, submitting: boolean, passError: unknown): Promise<void> {
    const error = passError instanceof IllegalTransition ? undefined : passError;
    this.answer(await this.mustFind(gid), submitting, error);
  }

  /** One pass; resolves to the error it ended with (logged when nobody waits for it). */
  private async runPass(run: TransRun, background: boolean, branches?: BranchRecord[]): Promise<unknown> {
    try {
      let ok = false;
      try {
        await transTypeOf(run.g.transType).processOnce(
          run,
          branches ?? (await this.deps.store.findBranches(run.g.gid)),
        );
        ok = true;
      } finally {
        const age = (this.deps.clock().getTime() - run.g.createTime.getTime()) / 1000;
        this.deps.metrics.transactionPass(run.g.transType, ok, age);
        await run.flush();
      }
      return undefined;
    } catch (err) {
      if (background) transLogs.processFailed(this.deps.log, run.g, err);
      return err;
    }
  }

  /** What a waiting caller is told about `g` after a pass (`passError`: how that pass ended). */
  private answer(g: GlobalRecord, submitting: boolean, passError?: unknown): void {
    if (submitting && (g.status === Status.failed || g.status === Status.aborting)) {
      throw new BranchFailure(g.rollbackReason || `transaction ${g.gid} ended '${g.status}'`);
    }
    if (passError !== undefined) throw this.stillOngoing(g, passError);
    if (submitting && g.status !== Status.succeed) throw this.stillOngoing(g);
  }

  private stillOngoing(g: GlobalRecord, cause?: unknown): BranchOngoing {
    const why = cause === undefined ? '' : ` (${cause instanceof Error ? cause.message : String(cause)})`;
    return new BranchOngoing(
      `transaction ${g.gid} is '${g.status}' and not finished yet; the coordinator keeps retrying it${why}`,
      { cause },
    );
  }

  /**
   * Inserts the new transaction; on a gid conflict returns the stored one, and its branches, instead
   * (moved to submitted when `options.submitPrepared` did so, see Store.saveNew).
   */
  private async saveNew(
    req: TransRequest,
    status: GlobalStatus,
    options: SaveNewOptions = {},
  ): Promise<{ record: GlobalRecord; created: boolean; submitted: boolean; branches: BranchRecord[] }> {
    const now = this.deps.clock();
    const record = newGlobalRecord(req, status, now, this.deps.conf.coordinator);
    const branches = transTypeOf(req.transType).genBranches(req, now);
    const saved = await this.deps.store.saveNew(record, branches, options);
    if (!saved.created) return { ...saved, record: saved.existing };
    transLogs.saved(this.deps.log, record, branches.length);
    return { record, created: true, submitted: false, branches };
  }

  private async mustFind(gid: string): Promise<GlobalRecord> {
    const g = await this.deps.store.findGlobal(gid);
    if (!g) throw new NotFound(`no transaction with gid ${gid}`);
    return g;
  }
}
