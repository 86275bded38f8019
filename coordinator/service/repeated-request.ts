import { Conflict, IllegalTransition } from '../../common/errors';
import type { BranchRecord, GlobalRecord } from '../model/records';
import { transTypeOf } from '../trans-types/registry';
import { stepsConflict } from '../trans-types/steps';
import type { TransRequest } from './trans-request';

/**
 * What a request for a gid that is stored already must match, and what a submit of a prepared
 * transaction brings to it.
 */

/**
 * DTM runs the first pass after submitting a prepared transaction with what the submit body carries:
 * its options and custom_data (a msg's delay, which DTM's clients send only with submit), counted from
 * the submit. Later passes read what prepare stored, as DTM's do.
 */
export function takeSubmitTimeFields(record: GlobalRecord, req: TransRequest, now: Date): void {
  const options: Record<string, unknown> = { ...record.options };
  for (const [name, value] of Object.entries(req.options)) if (value !== undefined) options[name] = value;
  record.options = options;
  if (req.customData !== '') {
    record.customData = req.customData;
    record.createTime = now;
  }
}

/** @throws IllegalTransition naming trans_type when the stored gid belongs to a transaction of another type. */
export function assertSameType(record: GlobalRecord, req: TransRequest): void {
  if (record.transType !== req.transType) {
    throw new IllegalTransition(`gid ${req.gid} belongs to a ${record.transType} transaction, not ${req.transType}`, {
      field: 'trans_type',
    });
  }
}

/**
 * @param stored the branches stored under the gid.
 * @throws IllegalTransition when the gid belongs to a transaction of another type; Conflict when (for
 * a type whose branches come from its steps) it was stored with other steps or payloads.
 */
export function requireSameRequest(record: GlobalRecord, req: TransRequest, stored: BranchRecord[]): void {
  assertSameType(record, req);
  if (transTypeOf(req.transType).registerBranch) return;
  const field = stepsConflict(req, stored);
  if (field !== undefined) {
    throw new Conflict(
      `gid ${req.gid} is stored with other ${field}; a repeated request must be the same request (use a new gid for a new transaction)`,
      { field },
    );
  }
}
