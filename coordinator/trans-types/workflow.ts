import { InvalidInput } from '../../common/errors';
import { BranchStatus, Outcome, Status, WORKFLOW_CALLBACK_BRANCH_ID } from '../../common/protocol/vocabulary';
import type { BranchRecord } from '../model/records';
import { CronKind } from '../trans/backoff';
import type { TransRun } from '../trans/trans-run';
import { newBranch, parseCustomData, requireUrlValue } from './steps';
import type { NewTransInput, RegisterInput, ReportedOutcome, TransType } from './trans-type';

const CUSTOM_DATA_EXAMPLE = '{"name":"<workflow name>","data":"<base64 of its input>"}';

/** What a workflow's custom_data holds: which registered function to run, and its input. */
interface WorkflowCall {
  name: string;
  /** The input, decoded from base64 (DTM's JSON encoding of Go's []byte). */
  data: string;
}

/** Reads custom_data `{"name", "data"}`. @throws InvalidInput naming the part that is wrong. */
function workflowCall(customData: string): WorkflowCall {
  const { name, data } = parseCustomData(customData, CUSTOM_DATA_EXAMPLE);
  if (typeof name !== 'string' || name === '') {
    throw new InvalidInput(`custom_data.name must name the workflow, as in ${CUSTOM_DATA_EXAMPLE}`, {
      field: 'custom_data.name',
    });
  }
  if (data !== undefined && data !== null && (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data))) {
    throw new InvalidInput('custom_data.data must be the base64 text of the workflow input', {
      field: 'custom_data.data',
    });
  }
  return { name, data: Buffer.from(typeof data === 'string' ? data : '', 'base64').toString('utf8') };
}

/** A branch op as the client names it (action, commit, rollback; DTM's DoXa adds business). */
const OP_PATTERN = /^[A-Za-z0-9_-]{1,45}$/;

/** The end the client reports in submit's req_extra (DTM client/workflow/rpc.go submit). */
function reportedOutcome(input: NewTransInput): ReportedOutcome {
  const extra = input.reqExtra ?? {};
  if (extra.status === Status.succeed) return { status: Status.succeed };
  if (extra.status === Status.failed)
    return { status: Status.failed, reason: extra.rollback_reason || 'the workflow failed' };
  throw new InvalidInput(`req_extra.status must be '${Status.succeed}' or '${Status.failed}'`, {
    field: 'req_extra.status',
  });
}

/** Read through a function: the status changes across awaits, which narrowing cannot see. */
function isPrepared(run: TransRun): boolean {
  return run.g.status === Status.prepared;
}

/**
 * Workflow: the client runs the workflow function itself. It creates the transaction with
 * prepareWorkflow (getting back what was recorded so far), records every branch result with
 * registerBranch, and reports the end with submit. The coordinator only steps in when the transaction is
 * still prepared at its next cron time (the client died or gave up): it calls the callback URL
 * (query_prepared) with the workflow's name and input, and the client resumes, replaying what was
 * recorded (DTM dtmsvr/trans_type_workflow.go).
 */
export const workflowType: TransType = {
  name: 'workflow',
  timesOutByDefault: false,
  alwaysPost: false,
  preparedBeforeSubmit: true,

  validate(input: NewTransInput, operation): void {
    if (operation === 'submit') {
      reportedOutcome(input);
      return;
    }
    requireUrlValue(input.queryPrepared, 'query_prepared', false);
    workflowCall(input.customData);
  },

  genBranches(): BranchRecord[] {
    return [];
  },

  /** One record per call: the result of one op of one branch, as the client saw it. */
  registerBranch(input: RegisterInput, now: Date): BranchRecord[] {
    const { op, status } = input.fields;
    if (op === undefined || !OP_PATTERN.test(op)) {
      throw new InvalidInput('op must name the branch operation (action, commit, rollback)', { field: 'op' });
    }
    if (status !== BranchStatus.succeed && status !== BranchStatus.failed) {
      throw new InvalidInput(`status must be '${BranchStatus.succeed}' or '${BranchStatus.failed}'`, {
        field: 'status',
      });
    }
    return [{ ...newBranch(input.gid, input.branchId, op, '', input.data, now), status, finishTime: now }];
  },

  outcomeAtSubmit: reportedOutcome,

  /**
   * Still prepared at its cron time: asks the client to resume through the callback. Success or FAILURE
   * means the client ran the workflow to its end and submitted it; ONGOING asks again after the same
   * interval; anything else backs off.
   */
  async processOnce(run: TransRun): Promise<void> {
    if (!isPrepared(run)) return;
    const { name, data } = workflowCall(run.g.customData);
    const answer = await run.callUrl({
      url: run.g.queryPrepared,
      branchId: WORKFLOW_CALLBACK_BRANCH_ID,
      op: name,
      data,
    });
    if (answer.outcome === Outcome.ongoing) await run.touchCron(CronKind.keep);
    if (answer.outcome === Outcome.error) await run.touchCron(CronKind.backoff);
  },
};
