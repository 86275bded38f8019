import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type StoreKind } from '../conf/config';
import { BranchBarrier } from '../common/barrier/barrier';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { createHttpClient } from '../common/http/client';
import { createMysqlPool } from '../common/mysql';
import { Msg } from '../common/sdk/msg';
import { Saga } from '../common/sdk/saga';
import { SagaGrpc } from '../common/sdk/saga-grpc';
import { branchMetadata } from '../common/grpc/metadata';
import { RawGrpcClients, splitGrpcUrl } from '../common/grpc/raw-client';
import { createLogger } from '../common/log';
import { BENCH_GRPC_SERVICE, startGrpcBenchBranches } from './grpc-busi';
import { FLASH_PRODUCT_ID, FlashStock } from '../flash/stock';
import { freePort, ServiceProcess } from '../scripts/service-process';
import { benchCoordinatorOnly, WARMUP_MS } from './coordinator-only';
import { dropLeftovers } from './leftovers';
import { processCpuMs } from './cpu';
import { runLoad } from './load';
import { waitForQuietMachine } from './settle';
import { markdownTable, ratioChart, type BenchRow } from './report';

/**
 * `npm run bench`: on each coordinator store, (0) saga, msg and TCC through no-op branches, charging the
 * coordinator's CPU per transaction; (1) a 2-branch saga with barrier through the coordinator
 * against the same two branch calls made directly, over HTTP and over gRPC (the gRPC branches run in
 * this process), and a gRPC saga through no-op gRPC branches; (2) msg doAndSubmit against its local step and
 * branch call made directly; (3) flash sales against a raw Redis Lua eval. Same concurrency, same run.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Where the coordinator under test is built: it runs as in production, compiled, without tsx's loader. */
const BUILD_DIR = 'dist-bench';
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const run = randomBytes(3).toString('hex');

