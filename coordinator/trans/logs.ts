import type { Logger } from '../../common/log';
import type { BranchAnswer, BranchTarget } from './branch-call';
import type { GlobalRecord } from '../model/records';

/**
 * Every lifecycle line of a transaction, defined once with an event id, so logs can be grepped and
 * counted by `event`.
 */
export const transLogs = {
  saved(log: Logger, g: GlobalRecord, branches: number): void {
    log.info(
      { event: 'trans.saved', gid: g.gid, trans_type: g.transType, status: g.status, branches },
      'transaction saved',
    );
  },
  branchCalled(log: Logger, g: GlobalRecord, b: BranchTarget, a: BranchAnswer): void {
    const level = a.outcome === 'ERROR' ? 'warn' : 'debug';
    log[level](
      {
        event: 'branch.called',
        gid: g.gid,
        trans_type: g.transType,
        branch_id: b.branchId,
        op: b.op,
        url: b.url,
        http_status: a.status,
        outcome: a.outcome,
        ms: a.ms,
      },
      a.outcome === 'ERROR' ? `branch call failed, will retry: ${a.text.slice(0, 200)}` : 'branch called',
    );
  },
  ongoing(log: Logger, g: GlobalRecord, b: BranchTarget): void {
    log.info(
      { event: 'branch.ongoing', gid: g.gid, branch_id: b.branchId, op: b.op },
      'branch is ongoing, asking again later',
    );
  },
  retryScheduled(log: Logger, g: GlobalRecord, intervalMs: number, at: Date): void {
    log.info(
      {
        event: 'trans.retry_scheduled',
        gid: g.gid,
        status: g.status,
        interval_ms: intervalMs,
        next_cron_time: at.toISOString(),
        retry_count: g.retryCount,
      },
      'retry scheduled',
    );
  },
  statusChanged(log: Logger, g: GlobalRecord, from: string, reason: string): void {
    log.info(
      { event: 'trans.status', gid: g.gid, trans_type: g.transType, from, to: g.status, reason: reason || undefined },
      `transaction ${g.status}`,
    );
  },
  cronPicked(log: Logger, g: GlobalRecord): void {
    log.info(
      { event: 'cron.picked', gid: g.gid, trans_type: g.transType, status: g.status, retry_count: g.retryCount },
      'cron picked a transaction',
    );
  },
  processFailed(log: Logger, g: GlobalRecord, err: unknown): void {
    log.warn(
      { event: 'trans.process_failed', gid: g.gid, status: g.status, err },
      'processing stopped; the cron loop will resume it',
    );
  },
};
