import assert from 'node:assert/strict';
import { pollUntil } from '../../common/poll';

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const value = await pollUntil(probe, (v) => v !== undefined, timeoutMs, everyMs);
  if (value === undefined)
    assert.fail(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
  return value;
}

/** Waits until the coordinator reports `status` for `gid`; returns the query answer. */
export async function waitForStatus(
  dtm: string,
  gid: string,
  status: string,
  timeoutMs = 10_000,
): Promise<QueryAnswer> {
  let last = '';
  return waitFor(
    () => `${gid} to become ${status} (last seen: ${last || 'nothing'})`,
    async () => {
      const answer = await queryTrans(dtm, gid);
      last = answer.transaction?.status ?? '';
      return last === status ? answer : undefined;
    },
    timeoutMs,
  );
}

export interface QueryAnswer {
  transaction: { status: string; rollback_reason?: string; [k: string]: unknown } | null;
  branches: { branch_id: string; op: string; status: string; url: string; bin_data?: string }[];
}

export async function queryTrans(dtm: string, gid: string): Promise<QueryAnswer> {
  const res = await fetch(`${dtm}/query?gid=${encodeURIComponent(gid)}`);
  return (await res.json()) as QueryAnswer;
}

/** "op:status" per branch, in stored order: the array DTM's tests compare. */
export function branchStatuses(answer: QueryAnswer): string[] {
  return answer.branches.map((b) => `${b.op}:${b.status}`);
}