async function benchStore(store: StoreKind, rows: BenchRow[]): Promise<void> {
  const [dtmPort, benchPort, examplesPort, dtmGrpcPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dtm = `http://127.0.0.1:${dtmPort}/api/dtmsvr`;
  const env = {
    COORDINATOR_STORE: store,
    COORDINATOR_PORT: String(dtmPort),
    COORDINATOR_GRPC_PORT: String(dtmGrpcPort),
    DTM_GRPC_SERVER: `127.0.0.1:${dtmGrpcPort}`,
    MALL_DB: `bench_mall_${run}`,
    MALL_ORDER_PORT: String(await freePort()),
    MALL_PRODUCT_PORT: String(await freePort()),
    COORDINATOR_DB: `bench_dtm_${run}`,
    ORDER_DB: `bench_busi_${run}`,
    FLASH_DB: `bench_flash_${run}`,
    BARRIER_DB: `bench_barrier_${run}`,
    REDIS_PREFIX: `bench:${run}:`,
    DTM_SERVER: dtm,
    BUSI_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    OUTCOME_WAIT_MS: '0',
  };
  const conf = loadConfig({ ...process.env, ...env });
  const coordinator = new ServiceProcess(`${BUILD_DIR}/coordinator/main.js`, env, `${dtm}/health`);
  const busi = new ServiceProcess(
    'bench/busi-main.ts',
    { ...env, BUSI_PORT: String(benchPort) },
    `http://127.0.0.1:${benchPort}/api/health`,
  );
  const examples = new ServiceProcess(
    'scripts/examples-main.ts',
    { ...env, BUSI_PORT: String(examplesPort) },
    `http://127.0.0.1:${examplesPort}/api/health`,
  );
  // What the protocol's input and output alone cost, on the store it stands for (bench/io-floor.ts).
  const floorPort = await freePort();
  const floor =
    store === 'redis'
      ? new ServiceProcess(
          'bench/io-floor.ts',
          { ...env, COORDINATOR_PORT: String(floorPort) },
          `http://127.0.0.1:${floorPort}/api/dtmsvr/health`,
        )
      : undefined;
  await Promise.all([coordinator.start(), busi.start(), examples.start(), floor?.start()]);
  const coordinatorPid = coordinator.pid;
  const cpuMs = () => processCpuMs(coordinatorPid);
  const http = createHttpClient(10_000);
  const pool = createMysqlPool(conf, conf.orderDb, CONCURRENCY);
  const barrier = new MysqlBarrier(pool, conf.barrierDb);
  const redis = new Redis({ host: conf.redis.host, port: conf.redis.port });
  const grpcBranches = await startGrpcBenchBranches(barrier, createLogger('warn', { component: 'bench-grpc' }));
  const grpcClients = new RawGrpcClients();
  try {
    const busiPid = busi.pid;
    rows.push(
      ...(await benchCoordinatorOnly(
        {
          store,
          dtm,
          cpuMs,
          branchServerCpuMs: () => processCpuMs(busiPid),
          ...(floor && {
            floor: { dtm: `http://127.0.0.1:${floorPort}/api/dtmsvr`, cpuMs: () => processCpuMs(floor.pid) },
          }),
        },
        `http://127.0.0.1:${benchPort}/api/null`,
        http,
        CONCURRENCY,
        DURATION_MS,
        run,
      )),
    );
    const b = `http://127.0.0.1:${benchPort}/api/bench`;
    const call = async (url: string, gid: string, branchId: string, op: string) => {
      const res = await http.post(url, '{"amount":1}', {
        params: { gid, trans_type: 'saga', branch_id: branchId, op },
        headers: { 'Content-Type': 'application/json' },
      });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    };
    console.log(`[${store}] saga through the coordinator vs direct branch calls…`);
    const direct = await runLoad(
      async (i) => {
        const gid = `direct-${run}-${store}-${i}`;
        await call(`${b}/TransOut`, gid, '01', 'action');
        await call(`${b}/TransIn`, gid, '02', 'action');
      },
      CONCURRENCY,
      DURATION_MS,
    );
    const saga = await runLoad(
      async (i) => {
        await new Saga(dtm, `saga-${run}-${store}-${i}`, http)
          .add(`${b}/TransOut`, `${b}/TransOutRevert`, { amount: 1 })
          .add(`${b}/TransIn`, `${b}/TransInRevert`, { amount: 1 })
          .withOptions({ waitResult: true })
          .submit();
      },
      CONCURRENCY,
      DURATION_MS,
      cpuMs,
    );
    rows.push({
      store,
      scenario: '2-branch saga, wait_result',
      subject: saga,
      baselineName: '2 direct branch calls',
      baseline: direct,
    });

    console.log(`[${store}] gRPC saga through the coordinator vs direct gRPC branch calls…`);
    const g = `127.0.0.1:${grpcBranches.port}/${BENCH_GRPC_SERVICE}`;
    const grpcCall = async (method: string, gid: string, branchId: string) => {
      const md = branchMetadata({ gid, trans_type: 'saga', branch_id: branchId, op: 'action', dtm: '' });
      await grpcClients.call(splitGrpcUrl(`${g}/${method}`), Buffer.from('{"amount":1}'), md, 10_000);
    };
    /**
     * A row of a 2-step gRPC saga over the branch methods `out` and `inn` (each with its `…Revert`), and its
     * baseline: the same two calls made directly.
     */
    const grpcSagaRow = async (
      out: string,
      inn: string,
      payload: Buffer,
      names: { scenario: string; baselineName: string; tag: string },
      warmupMs?: number,
    ): Promise<BenchRow> => {
      const baseline = await runLoad(
        async (i) => {
          const gid = `${names.tag}direct-${run}-${store}-${i}`;
          await grpcCall(out, gid, '01');
          await grpcCall(inn, gid, '02');
        },
        CONCURRENCY,
        DURATION_MS,
      );
      const subject = await runLoad(
        async (i) => {
          await new SagaGrpc(env.DTM_GRPC_SERVER, `${names.tag}saga-${run}-${store}-${i}`)
            .add(`${g}/${out}`, `${g}/${out}Revert`, payload)
            .add(`${g}/${inn}`, `${g}/${inn}Revert`, payload)
            .withOptions({ waitResult: true })
            .submit();
        },
        CONCURRENCY,
        DURATION_MS,
        cpuMs,
        warmupMs,
      );
      return { store, scenario: names.scenario, subject, baselineName: names.baselineName, baseline };
    };
    rows.push(
      await grpcSagaRow('TransOut', 'TransIn', Buffer.from('{"amount":1}'), {
        scenario: '2-branch gRPC saga, wait_result',
        baselineName: '2 direct gRPC branch calls',
        tag: 'g',
      }),
      await grpcSagaRow(
        'NoopOut',
        'NoopIn',
        Buffer.alloc(0),
        {
          scenario: 'no-op 2-step gRPC saga, wait_result',
          baselineName: '2 direct no-op gRPC branch calls',
          tag: 'gn',
        },
        WARMUP_MS,
      ),
    );

    console.log(`[${store}] msg doAndSubmit…`);
    const localAndCall = await runLoad(
      async (i) => {
        const gid = `msgdirect-${run}-${store}-${i}`;
        await barrier.call(BranchBarrier.forMsg(gid), async () => undefined);
        await call(`${b}/TransIn`, gid, '01', 'action');
      },
      CONCURRENCY,
      DURATION_MS,
    );
    const msg = await runLoad(
      async (i) => {
        await new Msg(dtm, `msg-${run}-${store}-${i}`, http)
          .add(`${b}/TransIn`, { amount: 1 })
          .doAndSubmit(`${b}/QueryPrepared`, (bb) => barrier.call(bb, async () => undefined));
      },
      CONCURRENCY,
      DURATION_MS,
      cpuMs,
    );
    rows.push({
      store,
      scenario: 'msg doAndSubmit',
      subject: msg,
      baselineName: 'local step + direct branch call',
      baseline: localAndCall,
    });

    console.log(`[${store}] flash sales vs raw Redis Lua…`);
    await new FlashStock(redis, env.REDIS_PREFIX, FLASH_PRODUCT_ID).reset(1_000_000_000);
    const lua =
      "local v = redis.call('GET', KEYS[1]) if v and tonumber(v) > 0 then return redis.call('DECR', KEYS[1]) end return -1";
    const rawKey = `${env.REDIS_PREFIX}{flash}:raw`;
    await redis.set(rawKey, 1_000_000_000);
    const raw = await runLoad(
      async () => {
        await redis.eval(lua, 1, rawKey);
      },
      CONCURRENCY,
      DURATION_MS,
    );
    const flash = await runLoad(
      async () => {
        const res = await http.get(`http://127.0.0.1:${examplesPort}/api/busi/flashSales`);
        if (res.status !== 200 || !String(res.data).includes('"ordered"'))
          throw new Error(`flashSales answered ${res.status}`);
      },
      CONCURRENCY,
      DURATION_MS,
      cpuMs,
    );
    rows.push({
      store,
      scenario: 'flash sale (msg + Redis stock)',
      subject: flash,
      baselineName: 'raw Redis Lua eval',
      baseline: raw,
    });
  } finally {
    await Promise.all([coordinator.stop(), busi.stop(), examples.stop(), floor?.stop()]);
    grpcClients.close();
    await grpcBranches.close();
    await pool.end();
    await redis.quit();
    await dropLeftovers(conf, `bench:${run}:`, [
      env.COORDINATOR_DB,
      env.ORDER_DB,
      env.FLASH_DB,
      env.BARRIER_DB,
      env.MALL_DB,
    ]);
  }
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'scripts', 'build.ts'), BUILD_DIR], {
    stdio: 'inherit',
  });
  for (const store of ['mysql', 'redis'] as const) {
    await waitForQuietMachine(store);
    await benchStore(store, rows);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const table = markdownTable(rows, machine, CONCURRENCY);
  const dir = join(__dirname, 'results');
  writeFileSync(join(dir, 'latest.md'), `# Benchmark results\n\n${table}\n\n![ratios](latest.svg)\n`);
  // The floor rows measure bench/io-floor.ts, not one of the suite's paths: the chart leaves them out.
  writeFileSync(join(dir, 'latest.svg'), ratioChart(rows.filter((row) => row.floorOf === undefined)));
  console.log(`\n${table}\n\nwritten to bench/results/latest.md and bench/results/latest.svg`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
