import { UpstreamError } from '../../common/errors';

/** One story of the examples the dashboard can fire: its endpoint and what it shows. */
export interface Demo {
  name: string;
  path: string;
  caption: string;
}

/**
 * The examples' fire endpoints that answer with the gid of the transaction they started, so the
 * dashboard can open it. A new example story (XA, workflow, …) adds a line here.
 */
export const DEMOS: readonly Demo[] = [
  { name: 'fireSucceed', path: '/api/fireSucceed', caption: 'order saga commits' },
  { name: 'fireFailed', path: '/api/fireFailed', caption: 'stock refuses 1000 units: rollback' },
  { name: 'fireFailedCoupon', path: '/api/fireFailedCoupon', caption: 'coupon is not the user’s: rollback' },
  { name: 'fireTcc', path: '/api/fireTcc', caption: 'order as TCC: tries, then confirms' },
  { name: 'fireTccFailed', path: '/api/fireTccFailed', caption: 'TCC stock try refuses: cancels' },
  { name: 'flashSales', path: '/api/busi/flashSales', caption: 'flash sale through a 2-phase message' },
  { name: 'flashSales-crash', path: '/api/busi/flashSales-crash', caption: 'sale “crashes”; the query-back saves it' },
];

/**
 * Fires a demo on the examples at `examplesUrl` and returns the gid of its transaction.
 * @throws UpstreamError when the examples do not answer or answer without a gid.
 */
export async function fireDemo(examplesUrl: string, demo: Demo, timeoutMs: number): Promise<string> {
  const url = `${examplesUrl}${demo.path}`;
  const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) }).catch((err: unknown) => {
    throw new UpstreamError(`the examples do not answer at ${url} (start them with npm start): ${String(err)}`);
  });
  const body = (await res.json().catch(() => ({}))) as { gid?: unknown; message?: unknown };
  if (!res.ok || typeof body.gid !== 'string') {
    throw new UpstreamError(`${url} answered ${res.status}: ${String(body.message ?? 'no gid')}`);
  }
  return body.gid;
}
