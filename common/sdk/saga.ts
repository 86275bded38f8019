import type { AxiosInstance } from 'axios';
import { InvalidInput } from '../errors';
import type { TransWire } from '../protocol/trans-body';
import { TransBase } from './trans-base';

/**
 * A saga: ordered steps of action + compensation. The coordinator runs the actions and, when one answers
 * FAILURE, runs the compensations of what ran, in reverse.
 */
export class Saga extends TransBase {
  private readonly steps: Record<string, string>[] = [];
  private readonly payloads: string[] = [];
  private readonly orders = new Map<number, number[]>();
  private concurrent = false;

  constructor(dtm: string, gid: string, http?: AxiosInstance) {
    super(dtm, gid, 'saga', http);
  }

  /** Adds a step; `payload` is sent as the JSON body of both calls. */
  add(action: string, compensate: string, payload: unknown): this {
    this.steps.push({ action, compensate });
    this.payloads.push(JSON.stringify(payload ?? {}));
    return this;
  }

  /** Runs the steps concurrently, subject to `addBranchOrder`. */
  enableConcurrent(): this {
    this.concurrent = true;
    return this;
  }

  /**
   * In a concurrent saga, step `branch` starts only after every step in `preBranches` succeeded
   * (indexes are 0-based, as in DTM).
   * @throws InvalidInput if an index names no step.
   */
  addBranchOrder(branch: number, preBranches: number[]): this {
    for (const index of [branch, ...preBranches]) {
      if (!Number.isInteger(index) || index < 0 || index >= this.steps.length) {
        throw new InvalidInput(`branch order names step ${index}, but the saga has steps 0..${this.steps.length - 1}`, {
          field: 'orders',
        });
      }
    }
    this.orders.set(branch, preBranches);
    return this;
  }

  override toWire(): TransWire {
    if (this.concurrent) {
      this.customData = JSON.stringify({ orders: Object.fromEntries(this.orders), concurrent: true });
    }
    return { ...super.toWire(), concurrent: this.concurrent, steps: this.steps, payloads: this.payloads };
  }

  /**
   * Submits the saga. With `waitResult` it returns once the saga succeeded.
   * @throws BranchFailure when the coordinator refuses it or (waitResult) it rolled back.
   */
  async submit(headers: Record<string, string> = {}): Promise<void> {
    await this.callDtm('submit', this.toWire(), headers);
  }
}
