import { loadConfig } from '../conf/config';
import { formatLogLine } from './log-format';
import { checkServices } from './preflight';
import { ServiceProcess } from './service-process';

/**
 * `npm start`: checks MySQL and Redis, starts the coordinator and the examples as two processes with
 * prefixed logs, waits until both answer, prints the curl lines, and stops both on Ctrl-C.
 */
const colours = { coordinator: '\x1b[36m', examples: '\x1b[35m' } as const;
const reset = '\x1b[0m';

function service(name: keyof typeof colours, entry: string, healthUrl: string): ServiceProcess {
  const prefix = `${colours[name]}[${name.padEnd(11)}]${reset}`;
  return new ServiceProcess(entry, {}, healthUrl, (line) => console.log(`${prefix} ${formatLogLine(line)}`));
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
  console.log(
    `✓ MySQL at ${conf.mysql.host}:${conf.mysql.port} and Redis at ${conf.redis.host}:${conf.redis.port} answer`,
  );

  const busi = `http://localhost:${conf.busi.port}`;
  const services = [
    service('coordinator', 'coordinator/main.ts', `http://localhost:${conf.coordinator.port}/api/dtmsvr/health`),
    service('examples', 'scripts/examples-main.ts', `${busi}/api/health`),
  ];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    Promise.all(services.map((s) => s.stop())).then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));
  try {
    for (const s of services) {
      await s.start(30_000);
      void s.exited().then((code) => stopAll(code ?? 1));
    }
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
  curl '${busi}/api/busi/flashReset?stock=100'   # put 100 units on sale, clear the orders
  curl 'http://localhost:${conf.coordinator.port}/api/dtmsvr/all?limit=5'   # the latest transactions

Ctrl-C stops everything.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
