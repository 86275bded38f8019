import { InvalidInput } from '../../common/errors';
import { Limits } from '../../common/protocol/trans-body';
import { GRPC_URL_PATTERN } from '../../common/grpc/raw-client';
import { BranchStatus, branchIdOf, Protocol, TOPIC_PREFIX } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import { asStoredText } from '../model/stored-text';
import type { NewTransInput } from './trans-type';

/**
 * Checks that `value` is an http(s) URL no longer than the store keeps (or empty, which DTM treats as
 * "nothing to call", when allowed). With protocol `grpc` a `host:port/package.Service/Method` is valid
 * too; an http(s) URL stays valid there, as DTM calls it over HTTP.
 * @throws InvalidInput naming `field`.
 */
export function requireUrlValue(
  value: string | undefined,
  field: string,
  allowEmpty: boolean,
  protocol: string = Protocol.http,
): void {
  if (value === undefined || value === '') {
    if (allowEmpty) return;
    throw new InvalidInput(`${field} is required`, { field });
  }
  if (value.length > Limits.urlLength) {
    throw new InvalidInput(`${field} is longer than ${Limits.urlLength} characters`, { field });
  }
  if (/^https?:\/\/[^\s]+$/.test(value)) return;
  if (protocol === Protocol.grpc) {
    if (GRPC_URL_PATTERN.test(value)) return;
    throw new InvalidInput(
      `${field} must be host:port/package.Service/Method or an http(s) URL, got '${value.slice(0, 100)}'`,
      { field },
    );
  }
  throw new InvalidInput(`${field} must be an http(s) URL, got '${value.slice(0, 100)}'`, { field });
}

/** Checks that `steps[i][key]` is an http(s) URL (or empty, when allowed). */
export function requireUrl(input: NewTransInput, index: number, key: string, allowEmpty: boolean): void {
  requireUrlValue(input.steps[index]?.[key], `steps[${index}].${key}`, allowEmpty, input.protocol);
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

/** A new, prepared branch record. */
export function newBranch(
  gid: string,
  branchId: string,
  op: string,
  url: string,
  data: string,
  now: Date,
): BranchRecord {
  return {
    gid,
    url,
    data,
    branchId,
    op,
    status: BranchStatus.prepared,
    createTime: now,
    updateTime: now,
    finishTime: null,
  };
}

/** A new branch record for step `index` with op `op`. */
export function stepBranch(input: NewTransInput, index: number, op: string, now: Date): BranchRecord {
  const step = input.steps[index];
  return newBranch(input.gid, branchIdOf(index), op, step?.[op] ?? '', input.payloads[index] ?? step?.data ?? '', now);
}

/** Parses custom_data as a JSON object, or `{}` when empty. @throws InvalidInput naming custom_data. */
export function parseCustomData(customData: string, example: string): Record<string, unknown> {
  if (customData === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(customData);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInput(`custom_data must be a JSON object like ${example}`, { field: 'custom_data' });
  }
  return parsed as Record<string, unknown>;
}

/** JSON text with its object keys sorted, so two serializations of one payload compare equal. */
function canonicalJson(text: string): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  };
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text;
  }
}

/**
 * Where a repeated prepare or submit differs from the branches stored for its gid by the first one,
 * read the way `stepBranch` made them: the field of the first difference (`steps`, `steps[1].action`,
 * `payloads[0]`), or undefined when both describe the same steps. Payloads compare as JSON with sorted
 * keys, so a client that serializes its body again is not refused; a topic step compares its payload
 * only, as its branches carry the subscribers' URLs.
 */
export function stepsConflict(input: NewTransInput, stored: readonly BranchRecord[]): string | undefined {
  const stepOf = (b: BranchRecord) => Number.parseInt(b.branchId.slice(0, 2), 10) - 1;
  const storedSteps = new Set(stored.map(stepOf)).size;
  if (input.steps.length !== storedSteps) return 'steps';
  for (const b of stored) {
    const i = stepOf(b);
    const step = input.steps[i];
    if (!step) return 'steps';
    // Compared as stored: a lone surrogate in the request is U+FFFD in the store.
    const url = asStoredText(step[b.op] ?? '');
    if (!url.startsWith(TOPIC_PREFIX) && url !== b.url) return `steps[${i}].${b.op}`;
    const payload = asStoredText(input.payloads[i] ?? step.data ?? '');
    if (canonicalJson(payload) !== canonicalJson(b.data)) return `payloads[${i}]`;
  }
  return undefined;
}
