import type { Metadata } from '@grpc/grpc-js';
import { z } from 'zod';
import { readBranchInfo } from '../grpc/metadata';
import { parseInput, type InputRole } from '../http/validate';
import { MSG_BRANCH_ID, Op, type OpName } from '../protocol/vocabulary';

/**
 * The operation whose barrier row a compensating operation must find (or plant) first. A compensation
 * that plants its origin's row ran before the origin: a null compensation, and the origin, arriving
 * later, finds its row taken and does nothing (hanging prevention).
 */
export const ORIGIN_OP: Partial<Record<OpName, OpName>> = {
  [Op.cancel]: Op.try,
  [Op.compensate]: Op.action,
  [Op.rollback]: Op.action,
};

const opNames = Object.values(Op) as [OpName, ...OpName[]];
const barrierQuery = z.object({
  trans_type: z.string().min(1, 'is required').max(45),
  gid: z.string().min(1, 'is required').max(128),
  branch_id: z.string().min(1, 'is required').max(128),
  op: z.enum(opNames),
});

/** Identifies one call of one branch: what the barrier records before letting business code run. */
export class BranchBarrier {
  private barrierCount = 0;

  constructor(
    readonly transType: string,
    readonly gid: string,
    readonly branchId: string,
    readonly op: OpName,
  ) {}

  /**
   * Reads the barrier from a branch request's query string (`gid, trans_type, branch_id, op`).
   * @throws BranchFailure (role `branch`, the default: the coordinator would retry a 400 forever) or
   * InvalidInput (role `public`) naming the missing or malformed parameter.
   */
  static fromQuery(query: unknown, role: InputRole = 'branch'): BranchBarrier {
    const q = parseInput(barrierQuery, query, role, 'query');
    return new BranchBarrier(q.trans_type, q.gid, q.branch_id, q.op);
  }

  /**
   * Reads the barrier from a gRPC branch call's metadata (`dtm-gid`, `dtm-trans_type`, `dtm-branch_id`,
   * `dtm-op`), as DTM's BarrierFromGrpc does.
   * @throws BranchFailure naming the missing or malformed entry (a gRPC handler answers it ABORTED).
   */
  static fromGrpc(metadata: Metadata): BranchBarrier {
    const { gid, trans_type, branch_id, op } = readBranchInfo(metadata);
    const q = parseInput(barrierQuery, { gid, trans_type, branch_id, op }, 'branch', 'metadata');
    return new BranchBarrier(q.trans_type, q.gid, q.branch_id, q.op);
  }

  /** The barrier for a 2-phase message's local step. */
  static forMsg(gid: string): BranchBarrier {
    return new BranchBarrier('msg', gid, MSG_BRANCH_ID, Op.msg);
  }

  /** Each guarded call inside one branch gets its own id: 01, 02, … */
  nextBarrierId(): string {
    this.barrierCount += 1;
    return String(this.barrierCount).padStart(2, '0');
  }

  /** True for the operations that undo another one. */
  get isCompensation(): boolean {
    return ORIGIN_OP[this.op] !== undefined;
  }

  toString(): string {
    return `${this.transType} ${this.gid} ${this.branchId} ${this.op}`;
  }
}
