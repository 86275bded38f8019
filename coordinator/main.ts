import { describeConfig, loadConfig } from '../conf/config';
import { createLogger } from '../common/log';
import { startCoordinator } from './coordinator';

/** `npm run coordinator`: the coordinator alone, on the configured port and store. */
async function main(): Promise<void> {
  const conf = loadConfig();
  const log = createLogger(conf.logLevel, { component: 'coordinator' });
  log.info({ config: describeConfig(conf) }, 'starting coordinator');
  const coordinator = await startCoordinator(conf, log);
  log.info(
    { url: coordinator.url, grpc: coordinator.grpc, store: conf.coordinator.store },
    `coordinator listening on ${coordinator.url} (HTTP) and ${coordinator.grpc} (gRPC)`,
  );
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping coordinator');
    coordinator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`coordinator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
