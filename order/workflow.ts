import type { AxiosInstance } from 'axios';
import type { RequestHandler, Router } from 'express';
import { BranchFailure } from '../common/errors';
import { parseInput } from '../common/http/validate';
import { Workflows } from '../common/sdk/workflows';
import { ORDER_SAGA_STEPS, orderRequestSchema } from './order-request';

/** The name the order workflow is registered and resumed under. */
export const ORDER_WORKFLOW = 'order';

/** Where the examples serve the workflow callback, under /api/busi. */
const CALLBACK_PATH = '/workflow/resume';

export interface OrderWorkflowDeps {
  dtm: string;
  /** Base URL of the branch endpoints (…/api/busi), known once the server listens. */
  busiUrl: () => string;
  /** Test-only: kill this process right after this branch's action (1-4); 0 never. */
  killAfterBranch: number;
  /** The client of the workflow's calls (it carries the branch secret). */
  http?: AxiosInstance;
  /** The branch secret, for the coordinator's call of the callback. */
  branchHeaders: Record<string, string>;
  /** Lets through only calls that carry the branch secret (the callback). */
  callersOnly: RequestHandler;
}

/** The workflow's input: the order request as JSON text. */
function orderOf(data: string) {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new BranchFailure('the workflow input is not JSON', { field: 'data' });
  }
  return parseInput(orderRequestSchema, value, 'branch');
}

/**
 * The order saga written as a workflow: the examples run the four branches themselves, each action a
 * recorded HTTP call of the same branch endpoint the saga uses, each with its `…Revert` registered as
 * the branch's rollback. When a branch refuses, the rollbacks run newest first. If the process dies
 * half-way, the coordinator calls the callback served here, and the run goes on from what was recorded.
 * @returns the workflows, for the fire endpoints.
 */
export function addOrderWorkflow(router: Router, deps: OrderWorkflowDeps): Workflows {
  const workflows = new Workflows(deps.dtm, () => `${deps.busiUrl()}${CALLBACK_PATH}`, deps.http);
  workflows.register(
    ORDER_WORKFLOW,
    async (wf, data) => {
      const req = orderOf(data);
      const busi = deps.busiUrl();
      for (const [i, step] of ORDER_SAGA_STEPS.entries()) {
        await wf
          .newBranch()
          .onRollback(() => wf.call(`${busi}/${step}Revert`, req))
          .call(`${busi}/${step}`, req);
        if (deps.killAfterBranch === i + 1) process.kill(process.pid, 'SIGKILL');
      }
    },
    // A refused branch is rolled back too (behind the barrier that changes nothing): a second run of the
    // workflow, started by the coordinator while the first still runs, may have seen it succeed.
    { compensateErrorBranch: true, branchHeaders: deps.branchHeaders },
  );
  router.all(`/api/busi${CALLBACK_PATH}`, deps.callersOnly, workflows.callbackHandler());
  return workflows;
}
