import { describeConfig, loadConfig } from '../conf/config';
import { createLogger } from '../common/log';
import { startExamples } from './examples-server';

/** `npm run examples`: the order and flash-sale services on BUSI_PORT, against DTM_SERVER. */
async function main(): Promise<void> {
  const conf = loadConfig();
  const log = createLogger(conf.logLevel, { component: 'examples' });
  log.info({ config: describeConfig(conf) }, 'starting examples');
  const examples = await startExamples(conf, log);
  log.info({ busi: examples.busiUrl, dtm: conf.dtmServer }, `examples listening on port ${examples.port}`);
  const stop = () =>
    void examples.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`examples failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
