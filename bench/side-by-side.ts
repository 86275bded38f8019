import { randomBytes } from 'node:crypto';
import { loadConfig } from '../conf/config';
import { createHttpClient } from '../common/http/client';
import { freePort, ServiceProcess } from '../scripts/service-process';
import { noopMsg, noopSaga } from './coordinator-only';
import { processCpuMs } from './cpu';
import { dropLeftovers } from './leftovers';

/**
 * `npx tsx bench/side-by-side.ts <build A> <build B> [store] [paths] [rounds]`: two compiled coordinators
 * run at once, each on its own database and Redis prefix, behind one no-op branch server; the load's loops
 * (BENCH_CONCURRENCY, 16 by default) alternate their transactions between them, so both see the same
 * machine at the same moment. On a machine whose speed drifts from one minute to the next, the ratio of
 * their CPU per transaction holds where two runs one after the other do not. A build is a folder under
 * the repository that `npx tsx scripts/build.ts <folder>` wrote from a checkout of the commit to measure.
 * Either side may also be a TypeScript entry instead of a build, such as `bench/io-floor.ts` (what the
 * protocol's input and output alone cost on Redis). Prints, per path and round, each one's CPU ms per
 * transaction and B / A.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/**
 * Load before each measured window: V8 keeps compiling a fresh coordinator's hot code for about ten
 * seconds of load, so a path's first round warms up longer than the rounds after it.
 */
const warmupMs = (round: number) => (round === 1 ? 10_000 : 2000);
const MEASURE_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const PATHS = ['msg', 'saga'] as const;
type PathName = (typeof PATHS)[number];
const run = randomBytes(3).toString('hex');

interface Side {
  dtm: string;
  process: ServiceProcess;
  /** Its store's database (on MySQL). */
  database: string;
}

/** A coordinator of `build` (a build folder, or a TypeScript entry), not started yet. */
async function sideOf(label: string, build: string, store: string): Promise<Side> {
  const [port, grpcPort] = [await freePort(), await freePort()];
  const dtm = `http://127.0.0.1:${port}/api/dtmsvr`;
  const database = `sbs_${label}_${run}`;
  const env = {
    COORDINATOR_STORE: store,
    COORDINATOR_PORT: String(port),
    COORDINATOR_GRPC_PORT: String(grpcPort),
    COORDINATOR_DB: database,
    REDIS_PREFIX: `sbs:${run}:${label}:`,
    LOG_LEVEL: 'warn',
  };
  const entry = build.endsWith('.ts') ? build : `${build}/coordinator/main.js`;
  return { dtm, process: new ServiceProcess(entry, env, `${dtm}/health`), database };
}

const client = createHttpClient(10_000);
const transactions = { msg: noopMsg, saga: noopSaga };

/** Runs `path` on both sides at once; answers each side's CPU ms per transaction over the measured window. */
async function measure(path: PathName, sides: [Side, Side], branches: string, round: number): Promise<number[]> {
  const done = [0, 0];
  let cpuAtStart = [0, 0];
  let measuring = false;
  let counter = 0;
  const pids = sides.map((side) => side.process.pid);
  const cpu = () => pids.map((pid) => processCpuMs(pid));
  const started = Date.now();
  const warm = setTimeout(() => {
    cpuAtStart = cpu();
    measuring = true;
  }, warmupMs(round));
  const end = started + warmupMs(round) + MEASURE_MS;
  const loop = async (loopIndex: number) => {
    for (let turn = loopIndex; Date.now() < end; turn++) {
      const side = turn % 2;
      const counted = measuring;
      await transactions[path](sides[side]!.dtm, `${path}-${run}-${round}-${counter++}`, branches, client);
      if (counted && Date.now() < end) done[side]!++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => loop(i)));
  clearTimeout(warm);
  const spent = cpu().map((c, i) => c - cpuAtStart[i]!);
  return spent.map((ms, i) => ms / Math.max(1, done[i]!));
}

async function main(): Promise<void> {
  const [buildA, buildB, store = 'redis', pathList = PATHS.join(','), rounds = '3'] = process.argv.slice(2);
  if (!buildA || !buildB) throw new Error('usage: side-by-side.ts <build A> <build B> [store] [paths] [rounds]');
  const paths = pathList.split(',').map((p) => {
    if (!(PATHS as readonly string[]).includes(p)) throw new Error(`paths: ${p} is not one of ${PATHS.join(', ')}`);
    return p as PathName;
  });
  const branchPort = await freePort();
  const branchEnv = { BUSI_PORT: String(branchPort), BARRIER_DB: `sbs_barrier_${run}`, ORDER_DB: `sbs_busi_${run}` };
  const branchServer = new ServiceProcess('bench/busi-main.ts', branchEnv, `http://127.0.0.1:${branchPort}/api/health`);
  const sides: [Side, Side] = [await sideOf('a', buildA, store), await sideOf('b', buildB, store)];
  const branches = `http://127.0.0.1:${branchPort}/api/null`;
  try {
    await Promise.all([...sides.map((side) => side.process.start()), branchServer.start()]);
    console.log(`A = ${buildA}, B = ${buildB}, ${store} store, ${CONCURRENCY} loops alternating between them`);
    for (let round = 1; round <= Number(rounds); round++) {
      for (const path of paths) {
        const [a, b] = await measure(path, sides, branches, round);
        console.log(
          `${path.padEnd(5)} round ${round}: A ${a!.toFixed(3)} ms, B ${b!.toFixed(3)} ms per transaction, B / A ${(b! / a!).toFixed(3)}`,
        );
      }
    }
  } finally {
    await Promise.all([...sides.map((s) => s.process.stop()), branchServer.stop()]);
    await dropLeftovers(loadConfig(), `sbs:${run}:`, [
      ...sides.map((side) => side.database),
      branchEnv.BARRIER_DB,
      branchEnv.ORDER_DB,
    ]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
