import { randomBytes } from 'node:crypto';
import { BranchBarrier } from '../common/barrier/barrier';
import { BranchFailure, UpstreamError } from '../common/errors';
import { Msg } from '../common/sdk/msg';
import type { FlashStock } from './stock';

/**
 * What one sale attempt ended as. `pending`: the coordinator could not be reached (or answered badly)
 * after the message may have been stored, so only the coordinator knows the outcome: the message's
 * query-back decides it, and the gid looks it up.
 */
export type SaleOutcome =
  | { status: 'ordered'; gid: string }
  | { status: 'sold_out'; gid: string }
  | { status: 'crashed_after_deduction'; gid: string }
  | { status: 'pending'; gid: string; message: string };

export interface SellerDeps {
  dtm: string;
  busiUrl: () => string;
  stock: FlashStock;
  productId: number;
  /** Test-only: kill this process right after the stock deduction, before submit. */
  killAfterDeduct: boolean;
  /** Headers of every branch call and query-back: the branch secret. */
  branchHeaders: Record<string, string>;
}

/** How long the coordinator waits before asking a prepared sale whether its deduction happened. */
export const CRASH_TIMEOUT_SECONDS = 3;

/** Every flash sale's message gid starts with this; the checker counts the sales in flight by it. */
export const FLASH_GID_PREFIX = 'flash-';

/**
 * Sells one unit: a 2-phase message whose local step takes the unit in Redis and whose only branch
 * creates the order in MySQL.
 */
export class FlashSeller {
  constructor(private readonly deps: SellerDeps) {}

  private message(userId: number, timeoutToFail?: number): Msg {
    const gid = `${FLASH_GID_PREFIX}${randomBytes(8).toString('hex')}`;
    const msg = new Msg(this.deps.dtm, gid)
      .withOptions({ branchHeaders: this.deps.branchHeaders })
      .add(`${this.deps.busiUrl()}/createOrder`, { user_id: userId, product_id: this.deps.productId });
    return timeoutToFail ? msg.withOptions({ timeoutToFail }) : msg;
  }

  private get queryPrepared(): string {
    return `${this.deps.busiUrl()}/redisQueryPrepared`;
  }

  /**
   * prepare → take one unit → submit. Sold out aborts the message: nothing is ever delivered. When the
   * coordinator cannot be reached, the answer is `pending` with the gid, never an error without it: a
   * unit may have been taken, and the coordinator then creates the order after its query-back.
   */
  async sell(userId: number): Promise<SaleOutcome> {
    const msg = this.message(userId);
    try {
      await msg.doAndSubmit(this.queryPrepared, async (bb) => {
        await this.deps.stock.takeOne(bb);
        if (this.deps.killAfterDeduct) process.kill(process.pid, 'SIGKILL');
      });
      return { status: 'ordered', gid: msg.gid };
    } catch (err) {
      if (err instanceof BranchFailure) return { status: 'sold_out', gid: msg.gid };
      if (err instanceof UpstreamError) return this.pending(msg.gid, err);
      throw err;
    }
  }

  private pending(gid: string, err: UpstreamError): SaleOutcome {
    return {
      status: 'pending',
      gid,
      message: `the coordinator could not be reached (${err.message.slice(0, 200)}); the outcome is pending: GET ${this.deps.dtm}/query?gid=${gid} tells it (no transaction there: nothing was sold)`,
    };
  }

  /**
   * prepare → take one unit → stop, as if the process died before submit. The coordinator finds the
   * message prepared after CRASH_TIMEOUT_SECONDS, asks redisQueryPrepared, sees the deduction and
   * submits it, so the order is still created.
   */
  async sellAndCrash(userId: number): Promise<SaleOutcome> {
    const msg = this.message(userId, CRASH_TIMEOUT_SECONDS);
    try {
      await msg.prepare(this.queryPrepared);
    } catch (err) {
      if (err instanceof UpstreamError) return this.pending(msg.gid, err);
      throw err;
    }
    try {
      await this.deps.stock.takeOne(BranchBarrier.forMsg(msg.gid));
    } catch (err) {
      if (!(err instanceof BranchFailure)) throw err;
      await msg.abort();
      return { status: 'sold_out', gid: msg.gid };
    }
    return { status: 'crashed_after_deduction', gid: msg.gid };
  }
}
