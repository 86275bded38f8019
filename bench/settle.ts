import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMs } from './cpu';

/** The machine counts as quiet when less than this share of all its cores is busy over a second. */
const QUIET_SHARE = 0.1;
/** Seconds in a row that must be quiet. */
const QUIET_SECONDS = 2;

/** Busy and total jiffies of all cores together, from the first line of `/proc/stat`. */
function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  // idle and iowait are fields 4 and 5.
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

/** CPU ms of every process by pid and name; a process that exits meanwhile is left out. */
function processTimes(): Map<number, { name: string; cpuMs: number }> {
  const times = new Map<number, { name: string; cpuMs: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      times.set(pid, { name, cpuMs: processCpuMs(pid) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return times;
}

/** The process that used the most CPU between two readings, with its share of one core. */
function busiest(before: ReturnType<typeof processTimes>, after: ReturnType<typeof processTimes>): string {
  let top = { name: 'nothing', ms: 0 };
  for (const [pid, now] of after) {
    const ms = now.cpuMs - (before.get(pid)?.cpuMs ?? now.cpuMs);
    if (ms > top.ms) top = { name: now.name, ms };
  }
  return `${top.name} at ${Math.round(top.ms / 10)} % of a core`;
}

/**
 * Waits, at most `maxMs`, until the machine has been quiet for a few seconds. A section of the bench
 * leaves work behind it in other processes (MariaDB flushes and purges after a run of inserts and the
 * drop of its databases), and on two cores that work would be charged to the next section's figures.
 */
export async function waitForQuietMachine(label: string, maxMs = 90_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let quietSeconds = 0;
  let said = false;
  while (quietSeconds < QUIET_SECONDS) {
    const [ticksBefore, timesBefore] = [machineTicks(), processTimes()];
    await sleep(1000);
    const [ticksAfter, timesAfter] = [machineTicks(), processTimes()];
    const share = (ticksAfter.busy - ticksBefore.busy) / Math.max(1, ticksAfter.total - ticksBefore.total);
    quietSeconds = share < QUIET_SHARE ? quietSeconds + 1 : 0;
    if (quietSeconds > 0) continue;
    if (Date.now() > deadline) {
      console.log(`[${label}] the machine is still ${Math.round(share * 100)} % busy; going on`);
      return;
    }
    if (!said) console.log(`[${label}] waiting for a quiet machine…`);
    said = true;
    console.log(`[${label}]   ${Math.round(share * 100)} % busy, most of it ${busiest(timesBefore, timesAfter)}`);
  }
}
