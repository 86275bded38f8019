import type { LoadResult } from './load';

/** One benchmark row: a scenario measured against its baseline in the same run. */
export interface BenchRow {
  store: string;
  scenario: string;
  subject: LoadResult;
  baselineName: string;
  baseline: LoadResult;
  /**
   * CPU ms one request cost the no-op branch server (plain node:http) over the row's own window, for the
   * rows whose branches are no-op ones.
   */
  plainRequestCpuMs?: number;
  /**
   * For a row measured on bench/io-floor.ts rather than the coordinator: the coordinator's row of the same
   * path, which the table compares with it.
   */
  floorOf?: BenchRow;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
/** Two significant digits, so a ratio of 0.003 does not print as 0.00. */
const ratioText = (ratio: number) => ratio.toPrecision(2);

/** The markdown table: throughput, latency and the ratio to the baseline. */
export function markdownTable(rows: BenchRow[], machine: string, concurrency: number): string {
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}, concurrency ${concurrency}, loopback.`,
    '',
    '| store | scenario | ops/s | p50 ms | p99 ms | coordinator CPU ms/op | in plain requests | baseline | baseline ops/s | baseline p50 ms | ratio |',
    '|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.store} | ${r.scenario} | ${fmt(r.subject.perSecond, 0)} | ${fmt(r.subject.p50Ms)} | ${fmt(r.subject.p99Ms)} | ${r.subject.cpuMsPerOp === undefined ? '–' : fmt(r.subject.cpuMsPerOp, 2)} | ${r.subject.cpuMsPerOp === undefined || r.plainRequestCpuMs === undefined ? '–' : fmt(r.subject.cpuMsPerOp / r.plainRequestCpuMs)} | ${r.baselineName} | ${fmt(r.baseline.perSecond, 0)} | ${fmt(r.baseline.p50Ms)} | ${ratioText(r.subject.perSecond / r.baseline.perSecond)} |`,
    ),
    '',
    'ratio = scenario throughput / baseline throughput, both measured in this run. Coordinator CPU ms/op = the',
    "coordinator process's user + system CPU time over the measured window / the operations completed in it.",
    'In plain requests = that CPU / the CPU the no-op branch server (plain node:http, reading the body and',
    'answering) spent per request over the same window: a unit that slows down and speeds up with the machine.',
    ...floorLines(rows),
  ];
  return lines.join('\n');
}

/**
 * The I/O floor rows' explanation, and the coordinator's CPU per transaction over the floor's on each path,
 * each in plain requests of its own window: the two rows are measured a few seconds apart, and the
 * machine's speed drifts more than that between them.
 */
function floorLines(rows: BenchRow[]): string[] {
  const inPlainRequests = (row: BenchRow) =>
    row.subject.cpuMsPerOp === undefined || row.plainRequestCpuMs === undefined
      ? undefined
      : row.subject.cpuMsPerOp / row.plainRequestCpuMs;
  const ratios = rows.flatMap((row) => {
    const [coordinator, floor] = [row.floorOf && inPlainRequests(row.floorOf), inPlainRequests(row)];
    if (row.floorOf === undefined || coordinator === undefined || floor === undefined) return [];
    // The scenario's name up to its first comma: "no-op 2-step saga", "no-op msg prepare + submit".
    return [`${row.store} ${row.floorOf.scenario.split(',')[0]} ${fmt(coordinator / floor, 2)}`];
  });
  if (ratios.length === 0) return [];
  return [
    '"I/O floor" rows: bench/io-floor.ts in place of the coordinator, a server that makes only the requests,',
    "store scripts and branch calls of that path, with the coordinator's libraries; the CPU column is its own.",
    `The coordinator's CPU per transaction over the floor's, in plain requests: ${ratios.join(', ')}.`,
  ];
}

/** A horizontal bar chart of the ratios, as a standalone SVG. */
export function ratioChart(rows: BenchRow[]): string {
  const barHeight = 26;
  const left = 330;
  const width = 720;
  const scale = (width - left - 70) / Math.max(1, ...rows.map((r) => r.subject.perSecond / r.baseline.perSecond));
  const bars = rows.map((r, i) => {
    const ratio = r.subject.perSecond / r.baseline.perSecond;
    const y = 40 + i * (barHeight + 8);
    return [
      `<text x="${left - 8}" y="${y + 18}" text-anchor="end" font-size="13">${r.store}: ${r.scenario}</text>`,
      `<rect x="${left}" y="${y}" width="${Math.max(1, ratio * scale).toFixed(1)}" height="${barHeight}" fill="${r.store === 'mysql' ? '#4c78a8' : '#e45756'}"/>`,
      `<text x="${(left + ratio * scale + 6).toFixed(1)}" y="${y + 18}" font-size="13">${ratioText(ratio)}×</text>`,
    ].join('');
  });
  const height = 60 + rows.length * (barHeight + 8);
  const one = left + scale;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<text x="10" y="22" font-size="15" font-weight="bold">Throughput relative to the same-run baseline</text>
<line x1="${one}" y1="32" x2="${one}" y2="${height - 10}" stroke="#888" stroke-dasharray="4 3"/>
<text x="${one - 3}" y="${height - 12}" font-size="11" fill="#555" text-anchor="end">1× baseline</text>
${bars.join('\n')}
</svg>
`;
}
