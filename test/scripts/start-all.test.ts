import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/service-process';
import { runId, testEnv } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

const ROOT = join(__dirname, '..', '..');

function startAll(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start-all.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

describe('npm start (scripts/start-all.ts)', function () {
  this.timeout(60_000);

  it('starts the coordinator and the examples, prints the curl lines, and stops both on Ctrl-C', async () => {
    const [coordinatorPort, busiPort, coordinatorGrpcPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...testEnv,
      COORDINATOR_DB: `start_dtm_${runId}`,
      ORDER_DB: `start_order_${runId}`,
      STOCK_DB: `start_stock_${runId}`,
      FLASH_DB: `start_flash_${runId}`,
      MALL_DB: `start_mall_${runId}`,
      COORDINATOR_PORT: String(coordinatorPort),
      COORDINATOR_GRPC_PORT: String(coordinatorGrpcPort),
      DTM_GRPC_SERVER: `localhost:${coordinatorGrpcPort}`,
      MALL_ORDER_PORT: String(await freePort()),
      MALL_PRODUCT_PORT: String(await freePort()),
      BUSI_PORT: String(busiPort),
      DTM_SERVER: `http://localhost:${coordinatorPort}/api/dtmsvr`,
      LOG_LEVEL: 'warn',
    };
    const run = startAll(env);
    try {
      await waitFor(
        () => `the curl lines; output so far:\n${run.output()}`,
        async () => (run.output().includes('Ctrl-C stops everything') ? true : undefined),
        40_000,
        100,
      );
      assert.match(run.output(), new RegExp(`curl http://localhost:${busiPort}/api/fireSucceed`));
      const res = await fetch(`http://localhost:${busiPort}/api/fireSucceed`);
      assert.equal(((await res.json()) as { status: string }).status, 'succeed');
      assert.match(run.output(), new RegExp(`curl http://localhost:${busiPort}/api/fireMall `));
      const mall = await fetch(`http://localhost:${busiPort}/api/fireMall`);
      assert.equal(((await mall.json()) as { status: string }).status, 'succeed');
      assert.match(run.output(), new RegExp(`curl http://localhost:${busiPort}/api/fireXa `));
      const xa = await fetch(`http://localhost:${busiPort}/api/fireXa`);
      assert.equal(((await xa.json()) as { status: string }).status, 'succeed');
    } finally {
      run.child.kill('SIGINT');
    }
    assert.equal(await run.exit, 0);
    for (const port of [coordinatorPort, busiPort]) {
      await assert.rejects(fetch(`http://localhost:${port}/`), `port ${port} is closed after Ctrl-C`);
    }
  });

  it('says which service is unreachable, where it looked and how to start it, and exits non-zero', async () => {
    const run = startAll({ ...testEnv, REDIS_PORT: String(await freePort()) });
    assert.equal(await run.exit, 1);
    assert.match(run.output(), /Redis is not reachable at 127\.0\.0\.1:\d+ \(REDIS_HOST, REDIS_PORT\)/);
    assert.match(run.output(), /start it with: redis-server/);
    assert.doesNotMatch(run.output(), /MySQL \(MariaDB\) is not reachable/);
  });
});
