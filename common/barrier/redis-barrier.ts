import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { BranchFailure, Duplicated, InvalidInput } from '../errors';
import { RedisScript } from '../redis-script';
import { MSG_BARRIER_ID, MSG_BRANCH_ID, Op } from '../protocol/vocabulary';
import { ORIGIN_OP, type BranchBarrier } from './barrier';

const checkAdjustAmount = new RedisScript(join(__dirname, 'check-adjust-amount.lua'));
const queryPrepared = new RedisScript(join(__dirname, 'query-prepared.lua'));

/** What a guarded adjustment did. */
export type AdjustOutcome = 'OK' | 'DUPLICATE' | 'NULL_COMPENSATION';

export interface RedisBarrierOptions {
  /** Prepended to every barrier key (tests give each run its own). */
  prefix: string;
  /** The hash tag the barrier keys and the amount keys share, so one script touches one cluster slot. */
  hashTag: string;
  /** Barrier keys expire after this long; longer than any transaction may take to finish. */
  expireSeconds: number;
}

/**
 * The sub-transaction barrier on Redis, for amounts kept in Redis: every check and write of one call
 * happens in one Lua script, so it is atomic without a lock.
 */
export class RedisBarrier {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisBarrierOptions,
  ) {}

  /** A key carrying this barrier's hash tag, for amounts the scripts adjust. */
  amountKey(name: string): string {
    return `${this.options.prefix}{${this.options.hashTag}}:${name}`;
  }

  /**
   * Adds `amount` to the integer at `key` once per branch call, never going below zero.
   * @throws BranchFailure when the key is missing or the amount is short; Duplicated when a msg local
   * step runs twice; InvalidInput when `key` lacks the hash tag.
   */
  async checkAdjustAmount(bb: BranchBarrier, key: string, amount: number): Promise<AdjustOutcome> {
    if (!key.includes(`{${this.options.hashTag}}`)) {
      throw new InvalidInput(
        `key '${key}' must contain the hash tag {${this.options.hashTag}}; build it with amountKey()`,
        { field: 'key' },
      );
    }
    const barrierId = bb.nextBarrierId();
    const originOp = ORIGIN_OP[bb.op] ?? '';
    const current = this.barrierKey(bb.gid, bb.branchId, bb.op, barrierId);
    const origin = originOp ? this.barrierKey(bb.gid, bb.branchId, originOp, barrierId) : current;
    const answer = String(
      await checkAdjustAmount.run(this.redis, [key, current, origin], [amount, originOp, this.options.expireSeconds]),
    );
    if (answer === 'FAILURE')
      throw new BranchFailure(`${key} cannot be adjusted by ${amount}: missing or not enough left`);
    if (answer === 'DUPLICATE' && bb.op === Op.msg)
      throw new Duplicated(`msg ${bb.gid} has run its local step already`);
    return answer as AdjustOutcome;
  }

  /**
   * Answers the coordinator's query-back for a msg whose local step ran through `checkAdjustAmount`.
   * @throws BranchFailure when the step did not run; it never will after this call.
   */
  async queryPrepared(gid: string): Promise<void> {
    const key = this.msgStepKey(gid);
    const answer = String(await queryPrepared.run(this.redis, [key], [this.options.expireSeconds]));
    if (answer === 'FAILURE')
      throw new BranchFailure(`msg ${gid}: the local step did not run; the message is rolled back`);
  }

  /** The barrier key of a msg's local step: 'op' once the step ran, 'rollback' once query-back ruled it out. */
  msgStepKey(gid: string): string {
    return this.barrierKey(gid, MSG_BRANCH_ID, Op.msg, MSG_BARRIER_ID);
  }

  /** A SCAN pattern matching every key of this barrier. */
  keyPattern(): string {
    return `${this.keyBase(true)}*`;
  }

  /** The SCAN pattern of every msg local-step key, and how to read the gid back from a key it found. */
  msgStepKeys(): { pattern: string; gidOf(key: string): string } {
    const tail = `-${MSG_BRANCH_ID}-${Op.msg}-${MSG_BARRIER_ID}`;
    const head = this.keyBase(false);
    return {
      pattern: `${this.keyBase(true)}*${tail}`,
      gidOf: (key) => key.slice(head.length, key.length - tail.length),
    };
  }

  private barrierKey(gid: string, branchId: string, op: string, barrierId: string): string {
    return `${this.keyBase(false)}${gid}-${branchId}-${op}-${barrierId}`;
  }

  /** What every barrier key starts with; `forPattern` escapes what SCAN's glob would read as wildcards. */
  private keyBase(forPattern: boolean): string {
    const base = `${this.options.prefix}{${this.options.hashTag}}:barrier:`;
    return forPattern ? base.replace(/[*?[\]\\]/g, '\\$&') : base;
  }
}
