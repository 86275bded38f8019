import { InvalidInput } from '../../common/errors';
import { BranchStatus } from '../trans/status';
import type { BranchRecord } from '../trans/records';
import type { NewTransInput } from './trans-type';

/** Checks that `steps[i][key]` is an http(s) URL (or empty, which DTM treats as "nothing to call" when allowed). */
export function requireUrl(input: NewTransInput, index: number, key: string, allowEmpty: boolean): void {
  const url = input.steps[index]?.[key];
  const field = `steps[${index}].${key}`;
  if (url === undefined || url === '') {
    if (allowEmpty) return;
    throw new InvalidInput(`${field} is required`, { field });
  }
  if (!/^https?:\/\/[^\s]+$/.test(url))
    throw new InvalidInput(`${field} must be an http(s) URL, got '${url.slice(0, 100)}'`, { field });
}

/** Checks that there is a payload per step (DTM also accepts the body in steps[i].data). */
export function requirePayloads(input: NewTransInput): void {
  if (input.steps.length === 0) throw new InvalidInput('steps must hold at least one step', { field: 'steps' });
  input.steps.forEach((step, i) => {
    if (input.payloads[i] === undefined && step.data === undefined) {
      throw new InvalidInput(`payloads[${i}] is missing: give one payload per step`, { field: `payloads[${i}]` });
    }
  });
  if (input.payloads.length > input.steps.length) {
    throw new InvalidInput(`payloads has ${input.payloads.length} entries for ${input.steps.length} steps`, {
      field: 'payloads',
    });
  }
}

/** A new branch record for step `index` with op `op`. Branch ids are 01, 02, … as in DTM. */
export function stepBranch(input: NewTransInput, index: number, op: string, now: Date): BranchRecord {
  return {
    gid: input.gid,
    url: input.steps[index]?.[op] ?? '',
    data: input.payloads[index] ?? input.steps[index]?.data ?? '',
    branchId: String(index + 1).padStart(2, '0'),
    op,
    status: BranchStatus.prepared,
    createTime: now,
    updateTime: now,
    finishTime: null,
  };
}
