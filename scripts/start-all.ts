import { loadConfig } from '../conf/config';
import { formatLogLine } from './log-format';
import { checkServices } from './preflight';
import { ServiceProcess } from './service-process';
import { renderTryLines, tryLines } from './try-lines';

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
  // Loopback, or every interface, is reached as localhost; a specific interface by its address.
  const host = ['127.0.0.1', '0.0.0.0'].includes(conf.coordinator.host) ? 'localhost' : conf.coordinator.host;
  const coordinator = `http://${host}:${conf.coordinator.port}`;
  const services = [
    service('coordinator', 'coordinator/main.ts', `${coordinator}/api/dtmsvr/health`),
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
✓ coordinator on ${coordinator}/api/dtmsvr and gRPC localhost:${conf.coordinator.grpcPort} (store: ${conf.coordinator.store}), examples on ${busi}
✓ dashboard: ${coordinator}/admin   metrics: ${coordinator}/api/metrics

Try:
${renderTryLines(tryLines(busi, coordinator), '  ')}

Ctrl-C stops everything.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
