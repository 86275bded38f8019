import { BranchFailure, BranchOngoing, IllegalTransition, InvalidInput, NotFound } from '../../common/errors';
import { Op } from '../../common/sdk/trans-base';
import { firstIntervalMs } from '../cron/backoff';
import { UniqueConflict } from '../storage/store';
import { transTypeOf } from '../trans-types/registry';
import type { NewTransInput } from '../trans-types/trans-type';
import { transLogs } from './logs';
import type { BranchRecord, GlobalRecord, WireOptions } from './records';
import { BranchStatus, isFinished, Status, type GlobalStatus } from './status';
import { TransRun, type RunDeps } from './trans-run';

/** A prepare / submit / abort request after validation: the transaction, its options and headers. */
export interface TransRequest extends NewTransInput {
  protocol: string;
  options: WireOptions;
  rollbackReason: string;
  /** Values of the passthrough_headers found on the request. */
  headers: Record<string, string>;
}

/** A registerBranch request (TCC) after validation. */
export interface RegisterBranchRequest {
  gid: string;
  transType: string;
  branchId: string;
  data: string;
  confirm: string;
  cancel: string;
}

/**
 * The coordinator's operations, independent of HTTP: what each endpoint does to the store and when
 * processing starts. Processing either runs inside the request (wait_result) or in the background;
 * background runs are tracked so `drain` can wait for them at shutdown.
 */
