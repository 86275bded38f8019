/** What one load run measured. */
export interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU ms the watched process used per successful operation over the measured window, when one is watched. */
  cpuMsPerOp?: number;
  /** The same for the reference process, when one is given. */
  referenceCpuMsPerOp?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Calls `op` from `concurrency` loops for `durationMs` (after `warmupMs` not measured) and reports
 * throughput and latency percentiles. With `cpuMs` (a reading of some process's CPU time), also the CPU
 * that process spent per operation over the measured window; with `referenceCpuMs`, the same for a second
 * process over the same window. Bounded in time; loopback only.
 */
export async function runLoad(
  op: (i: number) => Promise<void>,
  concurrency: number,
  durationMs: number,
  cpuMs?: () => number,
  warmupMs = 1000,
  referenceCpuMs?: () => number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const start = Date.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  const readings = () => [cpuMs?.(), referenceCpuMs?.()];
  let atStart = readings();
  const cpuTimer = setTimeout(() => (atStart = readings()), warmupMs);
  const loop = async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      let failed = false;
      try {
        await op(counter++);
      } catch {
        failed = true;
      }
      if (Date.now() < measureFrom) continue;
      if (failed) errors++;
      else latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const perOp = (now: number | undefined, then: number | undefined) =>
    now === undefined || then === undefined || latencies.length === 0 ? undefined : (now - then) / latencies.length;
  const [cpuAtEnd, referenceAtEnd] = readings();
  clearTimeout(cpuTimer);
  const seconds = (Date.now() - measureFrom) / 1000;
  const cpuMsPerOp = perOp(cpuAtEnd, atStart[0]);
  const referenceCpuMsPerOp = perOp(referenceAtEnd, atStart[1]);
  latencies.sort((a, b) => a - b);
  return {
    ok: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    ...(cpuMsPerOp === undefined ? {} : { cpuMsPerOp }),
    ...(referenceCpuMsPerOp === undefined ? {} : { referenceCpuMsPerOp }),
  };
}
