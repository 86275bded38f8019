import { TransBase } from './trans-base';

/**
 * A global transaction whose caller runs the branches itself (TCC, XA): prepare before the first
 * branch, then submit (the coordinator finishes every registered branch) or abort (it undoes them).
 */
export abstract class GlobalTrans extends TransBase {
  async prepare(): Promise<void> {
    await this.callDtm('prepare', this.toWire());
  }

  async submit(): Promise<void> {
    await this.callDtm('submit', this.toWire());
  }

  async abort(): Promise<void> {
    await this.callDtm('abort', this.toWire());
  }
}

/** What happens when the abort after a failed body cannot be delivered. */
export type AbortFailure =
  /** The abort's error is thrown (TCC, as DTM's client does). */
  | 'throw'
  /** The body's error is kept; the coordinator undoes the branches after the timeout (XA, dtmimp/trans_xa_base.go). */
  | 'keep the body error';

/**
 * Prepare, `body` (the branch calls), then submit. Any error from `body` aborts the transaction, with
 * the error's message as the rollback reason, and is rethrown.
 */
export async function runGlobalTrans<T extends GlobalTrans>(
  trans: T,
  body: (trans: T) => Promise<void>,
  onAbortFailure: AbortFailure,
): Promise<void> {
  await trans.prepare();
  try {
    await body(trans);
  } catch (err) {
    trans.rollbackReason = err instanceof Error ? err.message.slice(0, 1000) : String(err);
    const aborting = trans.abort();
    await (onAbortFailure === 'throw' ? aborting : aborting.catch(() => undefined));
    throw err;
  }
  await trans.submit();
}
