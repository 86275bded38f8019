import { InvalidInput, UpstreamError } from '../../common/errors';
import { Outcome } from '../../common/http/branch-result';
import { Op } from '../../common/sdk/trans-base';
import { MSG_BRANCH_ID } from '../../common/barrier/barrier';
import { CronKind } from '../cron/backoff';
import type { BranchRecord } from '../trans/records';
import { BranchStatus, Status } from '../trans/status';
import type { TransRun } from '../trans/trans-run';
import { requirePayloads, requireUrl, stepBranch } from './steps';
import type { NewTransInput, TransType } from './trans-type';

function delaySeconds(customData: string): number {
  if (customData === '') return 0;
  try {
    const delay = (JSON.parse(customData) as { delay?: unknown }).delay;
    return typeof delay === 'number' && delay > 0 ? delay : 0;
  } catch {
    return 0;
  }
}

/** Read through a function: the status changes across awaits, which narrowing cannot see. */
function isSubmitted(run: TransRun): boolean {
  return run.g.status === Status.submitted;
}

/**
 * Resolves a prepared message that timed out by asking its query_prepared URL: 200 submits it,
 * FAILURE aborts it, ONGOING asks again later, anything else backs off.
 */
async function queryBack(run: TransRun): Promise<void> {
  const answer = await run.callUrl({ url: run.g.queryPrepared, branchId: MSG_BRANCH_ID, op: Op.msg, data: '' });
  switch (answer.outcome) {
    case Outcome.success:
      return run.changeStatus(Status.submitted);
    case Outcome.failure:
      return run.changeStatus(Status.failed, `query_prepared answered FAILURE: ${answer.text.slice(0, 300)}`);
    case Outcome.ongoing:
      return run.touchCron(CronKind.reset);
    case Outcome.error:
      return run.touchCron(CronKind.backoff);
  }
}

/**
 * 2-phase message: once submitted (or confirmed by query-back), every step is called in order until it
 * succeeds. Steps cannot fail for good; FAILURE from a step is retried like any error.
 */
export const msgType: TransType = {
  name: 'msg',

  validate(input: NewTransInput, operation): void {
    requirePayloads(input);
    input.steps.forEach((_, i) => requireUrl(input, i, Op.action, false));
    if (operation === 'prepare' && !/^https?:\/\/\S+$/.test(input.queryPrepared)) {
      throw new InvalidInput('query_prepared must be the http(s) URL the coordinator asks when the message times out', {
        field: 'query_prepared',
      });
    }
  },

  genBranches(input: NewTransInput, now: Date): BranchRecord[] {
    return input.steps.map((_, i) => stepBranch(input, i, Op.action, now));
  },

  async processOnce(run: TransRun, branches: BranchRecord[]): Promise<void> {
    if (run.g.status === Status.prepared && run.isTimeout()) await queryBack(run);
    if (!isSubmitted(run)) return;
    const delayMs = delaySeconds(run.g.customData) * 1000;
    const dueAt = run.g.createTime.getTime() + delayMs;
    if (delayMs > 0 && run.now().getTime() < dueAt) {
      await run.touchCron(CronKind.reset, dueAt - run.now().getTime());
      return;
    }
    for (const branch of branches) {
      if (branch.op !== Op.action || branch.status !== BranchStatus.prepared) continue;
      if ((await run.execBranch(branch, false)) !== BranchStatus.succeed)
        throw new UpstreamError(`msg step ${branch.branchId} did not succeed`);
    }
    await run.changeStatus(Status.succeed);
  },
};
