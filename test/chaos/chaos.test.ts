import assert from 'node:assert/strict';
import { checkInvariants, formatReport } from '../../check/invariants';
import { openCheckSources, SEEDED_ORDER_STOCK } from '../../check/sources';
import { createMysqlPool } from '../../common/mysql';
import { loadConfig, type Config, type StoreKind } from '../../conf/config';
import { isFinished } from '../../common/protocol/vocabulary';
import { TOO_MANY_UNITS } from '../../order/fire';
import { freePort, ServiceProcess } from '../../scripts/service-process';
import { dropStoreConnections } from '../helpers/store-faults';
import { runId, testEnv } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

/**
 * Bounded: this many answered requests (or the time limit), this many at a time, a fault every so often.
 * `npm test` runs 500 on the store COORDINATOR_STORE names; `npm run test:chaos` runs 1,000 on each store
 * of CHAOS_STORES.
 */
const REQUESTS = Number(process.env.CHAOS_REQUESTS ?? 500);
const STORES = (process.env.CHAOS_STORES ?? process.env.COORDINATOR_STORE ?? 'mysql').split(',') as StoreKind[];
const TIME_LIMIT_MS = Math.max(150_000, REQUESTS * 300);
const CONCURRENCY = 8;
const FAULT_EVERY_MS = 1500;
/** A long run must have killed each process at least this often (a short one may see fewer). */
const MIN_KILLS_EACH = REQUESTS >= 1000 ? 5 : 2;

/**
 * The product every order story buys, and the units it and the flash sale start the run with: enough that
 * one-unit orders keep committing to the end of the run, fewer than a failing story asks for, so those
 * keep rolling back on the stock.
 */
const CHAOS_PRODUCT = 1;
const CHAOS_STOCK = TOO_MANY_UNITS - 1;

