import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../conf/config';
import { formatLogLine } from './log-format';
import { checkServices } from './preflight';

/**
 * `npm start`: checks MySQL and Redis, starts the coordinator and the examples as two processes with
 * prefixed logs, waits until both answer, prints the curl lines, and stops both on Ctrl-C.
 */
const ROOT = join(__dirname, '..');
const colours = { coordinator: '\x1b[36m', examples: '\x1b[35m' } as const;
const reset = '\x1b[0m';

function startProcess(name: keyof typeof colours, entry: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${colours[name]}[${name.padEnd(11)}]${reset}`;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${formatLogLine(line)}`));
  }
  return child;
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before ${url} answered`);
    if ((await fetch(url).catch(() => undefined))?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const conf = loadConfig();
  const problems = await checkServices(conf);
  if (problems.length > 0) {
    for (const p of problems) {
      console.error(`✗ ${p.what} is not reachable at ${p.where}\n  ${p.error}\n  start it with: ${p.howToStart}\n`);
    }
    process.exit(1);
  }
  console.log(`✓ MySQL at ${conf.mysql.host}:${conf.mysql.port} and Redis at ${conf.redis.host}:${conf.redis.port} answer`);

  const children = [startProcess('coordinator', 'coordinator/main.ts'), startProcess('examples', 'scripts/examples-main.ts')];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    for (const child of children) child.kill('SIGTERM');
    Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code), () => process.exit(1));
  };
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));
  for (const child of children) child.once('exit', (code) => !stopping && stopAll(code ?? 1));

  const busi = `http://localhost:${conf.busi.port}`;
  try {
    await waitHealthy(`http://localhost:${conf.coordinator.port}/api/dtmsvr/health`, children[0]!);
    await waitHealthy(`${busi}/api/health`, children[1]!);
  } catch (err) {
    console.error(`✗ ${err instanceof Error ? err.message : String(err)}`);
    stopAll(1);
    return;
  }
  console.log(`
✓ coordinator on http://localhost:${conf.coordinator.port}/api/dtmsvr (store: ${conf.coordinator.store}), examples on ${busi}

Try:
  curl ${busi}/api/fireSucceed              # saga commits: order PAYING, stock -1, payment CREATED
  curl ${busi}/api/fireFailed               # stock refuses 1000 units: rollback, stock untouched
  curl ${busi}/api/fireFailedCoupon         # coupon 101 is not user 1's: rollback, stock given back
  curl ${busi}/api/busi/flashSales          # sells one unit through a 2-phase message
  curl ${busi}/api/busi/flashSales-crash    # takes a unit, "crashes"; the order appears ~3 s later
  curl ${busi}/api/busi/flashSales-batch    # stock 4, a crash, 10 buyers: 3 orders, then 4, never more
  curl ${busi}/api/busi/flashStatus         # stock left and orders
  curl 'http://localhost:${conf.coordinator.port}/api/dtmsvr/all?limit=5'   # the latest transactions

Ctrl-C stops everything.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
