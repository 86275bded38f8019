import { describeConfig, loadConfig } from '../conf/config';
import { grpcBranchCallersOnly } from '../common/grpc/branch-guard';
import { createLogger } from '../common/log';
import { mallDeps } from './app';
import { startProductService } from './product-service';
import { ensureMallSchema } from './schema';

/** The mall's product service alone, on MALL_PRODUCT_PORT: what the SIGKILL test runs as its own process. */
async function main(): Promise<void> {
  const conf = loadConfig();
  const log = createLogger(conf.logLevel, { component: 'mall-product' });
  log.info({ config: describeConfig(conf) }, 'starting the mall product service');
  await ensureMallSchema(conf);
  const { pool, barrier } = mallDeps(conf);
  const server = await startProductService(
    barrier,
    grpcBranchCallersOnly(conf.branchSecret),
    log,
    conf.mall.productPort,
    conf.testFaults.mallKillAfterDecrStock,
  );
  log.info({ port: server.port }, `mall product service listening on ${server.port}`);
  const stop = () =>
    void server
      .close()
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`mall product service failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
