import type { AxiosInstance } from 'axios';
import { BranchBarrier } from '../barrier/barrier';
import { BranchFailure, UpstreamError } from '../errors';
import { BranchStatus, branchIdOf, Op } from '../protocol/vocabulary';
import { throwUnlessSuccess } from './trans-base';
import { resultKey, WORKFLOW_TRANS_TYPE, type StepResult } from './workflow-trans';

/** A commit or rollback callback; `bb` is the barrier of that op, for local work that must run once. */
export type Phase2Callback = (bb: BranchBarrier) => Promise<unknown>;

/** How a workflow records a result with the coordinator. */
export type ResultRecorder = (branchId: string, op: string, result: StepResult) => Promise<void>;

type Phase = typeof Op.action | typeof Op.commit | typeof Op.rollback;

interface Phase2Item {
  branchId: string;
  fn: Phase2Callback;
}

/** What the workflow function is given besides its input. */
export interface WorkflowContext {
  gid: string;
  /** Results recorded by earlier runs, by `<branch_id>-<op>`: replayed instead of called again. */
  recorded: Map<string, StepResult>;
  record: ResultRecorder;
  http: AxiosInstance;
  /** Also roll back a branch whose action failed (DTM's CompensateErrorBranch). */
  compensateErrorBranch: boolean;
}

/**
 * One run of a workflow function (DTM client/workflow/workflow.go, imp.go). Each `newBranch()` opens a
 * branch (01, 02, …); its action (`call` or `do`) is recorded with the coordinator once it succeeded or
 * failed, and replayed from the record when the workflow runs again after a crash, never called twice.
 * `onRollback` / `onCommit` register what to run when the workflow fails or succeeds: saga style
 * (rollback = compensation) or TCC style (commit = confirm, rollback = cancel).
 */
export class Workflow {
  private branches = 0;
  private branchId = '';
  private phase: Phase = Op.action;
  private hasAction = false;
  private readonly commits: Phase2Item[] = [];
  private readonly rollbacks: Phase2Item[] = [];

  constructor(private readonly ctx: WorkflowContext) {}

  get gid(): string {
    return this.ctx.gid;
  }

  /**
   * Opens the next branch.
   * @throws Error inside a commit or rollback callback: only the workflow function opens branches.
   */
  newBranch(): this {
    if (this.phase !== Op.action) throw new Error('newBranch() was called inside a commit or rollback callback');
    this.branches += 1;
    this.branchId = branchIdOf(this.branches - 1);
    this.hasAction = false;
    return this;
  }

  /** What to run for the current branch when the workflow fails (a compensation, or a TCC cancel). */
  onRollback(fn: Phase2Callback): this {
    this.rollbacks.push({ branchId: this.openBranch(), fn });
    return this;
  }

  /** What to run for the current branch when the workflow succeeds (a TCC confirm). */
  onCommit(fn: Phase2Callback): this {
    this.commits.push({ branchId: this.openBranch(), fn });
    return this;
  }

  /**
   * The current branch's action as local work: its result (or BranchFailure) is recorded.
   * @throws BranchFailure when it failed, now or in an earlier run; any other error unrecorded.
   */
  async do(fn: (bb: BranchBarrier) => Promise<string | void>): Promise<string> {
    return this.recorded(async (bb) => (await fn(bb)) ?? '');
  }

  /**
   * POSTs `body` as JSON to `url` with `gid, trans_type, branch_id, op` in the query, as the
   * coordinator calls branches. In the workflow function it is the current branch's action, recorded
   * like `do`; inside a commit or rollback callback it is a plain call of that op.
   * @returns the answer's text.
   * @throws BranchFailure (409 / FAILURE), BranchOngoing (425 / ONGOING), UpstreamError (anything else).
   */
  async call(url: string, body: unknown): Promise<string> {
    const send = async () => {
      const params = { gid: this.gid, trans_type: WORKFLOW_TRANS_TYPE, branch_id: this.branchId, op: this.phase };
      const res = await this.ctx.http.post<string>(url, body ?? {}, { params }).catch((err: unknown) => {
        throw new UpstreamError(`cannot reach ${url}: ${String(err)}`, { cause: err });
      });
      const text = String(res.data ?? '');
      throwUnlessSuccess(res.status, text, `${this.phase} ${url}`);
      return text;
    };
    return this.phase === Op.action ? this.recorded(send) : send();
  }

  /**
   * Runs the commit callbacks (`failed` false) or the rollback callbacks, newest branch first, each
   * recorded so a later run skips it.
   * @throws UpstreamError or whatever a callback threw: the workflow stays unfinished, and a later run
   * (the coordinator's callback) calls the remaining ones again. A callback's FAILURE counts as such an
   * error: a commit or rollback must eventually succeed.
   */
  async finish(failed: boolean): Promise<void> {
    this.phase = failed ? Op.rollback : Op.commit;
    for (const item of [...(failed ? this.rollbacks : this.commits)].reverse()) {
      this.branchId = item.branchId;
      if (this.ctx.recorded.has(resultKey(item.branchId, this.phase))) continue;
      try {
        await item.fn(this.barrier());
      } catch (err) {
        if (!(err instanceof BranchFailure)) throw err;
        throw new UpstreamError(`${this.phase} of branch ${item.branchId} answered FAILURE; it is retried`, {
          cause: err,
        });
      }
      await this.ctx.record(item.branchId, this.phase, { status: BranchStatus.succeed, data: '' });
    }
  }

  private openBranch(): string {
    if (this.branchId === '' || this.phase !== Op.action) throw new Error('call newBranch() first');
    return this.branchId;
  }

  private barrier(): BranchBarrier {
    return new BranchBarrier(WORKFLOW_TRANS_TYPE, this.gid, this.branchId, this.phase);
  }

  /** Replays the current branch's recorded action, or runs it and records a success or FAILURE. */
  private async recorded(fn: (bb: BranchBarrier) => Promise<string>): Promise<string> {
    const branchId = this.openBranch();
    if (this.hasAction) throw new Error(`branch ${branchId} has an action already; call newBranch() first`);
    this.hasAction = true;
    let result = this.ctx.recorded.get(resultKey(branchId, Op.action));
    if (!result) {
      result = await outcome(() => fn(this.barrier()));
      await this.ctx.record(branchId, Op.action, result);
    }
    if (result.status === BranchStatus.succeed) return result.data;
    const last = this.rollbacks.at(-1);
    // DTM does not roll back a branch whose action failed, unless asked to: a failed action that kept
    // its barrier row rolled back changed nothing.
    if (!this.ctx.compensateErrorBranch && last?.branchId === branchId) this.rollbacks.pop();
    throw new BranchFailure(result.data);
  }
}

/** A success or FAILURE as a result to record; any other error is rethrown, unrecorded. */
async function outcome(fn: () => Promise<string>): Promise<StepResult> {
  try {
    return { status: BranchStatus.succeed, data: await fn() };
  } catch (err) {
    if (err instanceof BranchFailure) return { status: BranchStatus.failed, data: err.message };
    throw err;
  }
}
