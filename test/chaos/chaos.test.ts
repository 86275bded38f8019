import assert from 'node:assert/strict';
import { checkInvariants, formatReport } from '../../check/invariants';
import { createMysqlPool } from '../../common/mysql';
import { createRedis } from '../../common/redis';
import { loadConfig } from '../../conf/config';
import { createStore } from '../../coordinator/storage/create-store';
import { isFinished } from '../../common/protocol/vocabulary';
import { freePort, ServiceProcess } from '../../scripts/service-process';
import { runId, testEnv } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

/** Bounded: this many answered requests (or the time limit), this many at a time, kills spaced by this much. */
const REQUESTS = Number(process.env.CHAOS_REQUESTS ?? 500);
const TIME_LIMIT_MS = 150_000;
const CONCURRENCY = 8;
const KILL_EVERY_MS = 2500;

const endpoints = [
  ...Array<string>(7).fill('/api/fireSucceed'),
  '/api/fireSucceed?coupon_id=100',
  ...Array<string>(3).fill('/api/fireFailed'),
  ...Array<string>(3).fill('/api/fireFailedCoupon'),
  ...Array<string>(4).fill('/api/fireWorkflow'),
  ...Array<string>(2).fill('/api/fireWorkflowFailed'),
  ...Array<string>(4).fill('/api/fireXa'),
  '/api/fireXaFailed',
  ...Array<string>(6).fill('/api/busi/flashSales'),
  ...Array<string>(3).fill('/api/fireMall'),
  '/api/fireMallFailed',
];

describe('chaos: faults, duplicate deliveries and SIGKILLs converge', function () {
  this.timeout(300_000);

  it(`${REQUESTS} mixed order (saga, workflow and XA), flash and mall (gRPC) transactions end consistent`, async () => {
    const [coordinatorPort, busiPort, coordinatorGrpcPort] = [await freePort(), await freePort(), await freePort()];
    const dtm = `http://127.0.0.1:${coordinatorPort}/api/dtmsvr`;
    const busi = `http://127.0.0.1:${busiPort}`;
    const env: Record<string, string> = {
      ...testEnv,
      // The coordinator and the checker must read one store: the one COORDINATOR_STORE names for the run.
      COORDINATOR_STORE: process.env.COORDINATOR_STORE ?? 'mysql',
      COORDINATOR_DB: `chaos_dtm_${runId}`,
      ORDER_DB: `chaos_order_${runId}`,
      STOCK_DB: `chaos_stock_${runId}`,
      FLASH_DB: `chaos_flash_${runId}`,
      MALL_DB: `chaos_mall_${runId}`,
      BARRIER_DB: `chaos_barrier_${runId}`,
      REDIS_PREFIX: `chaos:${runId}:`,
      COORDINATOR_PORT: String(coordinatorPort),
      COORDINATOR_GRPC_PORT: String(coordinatorGrpcPort),
      DTM_GRPC_SERVER: `127.0.0.1:${coordinatorGrpcPort}`,
      MALL_ORDER_PORT: String(await freePort()),
      MALL_PRODUCT_PORT: String(await freePort()),
      BUSI_PORT: String(busiPort),
      BUSI_HOST: '127.0.0.1',
      DTM_SERVER: dtm,
      RETRY_INTERVAL_MS: '500',
      MAX_RETRY_INTERVAL_MS: '2000',
      CRON_INTERVAL_MS: '100',
      REQUEST_TIMEOUT_MS: '800',
      TIMEOUT_TO_FAIL_MS: '2000',
      OUTCOME_WAIT_MS: '0',
      CHAOS_FAULT_RATE: '0.1',
      // Every branch call must carry the secret, through retries, compensations and restarts.
      BRANCH_SECRET: `chaos-branch-secret-${runId}`,
      ADMIN_TOKEN: `chaos-admin-token-${runId}`,
    };
    const coordinator = new ServiceProcess('coordinator/main.ts', env, `${dtm}/health`);
    const examples = new ServiceProcess('scripts/examples-main.ts', env, `${busi}/api/health`);
    await coordinator.start();
    await examples.start();

    let answered = 0;
    let lost = 0;
    let kills = 0;
    const deadline = Date.now() + TIME_LIMIT_MS;
    const running = () => answered < REQUESTS && Date.now() < deadline;
    const killer = (async () => {
      while (running()) {
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS * (0.5 + Math.random())));
        if (!running()) break;
        const victim = Math.random() < 0.5 ? coordinator : examples;
        await victim.crash();
        kills++;
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
        await victim.start();
      }
    })();
    const worker = async () => {
      while (running()) {
        const path = endpoints[Math.floor(Math.random() * endpoints.length)]!;
        // A request may die with the process that serves it (that is part of the test); while a process
        // is down, wait instead of counting the refusals.
        const res = await fetch(`${busi}${path}`, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
        if (res?.ok) answered++;
        else {
          lost++;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killer;

    const conf = loadConfig(env);
    const store = await createStore(conf);
    const orderDb = createMysqlPool(conf, conf.orderDb, 2);
    const stockDb = createMysqlPool(conf, conf.stockDb, 2);
    const flashDb = createMysqlPool(conf, conf.flashDb, 2);
    const mallDb = createMysqlPool(conf, conf.mallDb, 2);
    const redis = createRedis(conf);
    try {
      await waitFor(
        'every transaction to finish',
        async () => {
          const page = await store.scanGlobals('', 100_000);
          return page.transactions.every((g) => isFinished(g.status)) ? true : undefined;
        },
        120_000,
        500,
      );
      const results = await checkInvariants({
        conf,
        store,
        orderDb,
        stockDb,
        flashDb,
        mallDb,
        redis,
        initialStock: { 1: 100, 2: 200 },
      });
      const report = formatReport(results);
      process.stdout.write(
        `      chaos: ${answered} requests answered, ${lost} refused or lost to crashes, ${kills} SIGKILLs\n${report.replace(/^/gm, '      ')}\n`,
      );
      assert.ok(
        results.every((r) => r.ok),
        report,
      );
      assert.ok(kills >= 2, 'the run killed processes');
    } finally {
      await Promise.all([coordinator.stop(), examples.stop()]);
      await Promise.all([store.close(), orderDb.end(), stockDb.end(), flashDb.end(), mallDb.end(), redis.quit()]);
    }
  });
});
