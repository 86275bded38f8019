import { InvalidInput, UpstreamError } from '../../common/errors';
import { BranchStatus, Op, Status } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import { CronKind } from '../trans/backoff';
import type { TransRun } from '../trans/trans-run';
import { parseCustomData, requirePayloads, requireUrl, stepBranch } from './steps';
import type { NewTransInput, TransType } from './trans-type';

const CUSTOM_DATA_EXAMPLE = '{"concurrent":true,"orders":{"1":[0]}}';

/** custom_data of a concurrent saga: `orders[i]` lists the steps that must succeed before step i. */
interface SagaLayout {
  concurrent: boolean;
  orders: Record<string, number[]>;
}

/** @throws InvalidInput naming custom_data when it is not shaped like CUSTOM_DATA_EXAMPLE. */
function parseLayout(customData: string): SagaLayout {
  const layout = parseCustomData(customData, CUSTOM_DATA_EXAMPLE);
  const orders = layout.orders ?? {};
  if (typeof orders !== 'object' || orders === null || Array.isArray(orders)) {
    throw new InvalidInput(`custom_data.orders must be an object like ${CUSTOM_DATA_EXAMPLE}`, {
      field: 'custom_data.orders',
    });
  }
  for (const [key, before] of Object.entries(orders)) {
    if (!Array.isArray(before) || !before.every((b) => Number.isInteger(b))) {
      throw new InvalidInput(`custom_data.orders["${key}"] must be an array of step indexes`, {
        field: 'custom_data.orders',
      });
    }
  }
  return { concurrent: layout.concurrent === true, orders: orders as Record<string, number[]> };
}

/** A cycle among the branch orders (a list of step indexes), or undefined. */
function findCycle(count: number, orders: Record<string, number[]>): number[] | undefined {
  const state = new Array<'new' | 'open' | 'done'>(count).fill('new');
  const path: number[] = [];
  const visit = (i: number): number[] | undefined => {
    if (state[i] === 'open') return [...path.slice(path.indexOf(i)), i];
    if (state[i] === 'done') return undefined;
    state[i] = 'open';
    path.push(i);
    for (const before of orders[String(i)] ?? []) {
      const cycle = visit(before);
      if (cycle) return cycle;
    }
    path.pop();
    state[i] = 'done';
    return undefined;
  };
  for (let i = 0; i < count; i++) {
    const cycle = visit(i);
    if (cycle) return cycle;
  }
  return undefined;
}

/** A step's two operations. DTM stores compensate before action for every step. */
interface Step {
  action: BranchRecord;
  compensate: BranchRecord;
}

function pairSteps(branches: BranchRecord[]): Step[] {
  const steps: Step[] = [];
  for (const b of branches) {
    const index = Number(b.branchId) - 1;
    const step = (steps[index] ??= {} as Step);
    if (b.op === Op.action) step.action = b;
    else step.compensate = b;
  }
  return steps;
}

/**
 * Runs tasks as their dependencies allow, several at once, until none can start. A task that throws
 * stops new starts (the error is kept); the ones in flight still finish.
 */
async function runWhenReady(
  count: number,
  canStart: (i: number) => boolean,
  run: (i: number) => Promise<boolean>,
): Promise<unknown> {
  const started = new Set<number>();
  const running = new Map<number, Promise<void>>();
  let firstError: unknown;
  let halted = false;
  for (;;) {
    if (!halted && firstError === undefined) {
      for (let i = 0; i < count; i++) {
        if (started.has(i) || !canStart(i)) continue;
        started.add(i);
        running.set(
          i,
          run(i)
            .then((keepGoing) => {
              if (!keepGoing) halted = true;
            })
            .catch((err: unknown) => {
              firstError ??= err;
            })
            .finally(() => running.delete(i)),
        );
      }
    }
    if (running.size === 0) return firstError;
    await Promise.race(running.values());
  }
}

/**
 * Runs a step's action, again at once after an error while `retryLimit` allows (DTM's retry_limit:
 * 1 + N attempts). FAILURE is final and never retried.
 * @returns the action's result, or `exhausted` with the last error once every attempt errored.
 * @throws BranchOngoing, or UpstreamError when no retry_limit is set.
 */
async function runAction(
  run: TransRun,
  action: BranchRecord,
  retryLimit: number,
): Promise<{ status: 'succeed' } | { status: 'failed' | 'exhausted'; reason: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run.execBranch(action, true);
    } catch (err) {
      if (!(err instanceof UpstreamError) || retryLimit === 0) throw err;
      if (attempt >= retryLimit) {
        return { status: 'exhausted', reason: `retry_limit ${retryLimit} reached: ${err.message}` };
      }
    }
  }
}

/**
 * A saga that was prepared and never submitted: no action has run, so once its prepared timeout passes
 * it fails at once, nothing to compensate; until then it is looked at again when that time comes.
 */
async function expireUnsubmitted(run: TransRun): Promise<void> {
  const timeoutMs = run.preparedTimeoutMs();
  const remainingMs = run.g.createTime.getTime() + timeoutMs - run.now().getTime();
  if (remainingMs > 0) return run.touchCron(CronKind.reset, remainingMs);
  await run.changeStatus(Status.failed, `Timeout after ${timeoutMs / 1000} seconds: prepared and never submitted`);
}

