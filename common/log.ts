import pino from 'pino';

export type Logger = pino.Logger;

/** The root logger at the configured level; components take a `child({ component })` of it. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime });
}
