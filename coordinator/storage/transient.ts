/**
 * Store errors that say nothing about the request: the store rolled the work back (deadlock victim, lock
 * wait timeout) or the connection broke before an answer came. Each store write is written so that doing
 * it again is safe (an insert that landed meets its own unique key, a status move its own guard), so these
 * are retried inside the store instead of reaching a client as a 5xx.
 */
const TRANSIENT_CODES = new Set([
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

/** ioredis reports a dropped or not yet re-established connection by message only. */
const TRANSIENT_MESSAGES = [/^Connection is closed/, /^Reached the max retries per request limit/, /ECONNRESET/];

export function isTransientStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  return TRANSIENT_MESSAGES.some((m) => m.test(err.message));
}

/** Attempts, and the pause before each retry; about 1.5 s in all, longer than a typical reconnect. */
const RETRY_PAUSES_MS = [5, 20, 50, 100, 250, 500, 600];

/** Runs `work`, retrying it after a transient store error; any other error, or the last one, is thrown. */
export async function retryTransient<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const pause = RETRY_PAUSES_MS[attempt];
      if (pause === undefined || !isTransientStoreError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
