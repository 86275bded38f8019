import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { BranchFailure, UpstreamError } from '../errors';
import { BranchStatus } from '../protocol/vocabulary';
import { TransBase, throwUnlessSuccess } from './trans-base';

/** The trans_type of a workflow, in its own calls and in the query of its branch calls. */
export const WORKFLOW_TRANS_TYPE = 'workflow';

/** A recorded result of one op of one branch: its data, or for a failure the reason. */
export interface StepResult {
  status: typeof BranchStatus.succeed | typeof BranchStatus.failed;
  data: string;
}

/** What prepareWorkflow answered: the transaction's status, its stored input and the results so far. */
export interface WorkflowProgress {
  status: string;
  rollbackReason: string;
  /** The input stored with the transaction (the first execute's), when the answer carries it. */
  storedData: string | undefined;
  /** Recorded results by `<branch_id>-<op>`. */
  results: Map<string, StepResult>;
}

/** The key a result is recorded under. */
export function resultKey(branchId: string, op: string): string {
  return `${branchId}-${op}`;
}

const base64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');

const answerSchema = z.object({
  transaction: z.object({
    status: z.string(),
    rollback_reason: z.string().optional(),
    custom_data: z.string().optional(),
  }),
  progresses: z
    .array(z.object({ branch_id: z.string(), op: z.string(), status: z.string(), bin_data: z.string().optional() }))
    .nullish(),
});

const customDataSchema = z.object({ data: z.string().nullish() });

/** The stored input, from the transaction's custom_data `{"name", "data": <base64>}`. */
function storedInput(customData: string | undefined): string | undefined {
  try {
    const parsed = customDataSchema.safeParse(JSON.parse(customData ?? ''));
    return parsed.success ? base64(parsed.data.data ?? '') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A workflow's calls to the coordinator (DTM client/workflow/rpc.go): prepareWorkflow, registerBranch
 * with one result, and submit with the end the client saw in `req_extra`.
 */
export class WorkflowTrans extends TransBase {
  constructor(dtm: string, gid: string, http?: AxiosInstance) {
    super(dtm, gid, WORKFLOW_TRANS_TYPE, http);
  }

  /**
   * Creates the workflow (or finds it) with its name and input; `callback` is the URL the coordinator
   * calls to resume it.
   * @throws UpstreamError when the coordinator cannot be reached or answers something unreadable.
   */
  async prepareWorkflow(name: string, data: string, callback: string): Promise<WorkflowProgress> {
    this.customData = JSON.stringify({ name, data: Buffer.from(data, 'utf8').toString('base64') });
    const res = await this.postToDtm('prepareWorkflow', { ...this.toWire(), query_prepared: callback });
    const text = String(res.data ?? '');
    // The answer is data that echoes the gid and the input, so only its status says whether it failed.
    if (res.status !== 200) throwUnlessSuccess(res.status, text, `prepareWorkflow of ${this.gid}`);
    let parsed: z.infer<typeof answerSchema>;
    try {
      parsed = answerSchema.parse(JSON.parse(text));
    } catch (err) {
      throw new UpstreamError(`prepareWorkflow of ${this.gid} answered something unreadable: ${text.slice(0, 300)}`, {
        cause: err,
      });
    }
    const results = new Map<string, StepResult>();
    for (const p of parsed.progresses ?? []) {
      if (p.status === BranchStatus.succeed || p.status === BranchStatus.failed) {
        results.set(resultKey(p.branch_id, p.op), { status: p.status, data: base64(p.bin_data) });
      }
    }
    const t = parsed.transaction;
    return {
      status: t.status,
      rollbackReason: t.rollback_reason ?? '',
      storedData: storedInput(t.custom_data),
      results,
    };
  }

  /**
   * Records one result. A refusal (the workflow moved on, or another run recorded another result) is an
   * error to stop on, not the workflow's failure.
   * @throws UpstreamError
   */
  async record(branchId: string, op: string, result: StepResult): Promise<void> {
    const body = { ...this.ids(), branch_id: branchId, op, status: result.status, data: result.data };
    await this.callDtm('registerBranch', body).catch((err: unknown) => {
      if (!(err instanceof BranchFailure)) throw err;
      throw new UpstreamError(`the coordinator refused the result of ${op} of branch ${branchId}: ${err.message}`, {
        cause: err,
      });
    });
  }

  /** Reports the end: succeed, or failed with the failure as the rollback reason. */
  async submitEnd(failure: BranchFailure | undefined): Promise<void> {
    const status = failure ? BranchStatus.failed : BranchStatus.succeed;
    await this.callDtm('submit', {
      ...this.ids(),
      req_extra: { status, rollback_reason: failure?.message.slice(0, 1000) ?? '', result: '' },
    });
  }

  private ids() {
    return { gid: this.gid, trans_type: this.transType };
  }
}