/** Puts CHAOS_STOCK units of CHAOS_PRODUCT in the order and XA stock tables, and on flash sale. */
async function stockUp(conf: Config, busi: string, adminToken: string): Promise<void> {
  for (const db of [conf.orderDb, conf.stockDb]) {
    const pool = createMysqlPool(conf, db, 1);
    try {
      await pool.query('UPDATE stock SET stock=? WHERE product_id=?', [CHAOS_STOCK, CHAOS_PRODUCT]);
    } finally {
      await pool.end();
    }
  }
  const res = await fetch(`${busi}/api/busi/flashReset?stock=${CHAOS_STOCK}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  assert.equal(res.status, 200, `flashReset answered ${res.status}: ${await res.text()}`);
}

const endpoints = [
  ...Array<string>(7).fill('/api/fireSucceed'),
  '/api/fireSucceed?coupon_id=100',
  ...Array<string>(3).fill('/api/fireFailed'),
  ...Array<string>(3).fill('/api/fireFailedCoupon'),
  ...Array<string>(4).fill('/api/fireWorkflow'),
  ...Array<string>(2).fill('/api/fireWorkflowFailed'),
  ...Array<string>(4).fill('/api/fireXa'),
  '/api/fireXaFailed',
  ...Array<string>(4).fill('/api/fireTcc'),
  '/api/fireTcc?coupon_id=100',
  '/api/fireTccFailed',
  ...Array<string>(6).fill('/api/busi/flashSales'),
  ...Array<string>(3).fill('/api/fireMall'),
  '/api/fireMallFailed',
];

for (const storeKind of STORES)
  describe(`chaos: faults, duplicate deliveries, SIGKILLs and dropped store connections converge (${storeKind} store)`, function () {
    this.timeout(TIME_LIMIT_MS + 180_000);

    it(`${REQUESTS} mixed order (saga, workflow, TCC and XA), flash (msg) and mall (gRPC saga) transactions end consistent`, async () => {
      const [coordinatorPort, busiPort, coordinatorGrpcPort] = [await freePort(), await freePort(), await freePort()];
      const dtm = `http://127.0.0.1:${coordinatorPort}/api/dtmsvr`;
      const busi = `http://127.0.0.1:${busiPort}`;
      const env: Record<string, string> = {
        ...testEnv,
        // The coordinator and the checker must read one store: the one COORDINATOR_STORE names for the run.
        COORDINATOR_STORE: storeKind,
        // Each store's run has databases and keys of its own: the checker compares them with that store.
        COORDINATOR_DB: `chaos_${storeKind}_dtm_${runId}`,
        ORDER_DB: `chaos_${storeKind}_order_${runId}`,
        STOCK_DB: `chaos_${storeKind}_stock_${runId}`,
        FLASH_DB: `chaos_${storeKind}_flash_${runId}`,
        MALL_DB: `chaos_${storeKind}_mall_${runId}`,
        BARRIER_DB: `chaos_${storeKind}_barrier_${runId}`,
        REDIS_PREFIX: `chaos:${storeKind}:${runId}:`,
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
      // Enough stock that orders and sales keep succeeding to the end of the run, not only until the seed
      // runs out: the faults must meet commits as well as rollbacks.
      await stockUp(loadConfig(env), busi, env.ADMIN_TOKEN!);

      let answered = 0;
      let lost = 0;
      const kills = { coordinator: 0, examples: 0 };
      let storeDrops = 0;
      /** The stories whose answer said their transaction rolled back, at least once. */
      const rolledBack = new Set<string>();
      let faultsFailed: unknown;
      const deadline = Date.now() + TIME_LIMIT_MS;
      // Until both the requests and the kills are done: a fast run must not end before its faults.
      const running = () =>
        faultsFailed === undefined &&
        (answered < REQUESTS || Math.min(kills.coordinator, kills.examples) < MIN_KILLS_EACH) &&
        Date.now() < deadline;
      // In turn: kill the coordinator, drop the coordinator's store connections, kill the examples.
      const faults = (async () => {
        for (let turn = 0; running(); turn++) {
          await new Promise((resolve) => setTimeout(resolve, FAULT_EVERY_MS * (0.5 + Math.random())));
          if (!running()) break;
          if (turn % 3 === 1) {
            await dropStoreConnections(loadConfig(env));
            storeDrops++;
            continue;
          }
          const name = turn % 3 === 0 ? 'coordinator' : 'examples';
          const victim = name === 'coordinator' ? coordinator : examples;
          await victim.crash();
          kills[name]++;
          await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
          await victim.start();
        }
      })().catch((err: unknown) => {
        // A process that cannot be restarted ends the run at once instead of at the deadline.
        faultsFailed = err;
      });
      const worker = async () => {
        while (running()) {
          const path = endpoints[Math.floor(Math.random() * endpoints.length)]!;
          // A request may die with the process that serves it (that is part of the test); while a process
          // is down, wait instead of counting the refusals.
          const res = await fetch(`${busi}${path}`, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
          if (res?.ok) {
            answered++;
            const { status } = (await res.json().catch(() => ({}))) as { status?: unknown };
            if (status === 'failed') rolledBack.add(path);
          } else {
            lost++;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      await faults;
      if (faultsFailed !== undefined) {
        await Promise.all([coordinator.stop(), examples.stop()]);
        throw faultsFailed;
      }

      const conf = loadConfig(env);
      const sources = await openCheckSources(conf);
      sources.initialStock = { ...SEEDED_ORDER_STOCK, [CHAOS_PRODUCT]: CHAOS_STOCK };
      const { store } = sources;
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
        const results = await checkInvariants(sources);
        const report = formatReport(results);
        process.stdout.write(
          `      chaos: ${answered} requests answered, ${lost} refused or lost to crashes, ${kills.coordinator} + ${kills.examples} SIGKILLs (coordinator + examples), ${storeDrops} store connection drops\n${report.replace(/^/gm, '      ')}\n`,
        );
        assert.ok(
          results.every((r) => r.ok),
          report,
        );
        assert.ok(
          kills.coordinator >= MIN_KILLS_EACH && kills.examples >= MIN_KILLS_EACH,
          `each process was killed at least ${MIN_KILLS_EACH} times: ${JSON.stringify(kills)}`,
        );
        const failingStories = endpoints.filter((path) => /Failed/.test(path));
        assert.deepEqual(
          failingStories.filter((path) => !rolledBack.has(path)),
          [],
          'every failing story rolled back at least once',
        );
        // The faults take turns, so a store drop came between every two kills.
        assert.ok(storeDrops >= MIN_KILLS_EACH, `the store connections were dropped ${storeDrops} times`);
      } finally {
        await Promise.all([coordinator.stop(), examples.stop()]);
        await sources.close();
      }
    });
  });
