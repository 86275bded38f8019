import type { AxiosInstance } from 'axios';
import { BranchBarrier } from '../barrier/barrier';
import { BranchFailure } from '../errors';
import type { TransWire } from '../protocol/trans-body';
import { classifyAnswer, Op, Outcome, type OutcomeWord } from '../protocol/vocabulary';
import { TransBase } from './trans-base';

/**
 * A 2-phase message: prepare, do the local step, submit. The coordinator then calls every step until it
 * succeeds. If the caller dies between the local step and submit, the coordinator asks `queryPrepared`
 * after the timeout and submits or aborts from the answer.
 */
export class Msg extends TransBase {
  private readonly steps: Record<string, string>[] = [];
  private readonly payloads: string[] = [];
  private delaySeconds = 0;
  queryPrepared = '';

  constructor(dtm: string, gid: string, http?: AxiosInstance) {
    super(dtm, gid, 'msg', http);
  }

  /** Adds a step the coordinator will call with `payload` as JSON body. */
  add(action: string, payload: unknown): this {
    this.steps.push({ action });
    this.payloads.push(JSON.stringify(payload ?? {}));
    return this;
  }

  /** The coordinator calls the steps only this many seconds after submit. */
  setDelay(seconds: number): this {
    this.delaySeconds = seconds;
    return this;
  }

  override toWire(): TransWire {
    if (this.delaySeconds > 0) this.customData = JSON.stringify({ delay: this.delaySeconds });
    const wire: TransWire = { ...super.toWire(), steps: this.steps, payloads: this.payloads };
    if (this.queryPrepared) wire.query_prepared = this.queryPrepared;
    return wire;
  }

  /** Registers the message as prepared; `queryPrepared` is the URL the coordinator asks after a timeout. */
  async prepare(queryPrepared: string): Promise<void> {
    this.queryPrepared = queryPrepared || this.queryPrepared;
    await this.callDtm('prepare', this.toWire());
  }

  /** Submits the message: from now on the coordinator delivers every step. */
  async submit(): Promise<void> {
    await this.callDtm('submit', this.toWire());
  }

  /** Abandons a prepared message; no step will be called. */
  async abort(): Promise<void> {
    await this.callDtm('abort', this.toWire());
  }

  /**
   * Prepare, run `localStep` behind the msg barrier, then submit.
   * - `localStep` throws BranchFailure: the message is aborted, and the error rethrown.
   * - it throws anything else: the outcome is unknown, so `queryPrepared` is asked; the message is
   *   submitted if the step committed, aborted if not, left to the coordinator if the answer is unclear;
   *   the error is rethrown in every case.
   * @throws whatever `localStep` threw, or the coordinator's refusal.
   */
  async doAndSubmit(queryPrepared: string, localStep: (bb: BranchBarrier) => Promise<void>): Promise<void> {
    const bb = BranchBarrier.forMsg(this.gid);
    await this.prepare(queryPrepared);
    try {
      await localStep(bb);
    } catch (stepError) {
      const verdict = stepError instanceof BranchFailure ? Outcome.failure : await this.askQueryPrepared(bb);
      if (verdict === Outcome.failure) await this.abort();
      else if (verdict === Outcome.success) await this.submit();
      throw stepError;
    }
    await this.submit();
  }

  /** Asks `queryPrepared` whether the local step committed, as the coordinator would after a timeout. */
  protected async askQueryPrepared(bb: BranchBarrier): Promise<OutcomeWord> {
    const params = { dtm: this.dtm, gid: this.gid, branch_id: bb.branchId, trans_type: this.transType, op: Op.msg };
    try {
      // The branch headers go along, as the coordinator sends them with its own query-back.
      const res = await this.http.get<string>(this.queryPrepared, {
        params,
        headers: this.options.branchHeaders ?? {},
      });
      return classifyAnswer(res.status, String(res.data ?? ''));
    } catch {
      return Outcome.error;
    }
  }
}
