import type { AxiosInstance } from 'axios';
import type { RowDataPacket } from 'mysql2';
import { z } from 'zod';
import { barrierTable, insertBarrierRow } from '../barrier/mysql-barrier';
import { BranchFailure, UpstreamError } from '../errors';
import { parseInput } from '../http/validate';
import type { MysqlConnection, MysqlPool } from '../mysql';
import { Op, XA_BARRIER_ID } from '../protocol/vocabulary';
import { Xa } from './xa';

/** MySQL limits the global part of an XA xid to 64 bytes. */
export const XA_XID_MAX_BYTES = 64;

/** MySQL's error for an xid no prepared (or detached) XA transaction carries. */
const ER_XAER_NOTA = 1397;

/** The MySQL xid of a branch's XA transaction, as DTM forms it (dtmimp/trans_xa_base.go). */
export function xidOf(gid: string, branchId: string): string {
  return `${gid}-${branchId}`;
}

const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');
const xaQuerySchema = z.object({
  gid: z.string().min(1, 'is required').max(128),
  trans_type: z.string().min(1, 'is required'),
  branch_id: z.string().min(1, 'is required').max(128),
  op: z.enum([Op.action, Op.commit, Op.rollback]),
  dtm: httpUrl.optional(),
  phase2_url: httpUrl.optional(),
});
type XaQuery = z.output<typeof xaQuerySchema>;

/** Where an XA branch keeps its barrier rows and how it reaches the coordinator. */
export interface XaBranchOptions {
  /** The database of the barrier table (BARRIER_DB); it must live on the same MySQL server as `pool`. */
  barrierDb: string;
  http?: AxiosInstance;
}

/** Business work of an XA branch, run inside its XA transaction. */
export type XaWork = (conn: MysqlConnection) => Promise<void>;

/**
 * @throws BranchFailure naming the query parameter that is missing or malformed, or `gid` when the xid
 * would be longer than MySQL accepts: the coordinator would retry any other answer forever.
 */
function parseXaQuery(query: unknown): XaQuery & { xid: string } {
  const q = parseInput(xaQuerySchema, query, 'branch', 'query');
  const xid = xidOf(q.gid, q.branch_id);
  if (Buffer.byteLength(xid) > XA_XID_MAX_BYTES) {
    throw new BranchFailure(`xid '${xid}' is longer than MySQL's ${XA_XID_MAX_BYTES} bytes; use a shorter gid`, {
      field: 'gid',
    });
  }
  return { ...q, xid };
}

/** The gtrids of the XA transactions prepared on the server (XA RECOVER), as strings. */
export async function preparedXids(db: MysqlPool | MysqlConnection): Promise<string[]> {
  const [rows] = await db.query<RowDataPacket[]>('XA RECOVER');
  return rows.map((r) => (r.data as Buffer).subarray(0, Number(r.gtrid_length)).toString('utf8'));
}

/**
 * The handler of an XA branch endpoint, which the coordinator also calls for phase 2 (DTM's clients
 * register the branch's own URL as its phase-2 URL).
 *
 * With op `action`: on a connection of its own, `XA START '<gid>-<branch_id>'`, the barrier row
 * `(gid, branch_id, action, 01)`, `work`, registerBranch with the coordinator named by the `dtm` query
 * parameter, `XA END`, `XA PREPARE`; then the connection is closed, so the prepared transaction outlives
 * it and any session can finish it. Registering before preparing means an action that arrives after the
 * transaction was aborted is refused and rolled back instead of staying prepared. Any error rolls the
 * local XA transaction back and is rethrown. With op `commit` or `rollback`: see `xaHandlePhase2`.
 * @throws BranchFailure for bad query parameters, when the action ran already or was rolled back before
 * it started, or when the coordinator refuses the registration; whatever `work` or MySQL throws.
 */
export async function xaLocalTransaction(
  query: unknown,
  pool: MysqlPool,
  work: XaWork,
  options: XaBranchOptions,
): Promise<void> {
  const q = parseXaQuery(query);
  if (q.op !== Op.action) return phase2(q, pool, options);
  if (!q.dtm) throw new BranchFailure("query parameter 'dtm' is required for op action", { field: 'dtm' });
  if (!q.phase2_url) {
    throw new BranchFailure("query parameter 'phase2_url' is required for op action", { field: 'phase2_url' });
  }
  const conn = await pool.getConnection();
  try {
    await conn.query('XA START ?', [q.xid]);
    try {
      const planted = await insertBarrierRow(conn, barrierTable(options.barrierDb), {
        transType: q.trans_type,
        gid: q.gid,
        branchId: q.branch_id,
        op: Op.action,
        barrierId: XA_BARRIER_ID,
        reason: Op.action,
      });
      if (planted === 0) {
        throw new BranchFailure(`xa branch ${q.xid} ran already or was rolled back before it started`);
      }
      await work(conn);
      await new Xa(q.dtm, q.gid, options.http).registerBranch(q.branch_id, q.phase2_url);
      await conn.query('XA END ?', [q.xid]);
      await conn.query('XA PREPARE ?', [q.xid]);
    } catch (err) {
      // Best effort: whatever state the XA transaction reached short of PREPARED, closing the
      // connection below rolls it back too.
      await conn.query('XA END ?', [q.xid]).catch(() => undefined);
      await conn.query('XA ROLLBACK ?', [q.xid]).catch(() => undefined);
      throw err;
    }
  } finally {
    // A prepared XA transaction stays attached to its session until that session ends (MariaDB), and
    // only then can the coordinator's phase 2 finish it from another one.
    conn.destroy();
  }
}

/**
 * Phase 2 of an XA branch (op `commit` or `rollback` on its phase-2 URL): `XA COMMIT` or `XA ROLLBACK`
 * of `<gid>-<branch_id>`. Idempotent: an xid MySQL does not know (XAER_NOTA) was finished already, and
 * is success, unless XA RECOVER still lists it (its session has not ended yet; retried). A rollback
 * then plants the action's barrier row, which waits while the action is still running and keeps it
 * from ever starting afterwards (DTM: dtmimp/trans_xa_base.go).
 * @throws BranchFailure for bad query parameters or another op; UpstreamError while the xid is still
 * attached to its session; whatever MySQL throws.
 */
export async function xaHandlePhase2(query: unknown, pool: MysqlPool, options: XaBranchOptions): Promise<void> {
  const q = parseXaQuery(query);
  if (q.op === Op.action) throw new BranchFailure('phase 2 takes op commit or rollback', { field: 'op' });
  return phase2(q, pool, options);
}

async function phase2(q: XaQuery & { xid: string }, pool: MysqlPool, options: XaBranchOptions): Promise<void> {
  try {
    await pool.query(q.op === Op.commit ? 'XA COMMIT ?' : 'XA ROLLBACK ?', [q.xid]);
  } catch (err) {
    if ((err as { errno?: number }).errno !== ER_XAER_NOTA) throw err;
    if ((await preparedXids(pool)).includes(q.xid)) {
      throw new UpstreamError(`xa ${q.xid} is prepared but still attached to its session; try again`, { cause: err });
    }
  }
  if (q.op === Op.rollback) {
    await insertBarrierRow(pool, barrierTable(options.barrierDb), {
      transType: q.trans_type,
      gid: q.gid,
      branchId: q.branch_id,
      op: Op.action,
      barrierId: XA_BARRIER_ID,
      reason: Op.rollback,
    });
  }
}
