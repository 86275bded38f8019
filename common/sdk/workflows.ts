import type { AxiosInstance } from 'axios';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { BranchFailure, InvalidInput, NotFound, UpstreamError } from '../errors';
import { route } from '../http/branch-result';
import { parseInput } from '../http/validate';
import { gidSchema } from '../protocol/trans-body';
import { Status } from '../protocol/vocabulary';
import { sharedClient } from './trans-base';
import { Workflow } from './workflow';
import { WorkflowTrans } from './workflow-trans';

/** A workflow function: it opens branches on `wf` and runs their actions; `data` is its input. */
export type WorkflowHandler = (wf: Workflow, data: string) => Promise<void>;

/** Per-workflow options. Durations are seconds, as on the wire. */
export interface WorkflowOptions {
  /** Also roll back a branch whose action failed (DTM: CompensateErrorBranch). Default false. */
  compensateErrorBranch?: boolean;
  /** How long after it starts (and then between tries) the coordinator calls back an unfinished run. */
  retryInterval?: number;
  /** Timeout of the coordinator's call of the callback URL. */
  requestTimeout?: number;
  /** Headers the coordinator sends with its call of the callback URL (the application's branch secret). */
  branchHeaders?: Record<string, string>;
}

interface Registered {
  handler: WorkflowHandler;
  options: WorkflowOptions;
}

/** The query of the coordinator's call of the callback URL: the workflow's gid and, as `op`, its name. */
const callbackQuery = z.object({ gid: gidSchema, op: z.string().min(1, 'is required') });

/**
 * The workflows of one application (DTM client/workflow/factory.go): registered by name, run by
 * `execute`, resumed by the coordinator through the callback URL, which the application serves with
 * `callbackHandler()`.
 */
export class Workflows {
  private readonly registered = new Map<string, Registered>();

  /**
   * @param dtm the coordinator's URL.
   * @param callbackUrl where the application serves `callbackHandler()`; a function when the URL is
   * known only once the server listens.
   */
  constructor(
    readonly dtm: string,
    private readonly callbackUrl: string | (() => string),
    private readonly http: AxiosInstance = sharedClient(),
  ) {}

  /** @throws InvalidInput naming `name` when a workflow of that name is registered already. */
  register(name: string, handler: WorkflowHandler, options: WorkflowOptions = {}): void {
    if (this.registered.has(name)) {
      throw new InvalidInput(`a workflow named '${name}' is registered already`, { field: 'name' });
    }
    this.registered.set(name, { handler, options });
  }

  /**
   * Runs workflow `name` as transaction `gid` on input `data`; when the gid exists, resumes it: the
   * input stored first is used, and every recorded result is replayed instead of called again. Ends
   * with the commit callbacks (success) or the rollback callbacks (FAILURE), then reports the end.
   * @throws BranchFailure when the workflow failed (its rollbacks ran). Anything else (ONGOING, an
   * unreachable branch, a rollback that errored) leaves the workflow unfinished: the coordinator calls
   * the callback URL later and it goes on from where it stopped.
   */
  async execute(name: string, gid: string, data: string): Promise<void> {
    const entry = this.registered.get(name);
    if (!entry) throw new NotFound(`no workflow named '${name}' is registered here`, { field: 'op' });
    const { compensateErrorBranch = false, retryInterval, requestTimeout, branchHeaders } = entry.options;
    const trans = new WorkflowTrans(this.dtm, gid, this.http).withOptions({
      retryInterval,
      requestTimeout,
      branchHeaders,
    });
    const callback = typeof this.callbackUrl === 'string' ? this.callbackUrl : this.callbackUrl();
    const progress = await trans.prepareWorkflow(name, data, callback);
    if (progress.status === Status.succeed) return;
    if (progress.status === Status.failed) throw new BranchFailure(progress.rollbackReason || `workflow ${gid} failed`);
    if (progress.status !== Status.prepared) {
      throw new UpstreamError(`transaction ${gid} is '${progress.status}', not a workflow to run`);
    }
    const wf = new Workflow({
      gid,
      recorded: progress.results,
      record: (branchId, op, result) => trans.record(branchId, op, result),
      http: this.http,
      compensateErrorBranch,
    });
    let failure: BranchFailure | undefined;
    try {
      await entry.handler(wf, progress.storedData ?? data);
    } catch (err) {
      if (!(err instanceof BranchFailure)) throw err;
      failure = err;
    }
    await wf.finish(failure !== undefined);
    await trans.submitEnd(failure);
    if (failure) throw failure;
  }

  /**
   * The express handler for the callback URL (GET or POST): the coordinator calls it with the gid and,
   * as `op`, the workflow's name. It answers the run's end: 200, 409 FAILURE when the workflow failed,
   * 425 or another error when it is still unfinished (the coordinator calls again later).
   */
  callbackHandler(): RequestHandler {
    return route(async (req) => {
      const { gid, op } = parseInput(callbackQuery, req.query, 'branch', 'query');
      const body: unknown = req.body;
      const data = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
      await this.execute(op, gid, data);
    });
  }
}
