import { IllegalTransition, NotFound } from '../../common/errors';
import type { Logger } from '../../common/log';
import type { Clock } from '../model/clock';
import type { TransEvent } from '../model/events';
import type { CronReset, GlobalFilter, GlobalPage, Store } from '../storage/store';

/** A listing request: one gid exactly, or a filtered page. */
export interface ListRequest {
  gid?: string;
  filter: GlobalFilter;
  position: string;
  limit: number;
}

export interface AdminDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** resetCronTime's default: transactions scheduled later than this from now are reset (DTM: 3 × TimeoutToFail). */
  defaultResetAfterMs: number;
}

/**
 * What the admin endpoints and the dashboard do besides running transactions: list and inspect them,
 * and bring scheduled retries forward. Who may call them is the API's concern.
 */
export class AdminService {
  constructor(private readonly deps: AdminDeps) {}

  /** The transaction with `gid` (a one-row page, or none), else a filtered page, newest first (DTM's `all`). */
  async list(req: ListRequest): Promise<GlobalPage> {
    if (req.gid !== undefined) {
      const g = await this.deps.store.findGlobal(req.gid);
      return { transactions: g ? [g] : [], nextPosition: '' };
    }
    return this.deps.store.scanGlobals(req.position, req.limit, req.filter);
  }

  /** The transaction's recorded calls and status changes, oldest first. */
  async events(gid: string): Promise<TransEvent[]> {
    return this.deps.store.findEvents(gid);
  }

  /**
   * "Retry now": the unfinished transaction becomes due at once, so a cron loop picks it up within one
   * CRON_INTERVAL_MS.
   * @throws NotFound for an unknown gid; IllegalTransition when it is finished.
   */
  async resetNextCronTime(gid: string): Promise<void> {
    if (await this.deps.store.resetNextCronTime(gid, this.deps.clock())) {
      this.deps.log.info({ event: 'admin.retry_now', gid }, 'next cron time reset: the transaction is due now');
      return;
    }
    const g = await this.deps.store.findGlobal(gid);
    if (!g) throw new NotFound(`no transaction with gid ${gid}`);
    throw new IllegalTransition(`transaction ${gid} is '${g.status}'; there is nothing to retry`);
  }

  /**
   * Makes due at once up to `limit` unfinished transactions scheduled more than `afterMs` from now
   * (default: DTM's 3 × the default timeout), for use after a business service's downtime.
   */
  async resetCronTime(afterMs: number | undefined, limit: number): Promise<CronReset> {
    const now = this.deps.clock();
    const after = new Date(now.getTime() + (afterMs ?? this.deps.defaultResetAfterMs));
    const result = await this.deps.store.resetCronTimes(after, now, limit);
    this.deps.log.info({ event: 'admin.reset_cron_time', ...result }, 'cron times reset');
    return result;
  }
}
