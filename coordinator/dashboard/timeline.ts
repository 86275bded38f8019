import { MSG_BRANCH_ID } from '../../common/protocol/vocabulary';
import type { CallEvent, StatusEvent, TransEvent } from '../model/events';
import type { BranchRecord } from '../model/records';
import { html, type Html } from './html';

/** What the time line draws: the transaction's span, its branches (one lane each) and its events. */
export interface TimelineInput {
  createTime: Date;
  /** The right edge: when it finished, or now. */
  endTime: Date;
  branches: readonly BranchRecord[];
  events: readonly TransEvent[];
}

const WIDTH = 960;
const LABEL_WIDTH = 150;
const LANE_HEIGHT = 30;
const TOP = 34;
const BOTTOM = 26;
const MIN_BAR = 3;

/** "850 ms", "2.4 s", "3 m 05 s": a duration as the axis and tooltips print it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
}

/** The lanes: every branch id in stored order, then ids only events know (the msg query-back's 00). */
function laneIds(branches: readonly BranchRecord[], calls: readonly CallEvent[]): string[] {
  const ids = [...new Set(branches.map((b) => b.branchId))];
  for (const c of calls) if (!ids.includes(c.branchId)) ids.push(c.branchId);
  return ids;
}

function laneLabel(branchId: string, branches: readonly BranchRecord[]): string {
  if (branchId === MSG_BRANCH_ID) return `${branchId} query-back`;
  const url = branches.find((b) => b.branchId === branchId && (b.op === 'action' || b.op === 'confirm'))?.url ?? '';
  const name =
    url
      .replace(/[?#].*$/, '')
      .split('/')
      .pop() ?? '';
  return name ? `${branchId} ${name}` : branchId;
}

/**
 * The transaction's time line as SVG: one lane per branch, a bar per call coloured by its outcome (a
 * retried call shows as several bars in its lane, compensating ops outlined), and a marker where the global
 * status changed. The tooltip of each bar tells the op, outcome, HTTP status, duration and answer.
 */
export function timeline(input: TimelineInput): Html {
  const calls = input.events.filter((e): e is CallEvent => e.kind === 'call');
  const moves = input.events.filter((e): e is StatusEvent => e.kind === 'status');
  const lanes = laneIds(input.branches, calls);
  const t0 = Math.min(input.createTime.getTime(), ...calls.map((c) => c.start.getTime()));
  const t1 = Math.max(input.endTime.getTime(), ...calls.map((c) => c.end.getTime()), t0 + 1);
  const plotWidth = WIDTH - LABEL_WIDTH - 12;
  const x = (t: number) => LABEL_WIDTH + ((t - t0) / (t1 - t0)) * plotWidth;
  const height = TOP + lanes.length * LANE_HEIGHT + BOTTOM;
  const bottom = TOP + lanes.length * LANE_HEIGHT;

  const laneRows = lanes.map((id, i) => {
    const y = TOP + i * LANE_HEIGHT;
    const bars = calls
      .filter((c) => c.branchId === id)
      .map((c, n, all) => {
        const left = x(c.start.getTime());
        const width = Math.max(MIN_BAR, x(c.end.getTime()) - left);
        const ms = c.end.getTime() - c.start.getTime();
        const attempt = all.slice(0, n + 1).filter((o) => o.op === c.op).length;
        const tip = `${c.op} #${attempt}: ${c.outcome}${c.httpStatus ? ` (HTTP ${c.httpStatus})` : ''}, ${formatDuration(ms)}, at +${formatDuration(c.start.getTime() - t0)}${c.detail ? `\n${c.detail}` : ''}`;
        return html`<rect
          class="call outcome-${c.outcome} op-${c.op}"
          x="${left.toFixed(1)}"
          y="${y + 6}"
          width="${width.toFixed(1)}"
          height="${LANE_HEIGHT - 12}"
          rx="2"
          ><title>${tip}</title></rect
        >`;
      });
    return html`<g class="lane" data-branch="${id}">
      <rect class="lane-bg" x="0" y="${y}" width="${WIDTH}" height="${LANE_HEIGHT}" />
      <text class="lane-label" x="6" y="${y + LANE_HEIGHT / 2 + 4}">${laneLabel(id, input.branches)}</text>
      ${bars}
    </g>`;
  });

  const markers = moves.map((m) => {
    const at = x(m.at.getTime());
    const nearRight = at > WIDTH - 80;
    return html`<g class="status-change" data-to="${m.to}">
      <line class="status-${m.to}" x1="${at.toFixed(1)}" x2="${at.toFixed(1)}" y1="${TOP - 14}" y2="${bottom}" />
      <text x="${(nearRight ? at - 3 : at + 3).toFixed(1)}" y="${TOP - 18}" text-anchor="${nearRight ? 'end' : 'start'}"
        >${m.to}</text
      >
      <title>${m.from} → ${m.to} at +${formatDuration(m.at.getTime() - t0)}${m.reason ? `: ${m.reason}` : ''}</title>
    </g>`;
  });

  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const at = LABEL_WIDTH + f * plotWidth;
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    return html`<line class="tick" x1="${at}" x2="${at}" y1="${bottom}" y2="${bottom + 4}" /><text
        class="tick-label"
        x="${at}"
        y="${bottom + 17}"
        text-anchor="${anchor}"
        >+${formatDuration(f * (t1 - t0))}</text
      >`;
  });

  return html`<svg
    class="timeline"
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${WIDTH} ${height}"
    width="${WIDTH}"
    height="${height}"
    role="img"
    aria-label="time line: ${lanes.length} branches, ${calls.length} calls"
  >
    ${laneRows}
    <line class="axis" x1="${LABEL_WIDTH}" x2="${WIDTH - 12}" y1="${bottom}" y2="${bottom}" />
    ${ticks} ${markers}
  </svg>`;
}
