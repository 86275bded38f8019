import type { Redis } from 'ioredis';
import type { BranchBarrier } from '../common/barrier/barrier';
import { RedisBarrier } from '../common/barrier/redis-barrier';

/** The hash tag shared by the stock key and the barrier keys, so every script touches one cluster slot. */
export const FLASH_HASH_TAG = 'flash';

/** The product on sale; the example sells one. */
export const FLASH_PRODUCT_ID = 1;

/** Barrier keys outlive any message: the coordinator's query-back comes within minutes. */
const BARRIER_EXPIRE_SECONDS = 24 * 3600;

/** The flash-sale stock in Redis, always changed through the barrier. */
export class FlashStock {
  readonly barrier: RedisBarrier;
  readonly key: string;
  private readonly initialKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    productId: number,
  ) {
    this.barrier = new RedisBarrier(redis, { prefix, hashTag: FLASH_HASH_TAG, expireSeconds: BARRIER_EXPIRE_SECONDS });
    this.key = this.barrier.amountKey(`stock:${productId}`);
    this.initialKey = this.barrier.amountKey(`stock:${productId}:initial`);
  }

  /**
   * Takes one unit for the message behind `bb`, atomically with its barrier key.
   * @throws BranchFailure when sold out.
   */
  async takeOne(bb: BranchBarrier): Promise<void> {
    await this.barrier.checkAdjustAmount(bb, this.key, -1);
  }

  async left(): Promise<number> {
    return Number((await this.redis.get(this.key)) ?? 0);
  }

  /**
   * The units put on sale by the last seed or reset, which the checker balances against the stock left
   * and the orders; undefined when not recorded.
   */
  async initial(): Promise<number | undefined> {
    const units = await this.redis.get(this.initialKey);
    return units === null ? undefined : Number(units);
  }

  /** Puts `units` on sale unless a stock is set already (a restart keeps what is left). */
  async seed(units: number): Promise<void> {
    await this.redis.msetnx(this.key, units, this.initialKey, units);
  }

  /**
   * Starts a new sale of `units`: the stock and its record, and no trace of earlier sales (their barrier
   * keys), whose orders the caller deletes.
   */
  async reset(units: number): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.barrier.keyPattern(), 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await this.redis.mset(this.key, units, this.initialKey, units);
  }
}
