import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../common/log';
import type { Store } from '../storage/store';
import type { TransService } from '../service/trans-service';
import type { Clock } from '../model/clock';

const SUMMARY_EVERY_MS = 10_000;

export interface CronDeps {
  store: Store;
  service: TransService;
  clock: Clock;
  log: Logger;
  /** Pause between scans when nothing is due. */
  intervalMs: number;
  /** How long a picked transaction stays leased to this coordinator before another may take it. */
  leaseMs: number;
  /** Loops running side by side; each leases its own transaction, so a slow branch holds up only one. */
  workers: number;
}

/**
 * The recovery loop: leases due transactions one at a time and processes each to completion or to its
 * next retry. Several coordinators may share one store; the lease keeps each transaction with one.
 */
export class Cron {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private readonly ownerPrefix = `${hostname()}-${process.pid}`;
  /** Progress since the last summary line, so a long recovery shows how it advances. */
  private processed = 0;
  private lastSummary = Date.now();
  /** Failed passes in a row, and the last error, so an outage is logged once (see passFailed). */
  private failedPasses = 0;
  private lastFailure = '';

  constructor(private readonly deps: CronDeps) {}

  /** Leases and processes one due transaction; returns its gid, or undefined when none was due. */
  async runOnce(): Promise<string | undefined> {
    const now = this.deps.clock();
    const owner = `${this.ownerPrefix}-${randomBytes(4).toString('hex')}`;
    const g = await this.deps.store.lockOneDue(now, owner, new Date(now.getTime() + this.deps.leaseMs));
    if (!g) return undefined;
    await this.deps.service.processLeased(g);
    this.processed += 1;
    this.summarize();
    return g.gid;
  }

  /** At most every SUMMARY_EVERY_MS, one line with how many transactions the loops have processed. */
  private summarize(): void {
    const now = Date.now();
    if (now - this.lastSummary < SUMMARY_EVERY_MS) return;
    this.deps.log.info(
      { event: 'cron.progress', processed: this.processed, seconds: Math.round((now - this.lastSummary) / 1000) },
      `cron processed ${this.processed} transactions`,
    );
    this.processed = 0;
    this.lastSummary = now;
  }

  /** Runs `runOnce` until nothing is due (at most `max` times); returns the gids processed. */
  async runUntilIdle(max = 1000): Promise<string[]> {
    const gids: string[] = [];
    for (let i = 0; i < max; i++) {
      const gid = await this.runOnce();
      if (gid === undefined) break;
      gids.push(gid);
    }
    return gids;
  }

  /** Starts the background loops. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: Math.max(1, this.deps.workers) }, () => this.run());
  }

  /** Stops the loops and waits for the transactions in hand to finish their pass. */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async run(): Promise<void> {
    while (this.running) {
      let gid: string | undefined;
      try {
        gid = await this.runOnce();
        this.passSucceeded();
      } catch (err) {
        this.passFailed(err);
      }
      if (gid === undefined && this.running) await this.sleep(this.deps.intervalMs * (0.75 + Math.random() * 0.5));
    }
  }

  /**
   * A failing pass (the store is down, say) is logged at error level when its error is new, and at debug
   * level while it repeats, so an outage is one line and not one per worker per interval.
   */
  private passFailed(err: unknown): void {
    this.failedPasses += 1;
    const message = err instanceof Error ? err.message : String(err);
    const repeated = message === this.lastFailure;
    this.lastFailure = message;
    this.deps.log[repeated ? 'debug' : 'error'](
      { event: 'cron.error', err, failedPasses: this.failedPasses },
      'cron pass failed; the loops keep trying every interval',
    );
  }

  /** The line that ends an outage: the loops work again. */
  private passSucceeded(): void {
    if (this.failedPasses === 0) return;
    this.deps.log.info(
      { event: 'cron.resumed', failedPasses: this.failedPasses },
      `cron passes work again after ${this.failedPasses} failed`,
    );
    this.failedPasses = 0;
    this.lastFailure = '';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
