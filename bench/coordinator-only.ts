import type { AxiosInstance } from 'axios';
import { Msg } from '../common/sdk/msg';
import { Saga } from '../common/sdk/saga';
import { tccGlobalTransaction } from '../common/sdk/tcc';
import { runLoad, type LoadResult } from './load';
import type { BenchRow } from './report';

/**
 * How long each path runs before it is measured. V8 compiles the coordinator's hot code in tiers over the
 * first seconds of load, and the connection pools grow; a shorter warm-up charges that to the first rows.
 */
export const WARMUP_MS = 5000;

/** The URL of the no-op branch `name` under `nullBranches`. */
function noopBranch(nullBranches: string, name: string): string {
  return `${nullBranches}/${name}`;
}

/** A 2-step saga through `dtm` whose branches are the no-op ones under `nullBranches`, waiting for its result. */
export async function noopSaga(dtm: string, gid: string, nullBranches: string, http: AxiosInstance): Promise<void> {
  const step = (name: string) => noopBranch(nullBranches, name);
  await new Saga(dtm, gid, http)
    .add(step('TransOut'), step('TransOutRevert'), {})
    .add(step('TransIn'), step('TransInRevert'), {})
    .withOptions({ waitResult: true })
    .submit();
}

/** A 2-step msg through `dtm`, prepared and then submitted, its branches the no-op ones, waiting for its result. */
export async function noopMsg(dtm: string, gid: string, nullBranches: string, http: AxiosInstance): Promise<void> {
  const step = (name: string) => noopBranch(nullBranches, name);
  const msg = new Msg(dtm, gid, http).add(step('TransOut'), {}).add(step('TransIn'), {});
  msg.withOptions({ waitResult: true });
  await msg.prepare(step('QueryPrepared'));
  await msg.submit();
}

/** Where the coordinator runs and how to read its CPU time, and the no-op branch server's. */
export interface CoordinatorUnderTest {
  store: string;
  dtm: string;
  cpuMs: () => number;
  branchServerCpuMs: () => number;
  /**
   * `bench/io-floor.ts` on the same store, when it stands for it (Redis): the protocol's input and output
   * with nothing else, measured on the saga and msg paths right after the coordinator.
   */
  floor?: { dtm: string; cpuMs: () => number };
}

/**
 * The coordinator's own cost: every branch answers SUCCESS at once (`/api/null/*`), so throughput and the
 * coordinator's CPU per transaction reflect its HTTP handling, validation, store round trips and branch calls,
 * not a database's work. The baseline is the same number of branch calls made directly. Over each row's
 * window the branch server's CPU is read too: what a plain node:http request costs at that very moment
 * (it reads the body and answers, nothing else), the unit the row's CPU is also given in.
 */
export async function benchCoordinatorOnly(
  target: CoordinatorUnderTest,
  nullBranches: string,
  http: AxiosInstance,
  concurrency: number,
  durationMs: number,
  runTag: string,
): Promise<BenchRow[]> {
  const { store, dtm, cpuMs, branchServerCpuMs } = target;
  const step = (name: string) => noopBranch(nullBranches, name);
  const call = async (name: string) => {
    const res = await http.post(step(name), '{}', { headers: { 'Content-Type': 'application/json' } });
    if (res.status !== 200) throw new Error(`${name} answered ${res.status}`);
  };
  const load = (op: (i: number) => Promise<void>, watchedCpuMs = cpuMs) =>
    runLoad(op, concurrency, durationMs, watchedCpuMs, WARMUP_MS, branchServerCpuMs);
  const gid = (kind: string, i: number) => `${kind}-${runTag}-${store}-${i}`;

  console.log(`[${store}] coordinator only: direct calls, saga, msg, tcc…`);
  const direct = await runLoad(
    async () => {
      await call('TransOut');
      await call('TransIn');
    },
    concurrency,
    durationMs,
  );
  const saga = await load((i) => noopSaga(dtm, gid('nsaga', i), nullBranches, http));
  const msg = await load((i) => noopMsg(dtm, gid('nmsg', i), nullBranches, http));
  const tcc = await load(async (i) => {
    await tccGlobalTransaction(
      dtm,
      gid('ntcc', i),
      async (t) => {
        await t.callBranch({}, step('TryOut'), step('ConfirmOut'), step('CancelOut'));
        await t.callBranch({}, step('TryIn'), step('ConfirmIn'), step('CancelIn'));
      },
      {},
      http,
    );
  });
  /** `branchRequests`: the no-op branch requests one transaction makes (tries and confirms for TCC). */
  const row = (scenario: string, subject: LoadResult, branchRequests: number): BenchRow => ({
    store,
    scenario,
    subject,
    baselineName: '2 direct no-op branch calls',
    baseline: direct,
    ...(subject.referenceCpuMsPerOp === undefined
      ? {}
      : { plainRequestCpuMs: subject.referenceCpuMsPerOp / branchRequests }),
  });
  const sagaRow = row('no-op 2-step saga, wait_result', saga, 2);
  const msgRow = row('no-op msg prepare + submit, wait_result', msg, 2);
  const rows = [sagaRow, msgRow, row('no-op TCC, 2 tries + submit', tcc, 4)];
  const { floor } = target;
  if (floor === undefined) return rows;
  console.log(`[${store}] the same saga and msg through bench/io-floor.ts…`);
  const floorSaga = await load((i) => noopSaga(floor.dtm, gid('fsaga', i), nullBranches, http), floor.cpuMs);
  const floorMsg = await load((i) => noopMsg(floor.dtm, gid('fmsg', i), nullBranches, http), floor.cpuMs);
  return [
    ...rows,
    { ...row(`I/O floor of the ${sagaRow.scenario}`, floorSaga, 2), floorOf: sagaRow },
    { ...row(`I/O floor of the ${msgRow.scenario}`, floorMsg, 2), floorOf: msgRow },
  ];
}