/**
 * Saga: actions in order (or by `orders` when concurrent); an action answering FAILURE, or erroring
 * past its retry_limit, rolls the saga back, compensating in reverse every step that ran or may have
 * run. Compensations never fail for good: they are retried until they succeed.
 */
export const sagaType: TransType = {
  name: 'saga',
  timesOutByDefault: false,
  alwaysPost: false,
  preparedBeforeSubmit: false,

  validate(input: NewTransInput): void {
    requirePayloads(input);
    input.steps.forEach((_, i) => {
      requireUrl(input, i, Op.action, false);
      requireUrl(input, i, Op.compensate, true);
    });
    const layout = parseLayout(input.customData);
    for (const [key, before] of Object.entries(layout.orders)) {
      for (const index of [Number(key), ...before]) {
        if (!Number.isInteger(index) || index < 0 || index >= input.steps.length) {
          throw new InvalidInput(`custom_data.orders names step ${index}, but steps are 0..${input.steps.length - 1}`, {
            field: 'custom_data.orders',
          });
        }
      }
      if (before.some((b) => b >= Number(key) && !layout.concurrent)) {
        throw new InvalidInput('custom_data.orders needs "concurrent": true', { field: 'custom_data' });
      }
    }
    const cycle = findCycle(input.steps.length, layout.orders);
    if (cycle) {
      throw new InvalidInput(`custom_data.orders has a cycle (${cycle.join(' → ')}); those steps could never start`, {
        field: 'custom_data.orders',
      });
    }
  },

  genBranches(input: NewTransInput, now: Date): BranchRecord[] {
    return input.steps.flatMap((_, i) => [
      stepBranch(input, i, Op.compensate, now),
      stepBranch(input, i, Op.action, now),
    ]);
  },

  async processOnce(run: TransRun, branches: BranchRecord[]): Promise<void> {
    const g = run.g;
    if (g.status === Status.prepared) return expireUnsubmitted(run);
    if (g.status === Status.submitted && run.isTimeout()) {
      await run.changeStatus(Status.aborting, `Timeout after ${run.timeoutMs() / 1000} seconds`);
    }
    const steps = pairSteps(branches);
    const layout = parseLayout(g.customData);
    const before = steps.map((_, i) => (layout.concurrent ? (layout.orders[String(i)] ?? []) : i > 0 ? [i - 1] : []));
    const after = steps.map((_, i) => before.flatMap((deps, j) => (deps.includes(i) ? [j] : [])));
    const actionSucceeded = (i: number) => steps[i]?.action.status === BranchStatus.succeed;
    const mayStart = (i: number) => (before[i] ?? []).every(actionSucceeded);

    if (g.status === Status.submitted) {
      const retryLimit = g.options.retry_limit ?? 0;
      // A FAILURE is written only with the move to aborting it causes; a submitted saga with a failed
      // action comes from a store written by an earlier version, and is rolled back all the same.
      const failedEarlier = steps.find((s) => s.action.status === BranchStatus.failed)?.action;
      let rollbackReason = failedEarlier
        ? `${failedEarlier.op} ${failedEarlier.url} answered FAILURE in an earlier pass`
        : '';
      const error = await runWhenReady(
        steps.length,
        (i) => !failedEarlier && steps[i]?.action.status === BranchStatus.prepared && mayStart(i),
        async (i) => {
          const result = await runAction(run, steps[i]!.action, retryLimit);
          if (result.status === 'succeed') return true;
          rollbackReason ||= result.reason;
          return false;
        },
      );
      if (steps.every((s) => s.action.status === BranchStatus.succeed)) {
        await run.changeStatus(Status.succeed);
        return;
      }
      if (rollbackReason) await run.changeStatus(Status.aborting, rollbackReason);
      else if (error !== undefined) throw error;
    }

    if (g.status !== Status.aborting) return;
    // A step is compensated when its action finished, or when it was allowed to start and so may have
    // run with an unknown outcome; the barrier turns a compensation of a never-run action into a no-op.
    const needsCompensation = steps.map(
      (s, i) =>
        s.compensate.status !== BranchStatus.succeed && (s.action.status !== BranchStatus.prepared || mayStart(i)),
    );
    const compensated = (i: number) => !needsCompensation[i] || steps[i]?.compensate.status === BranchStatus.succeed;
    const laterSteps = (i: number) => (layout.concurrent ? (after[i] ?? []) : i + 1 < steps.length ? [i + 1] : []);
    const error = await runWhenReady(
      steps.length,
      (i) => needsCompensation[i] === true && laterSteps(i).every(compensated),
      async (i) => {
        await run.execBranch(steps[i]!.compensate, false);
        return true;
      },
    );
    if (steps.every((_, i) => compensated(i))) {
      await run.changeStatus(Status.failed);
      return;
    }
    throw error ?? new UpstreamError(`saga ${g.gid}: compensation could not complete`);
  },
};
