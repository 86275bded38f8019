import { loadConfig } from '../conf/config';
import { ensureConnected } from '../common/redis';
import { checkInvariants, formatReport } from '../check/invariants';
import { openCheckSources } from '../check/sources';

/**
 * `npm run check`: verifies the invariants on the configured databases and prints a pass/fail table.
 * It reads the coordinator's store that COORDINATOR_STORE names, as the coordinator does.
 */
async function main(): Promise<void> {
  const conf = loadConfig();
  const sources = await openCheckSources(conf);
  try {
    await ensureConnected(sources.redis, conf);
    const results = await checkInvariants(sources);
    console.log(formatReport(results));
    process.exitCode = results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await sources.close();
  }
}

main().catch((err: unknown) => {
  console.error(`check failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
