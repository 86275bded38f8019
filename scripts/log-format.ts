/** Turns one pino JSON line into `HH:MM:SS LEVEL message key=value …`; other lines pass unchanged. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, component: _component, pid: _pid, hostname: _host, err, ...rest } = entry;
  const levels: Record<number, string> = {
    10: 'TRACE',
    20: 'DEBUG',
    30: 'INFO ',
    40: 'WARN ',
    50: 'ERROR',
    60: 'FATAL',
  };
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const fields = Object.entries(rest)
    .filter(([k]) => k !== 'config')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const error = err && typeof err === 'object' ? ` error="${String((err as { message?: unknown }).message)}"` : '';
  return `${clock} ${levels[Number(level)] ?? String(level)} ${String(msg ?? '')} ${fields}${error}`.trimEnd();
}