export class TransService {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: RunDeps) {}

  /** Stores a prepared transaction; repeating it while still prepared is a no-op. */
  async prepare(req: TransRequest): Promise<void> {
    transTypeOf(req.transType).validate(req, 'prepare');
    const { record, created } = await this.saveNew(req, Status.prepared);
    if (!created && record.status !== Status.prepared) {
      throw new IllegalTransition(`transaction ${req.gid} is '${record.status}' and cannot be prepared again`);
    }
  }

  /**
   * Stores (or moves a prepared one to) submitted and processes it. A repeated submit of a submitted or
   * succeeded transaction succeeds without doing anything twice; of a failed one it answers FAILURE.
   */
  async submit(req: TransRequest): Promise<void> {
    transTypeOf(req.transType).validate(req, 'submit');
    const { record, created, branches } = await this.saveNew(req, Status.submitted);
    const run = new TransRun(this.deps, record);
    if (!created) {
      if (record.transType !== req.transType)
        throw new IllegalTransition(
          `gid ${req.gid} belongs to a ${record.transType} transaction, not ${req.transType}`,
        );
      if (record.status === Status.succeed) return;
      if (record.status === Status.failed || record.status === Status.aborting) {
        throw new BranchFailure(
          `transaction ${req.gid} is '${record.status}' and cannot be submitted${record.rollbackReason ? `: ${record.rollbackReason}` : ''}`,
        );
      }
      // Already submitted: whoever submitted it first (or the cron loop) is driving it; only a caller
      // that waits for the result runs a pass of its own, which the status guard keeps consistent.
      if (record.status === Status.submitted && req.options.wait_result !== true) return;
      if (record.status === Status.prepared) await run.changeStatus(Status.submitted);
    }
    await this.process(run, req.options.wait_result === true, true, created ? branches : undefined);
  }

  /** Aborts a prepared msg (it fails at once) or a prepared tcc (its cancels run). */
  async abort(req: TransRequest): Promise<void> {
    const existing = await this.mustFind(req.gid);
    const run = new TransRun(this.deps, existing);
    if (existing.transType === 'msg' && existing.status === Status.prepared) {
      await run.changeStatus(Status.failed, req.rollbackReason || 'aborted by the caller');
      return;
    }
    if (existing.transType !== 'tcc' || (existing.status !== Status.prepared && existing.status !== Status.aborting)) {
      throw new IllegalTransition(
        `a ${existing.transType} transaction in status '${existing.status}' cannot be aborted`,
      );
    }
    if (existing.status === Status.prepared)
      await run.changeStatus(Status.aborting, req.rollbackReason || 'aborted by the caller');
    await this.process(run, req.options.wait_result === true, false);
  }

  /** Ends an unfinished transaction as failed without calling anything more. Use with care. */
  async forceStop(gid: string): Promise<void> {
    const existing = await this.mustFind(gid);
    if (isFinished(existing.status))
      throw new IllegalTransition(`transaction ${gid} is already '${existing.status}'; nothing to stop`);
    await new TransRun(this.deps, existing).changeStatus(Status.failed, 'stopped by forceStop');
  }

  /** Records a TCC branch's confirm and cancel, only while its transaction is prepared. */
  async registerBranch(req: RegisterBranchRequest): Promise<void> {
    if (req.transType !== 'tcc') {
      throw new InvalidInput(`registerBranch supports trans_type 'tcc', got '${req.transType}'`, {
        field: 'trans_type',
      });
    }
    const now = this.deps.clock();
    const make = (op: string, url: string): BranchRecord => ({
      gid: req.gid,
      url,
      data: req.data,
      branchId: req.branchId,
      op,
      status: BranchStatus.prepared,
      createTime: now,
      updateTime: now,
      finishTime: null,
    });
    const saved = await this.deps.store.addBranches(req.gid, Status.prepared, [
      make(Op.cancel, req.cancel),
      make(Op.confirm, req.confirm),
    ]);
    if (!saved)
      throw new BranchFailure(`no prepared transaction with gid ${req.gid}: register branches before submit or abort`);
  }

  /** The transaction and its branches, for the query endpoint. */
  async query(gid: string): Promise<{ transaction: GlobalRecord | undefined; branches: BranchRecord[] }> {
    const [transaction, branches] = await Promise.all([
      this.deps.store.findGlobal(gid),
      this.deps.store.findBranches(gid),
    ]);
    return { transaction, branches };
  }

  /**
   * Processes a transaction the cron loop leased. Errors are logged, never thrown: the schedule was
   * updated before they surfaced.
   */
  async processLeased(g: GlobalRecord): Promise<void> {
    transLogs.cronPicked(this.deps.log, g);
    await this.process(new TransRun(this.deps, g), true, false).catch((err: unknown) =>
      transLogs.processFailed(this.deps.log, g, err),
    );
  }

  /** Waits for background processing to settle (shutdown and tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Runs one pass of the type processor, in the request (`wait`) or in the background. `branches` may be
   * given when they were just created; otherwise they are read from the store.
   */
  private async process(run: TransRun, wait: boolean, submitting: boolean, branches?: BranchRecord[]): Promise<void> {
    const type = transTypeOf(run.g.transType);
    const pass = async () => {
      try {
        await type.processOnce(run, branches ?? (await this.deps.store.findBranches(run.g.gid)));
      } finally {
        await run.flush();
      }
    };
    if (!wait) {
      const background = pass()
        .catch((err: unknown) => transLogs.processFailed(this.deps.log, run.g, err))
        .finally(() => this.inFlight.delete(background));
      this.inFlight.add(background);
      return;
    }
    try {
      await pass();
    } catch (err) {
      if (err instanceof IllegalTransition) throw err;
      throw new BranchOngoing(
        `transaction ${run.g.gid} is not finished yet; the coordinator keeps retrying it (${err instanceof Error ? err.message : String(err)})`,
        { cause: err },
      );
    }
    if (submitting && run.g.status !== Status.succeed) {
      if (isFinished(run.g.status) || run.g.status === Status.aborting) {
        throw new BranchFailure(run.g.rollbackReason || `transaction ${run.g.gid} ended '${run.g.status}'`);
      }
      throw new BranchOngoing(`transaction ${run.g.gid} is '${run.g.status}'; the coordinator keeps retrying it`);
    }
  }

  /** Inserts the new transaction; on a gid conflict returns the stored one instead. */
  private async saveNew(
    req: TransRequest,
    status: GlobalStatus,
  ): Promise<{ record: GlobalRecord; created: boolean; branches: BranchRecord[] }> {
    const now = this.deps.clock();
    const defaults = {
      retryIntervalMs: this.deps.conf.coordinator.retryIntervalMs,
      maxRetryIntervalMs: this.deps.conf.coordinator.maxRetryIntervalMs,
    };
    const interval = firstIntervalMs(req.options, defaults);
    // wait_result concerns only the request that carries it, so it is not stored.
    const { wait_result: _waitResult, ...storedOptions } = req.options;
    const record: GlobalRecord = {
      gid: req.gid,
      transType: req.transType,
      status,
      queryPrepared: req.queryPrepared,
      protocol: req.protocol || 'http',
      options: storedOptions,
      customData: req.customData,
      headers: req.headers,
      createTime: now,
      updateTime: now,
      finishTime: null,
      rollbackTime: null,
      rollbackReason: '',
      nextCronIntervalMs: interval,
      nextCronTime: new Date(now.getTime() + interval),
      owner: '',
      retryCount: 0,
    };
    const branches = transTypeOf(req.transType).genBranches(req, now);
    try {
      await this.deps.store.saveNew(record, branches);
    } catch (err) {
      if (!(err instanceof UniqueConflict)) throw err;
      return { record: await this.mustFind(req.gid), created: false, branches: [] };
    }
    transLogs.saved(this.deps.log, record, branches.length);
    return { record, created: true, branches };
  }

  private async mustFind(gid: string): Promise<GlobalRecord> {
    const g = await this.deps.store.findGlobal(gid);
    if (!g) throw new NotFound(`no transaction with gid ${gid}`);
    return g;
  }
}
