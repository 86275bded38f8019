import { InvalidInput, UpstreamError } from '../../common/errors';
import { Limits } from '../../common/protocol/trans-body';
import {
  BranchStatus,
  branchIdOf,
  MSG_BRANCH_ID,
  Op,
  Outcome,
  Status,
  TOPIC_PREFIX,
} from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import { CronKind } from '../trans/backoff';
import type { TransRun } from '../trans/trans-run';
import { parseCustomData, requirePayloads, requireUrl, requireUrlValue, stepBranch } from './steps';
import type { NewTransInput, TransType } from './trans-type';

const CUSTOM_DATA_EXAMPLE = '{"delay":10}';

/**
 * custom_data `{"delay": seconds}`: the steps are called only that long after the message was stored.
 * @throws InvalidInput naming custom_data.delay when it is out of range.
 */
export function delaySeconds(customData: string): number {
  const delay = parseCustomData(customData, CUSTOM_DATA_EXAMPLE).delay ?? 0;
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > Limits.msgDelaySeconds) {
    throw new InvalidInput(`custom_data.delay must be a whole number of seconds from 0 to ${Limits.msgDelaySeconds}`, {
      field: 'custom_data.delay',
    });
  }
  return delay;
}

/** The topic a step's action names, or undefined for a plain URL. */
function topicOf(action: string | undefined): string | undefined {
  return action?.startsWith(TOPIC_PREFIX) ? action.slice(TOPIC_PREFIX.length) : undefined;
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

/** Calls the steps one after another, stopping at the first that does not succeed. */
async function deliverInOrder(run: TransRun, steps: BranchRecord[]): Promise<void> {
  for (const step of steps) await run.execBranch(step, false);
}

/** Calls every step at once (option `concurrent`); the first error is rethrown once all have answered. */
async function deliverAtOnce(run: TransRun, steps: BranchRecord[]): Promise<void> {
  const results = await Promise.allSettled(steps.map((step) => run.execBranch(step, false)));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/**
 * 2-phase message: once submitted (or confirmed by query-back), every step is called, in order or (with
 * the `concurrent` option) all at once, until each succeeded. Steps cannot fail for good: FAILURE from a
 * step is retried like any error.
 */
export const msgType: TransType = {
  name: 'msg',
  timesOutByDefault: true,
  alwaysPost: false,
  preparedBeforeSubmit: true,
  abort: { from: [Status.prepared], then: 'fail' },

  validate(input: NewTransInput, operation): void {
    requirePayloads(input);
    input.steps.forEach((step, i) => {
      const topic = topicOf(step.action);
      if (topic === undefined) return requireUrl(input, i, Op.action, false);
      if ((input.subscribers?.[topic] ?? []).length === 0) {
        throw new InvalidInput(`steps[${i}].action names topic '${topic}', which has no subscribers`, {
          field: `steps[${i}].action`,
        });
      }
    });
    delaySeconds(input.customData);
    if (operation === 'prepare' || input.queryPrepared !== '') {
      requireUrlValue(input.queryPrepared, 'query_prepared', false, input.protocol);
    }
  },

  /** One branch per step; a topic step fans out to its subscribers as branches 02-01, 02-02, … (DTM). */
  genBranches(input: NewTransInput, now: Date): BranchRecord[] {
    return input.steps.flatMap((step, i) => {
      const branch = stepBranch(input, i, Op.action, now);
      const topic = topicOf(step.action);
      if (topic === undefined) return [branch];
      const urls = input.subscribers?.[topic] ?? [];
      if (urls.length === 1) return [{ ...branch, url: urls[0] ?? '' }];
      return urls.map((url, j) => ({ ...branch, url, branchId: `${branch.branchId}-${branchIdOf(j)}` }));
    });
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
    const pending = branches.filter((b) => b.op === Op.action && b.status === BranchStatus.prepared);
    await (run.g.options.concurrent ? deliverAtOnce(run, pending) : deliverInOrder(run, pending));
    if (pending.some((b) => b.status !== BranchStatus.succeed)) {
      throw new UpstreamError(`msg ${run.g.gid}: a step did not succeed`);
    }
    await run.changeStatus(Status.succeed);
  },
};
