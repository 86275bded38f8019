import pino from 'pino';

export type Logger = pino.Logger;

/** The root logger at the configured level; components take a `child({ component })` of it. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Cuts long payloads so one log line stays readable. */
export function truncate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}
