import { isFinished, Op, Status } from '../common/protocol/vocabulary';
import type { Config } from '../conf/config';
import type { GlobalRecord } from '../coordinator/model/records';
import { delaySeconds } from '../coordinator/trans-types/msg';
import { sample, type CheckContext, type CheckResult } from './result';

/** Slack on every schedule and lifetime: cron passes and clocks are not exact. */
const GRACE_MS = 60_000;

/**
 * How long a transaction may reasonably stay unfinished: its timeout (its own timeout_to_fail, else
 * TIMEOUT_TO_FAIL_MS, which also bounds a prepared saga; a msg's delay when longer), plus one maximum
 * retry interval for the pass that acts on the timeout, plus a minute. A transaction older than this
 * is stuck, not in flight: a branch keeps failing, or a pass never comes.
 */
export function expectedLifetimeMs(g: GlobalRecord, conf: Config): number {
  const timeoutMs = g.options.timeout_to_fail ? g.options.timeout_to_fail * 1000 : conf.coordinator.timeoutToFailMs;
  const delayMs = g.transType === 'msg' ? delaySeconds(g.customData) * 1000 : 0;
  return Math.max(timeoutMs, delayMs) + conf.coordinator.maxRetryIntervalMs + GRACE_MS;
}

const describe = (g: GlobalRecord) => `${g.gid} (${g.status})`;

/**
 * Unfinished transactions are in flight only when they are due soon, younger than their expected
 * lifetime, and (sagas with a retry_limit) not retried beyond it.
 */
export async function checkTransactions(ctx: CheckContext): Promise<CheckResult[]> {
  const { src, now } = ctx;
  const globals = [...ctx.byGid.values()];
  const unfinished = globals.filter((g) => !isFinished(g.status));
  const overdue = unfinished.filter((g) => now.getTime() - g.nextCronTime.getTime() > GRACE_MS);
  const tooOld = unfinished.filter((g) => now.getTime() - g.createTime.getTime() > expectedLifetimeMs(g, src.conf));
  const overRetried: string[] = [];
  for (const g of unfinished) {
    const limit = g.options.retry_limit ?? 0;
    if (g.transType !== 'saga' || g.status !== Status.submitted || limit === 0) continue;
    // Each action gets 1 + retry_limit attempts before the saga rolls back; every erroring one counts.
    const actions = (await src.store.findBranches(g.gid)).filter((b) => b.op === Op.action).length;
    if (g.retryCount > (limit + 1) * actions) overRetried.push(`${g.gid} (${g.retryCount} retries, limit ${limit})`);
  }
  return [
    {
      name: 'every unfinished transaction is due soon',
      ok: overdue.length === 0,
      detail: `${globals.length} transactions, ${unfinished.length} unfinished, ${overdue.length} overdue${
        overdue.length ? `: ${sample(overdue.map(describe))}` : ''
      }`,
    },
    {
      name: 'no transaction outlives its expected lifetime',
      ok: tooOld.length === 0,
      detail: tooOld.length
        ? `unfinished past timeout + MAX_RETRY_INTERVAL_MS + 60 s: ${sample(tooOld.map(describe))}`
        : `${unfinished.length} unfinished, all younger than their lifetime`,
    },
    {
      name: 'no saga retried beyond its retry_limit',
      ok: overRetried.length === 0,
      detail: overRetried.length ? sample(overRetried) : 'none',
    },
  ];
}
