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
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Calls `op` from `concurrency` loops for `durationMs` (after `warmupMs` not measured) and reports
 * throughput and latency percentiles. With `cpuMs` (a reading of some process's CPU time), also the CPU
 * that process spent per operation over the measured window. Bounded in time; loopback only.
 */
export async function runLoad(
  op: (i: number) => Promise<void>,
  concurrency: number,
  durationMs: number,
  cpuMs?: () => number,
  warmupMs = 1000,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const start = Date.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  let cpuAtStart = 0;
  const cpuTimer = cpuMs && setTimeout(() => (cpuAtStart = cpuMs()), warmupMs);
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
  const cpuSpent = cpuMs ? cpuMs() - cpuAtStart : undefined;
  clearTimeout(cpuTimer);
  const seconds = (Date.now() - measureFrom) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ok: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    ...(cpuSpent !== undefined && latencies.length > 0 ? { cpuMsPerOp: cpuSpent / latencies.length } : {}),
  };
}
