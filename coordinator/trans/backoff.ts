import type { WireOptions } from '../model/records';

/** How the next retry interval follows from the current one. */
export const CronKind = {
  /** An error: double the interval, up to the cap. */
  backoff: 'backoff',
  /** Progress was made: start again from the first interval. */
  reset: 'reset',
  /** ONGOING: ask again after the same interval. */
  keep: 'keep',
} as const;
export type CronKindName = (typeof CronKind)[keyof typeof CronKind];

/** Defaults the intervals fall back to, from config. */
export interface BackoffDefaults {
  retryIntervalMs: number;
  maxRetryIntervalMs: number;
}

/**
 * The first interval: the transaction's retry_interval (capped like the back-off, at the configured
 * maximum), else its timeout_to_fail when that is shorter than the default (so a short timeout is
 * noticed in time), else the configured default.
 */
export function firstIntervalMs(options: WireOptions, defaults: BackoffDefaults): number {
  if (options.retry_interval) return Math.min(options.retry_interval * 1000, defaults.maxRetryIntervalMs);
  const timeoutMs = (options.timeout_to_fail ?? 0) * 1000;
  if (timeoutMs > 0 && timeoutMs < defaults.retryIntervalMs) return timeoutMs;
  return defaults.retryIntervalMs;
}

/** The next interval for `kind`, never above the configured cap. */
export function nextIntervalMs(
  kind: CronKindName,
  currentMs: number,
  options: WireOptions,
  defaults: BackoffDefaults,
): number {
  switch (kind) {
    case CronKind.backoff:
      return Math.min(Math.max(currentMs, 1) * 2, Math.max(defaults.maxRetryIntervalMs, currentMs));
    case CronKind.keep:
      return currentMs;
    case CronKind.reset:
      return firstIntervalMs(options, defaults);
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown cron kind ${String(unreachable)}`);
    }
  }
}
