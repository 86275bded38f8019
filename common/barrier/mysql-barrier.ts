import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Config } from '../../conf/config';
import { BranchFailure, Duplicated } from '../errors';
import { applySqlScript, type MysqlConnection, type MysqlPool } from '../mysql';
import { MSG_BARRIER_ID, MSG_BRANCH_ID, Op } from '../protocol/vocabulary';
import { ORIGIN_OP, type BranchBarrier } from './barrier';

/** The barrier table, as DTM defines it: one row per (gid, branch_id, op, barrier_id). */
export function barrierSchemaSql(db: string): string {
  return `CREATE DATABASE IF NOT EXISTS \`${db}\` DEFAULT CHARACTER SET utf8mb4;
CREATE TABLE IF NOT EXISTS \`${db}\`.barrier (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  trans_type varchar(45) DEFAULT '',
  gid varchar(128) DEFAULT '',
  branch_id varchar(128) DEFAULT '',
  op varchar(45) DEFAULT '',
  barrier_id varchar(45) DEFAULT '',
  reason varchar(45) DEFAULT '' COMMENT 'the op whose call inserted the row',
  create_time datetime DEFAULT now(),
  update_time datetime DEFAULT now(),
  KEY (create_time),
  KEY (update_time),
  UNIQUE KEY (gid, branch_id, op, barrier_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;`;
}

/** One barrier row: the branch call it records and the op whose call inserted it. */
export interface BarrierRow {
  transType: string;
  gid: string;
  branchId: string;
  op: string;
  barrierId: string;
  reason: string;
}

/** The barrier table's name in SQL, in database `db`. */
export function barrierTable(db: string): string {
  return `\`${db}\`.barrier`;
}

/**
 * Inserts a barrier row unless its (gid, branch_id, op, barrier_id) exists; waits on the row lock while
 * another transaction holds that row.
 * @returns 1 when inserted, 0 when the row was there already.
 */
export async function insertBarrierRow(
  db: MysqlConnection | MysqlPool,
  table: string,
  row: BarrierRow,
): Promise<number> {
  const [result] = await db.execute<ResultSetHeader>(
    `INSERT IGNORE INTO ${table} (trans_type, gid, branch_id, op, barrier_id, reason) VALUES (?,?,?,?,?,?)`,
    [row.transType, row.gid, row.branchId, row.op, row.barrierId, row.reason],
  );
  return result.affectedRows;
}

/** Business work run inside the barrier's local transaction. */
export type BarrierBusiness = (conn: MysqlConnection) => Promise<void>;

/**
 * The sub-transaction barrier on MySQL: idempotency, null compensation and hanging prevention for
 * branch handlers, and the query-back of 2-phase messages. Errors from MySQL always propagate.
 */
export class MysqlBarrier {
  private readonly table: string;

  constructor(
    private readonly pool: MysqlPool,
    barrierDb: string,
  ) {
    this.table = barrierTable(barrierDb);
  }

  /** Creates the barrier database and table if missing. */
  static async ensureSchema(conf: Config): Promise<void> {
    await applySqlScript(conf, barrierSchemaSql(conf.barrierDb));
  }

  /**
   * Runs `business` at most once for this branch call, in one local transaction with the barrier rows:
   * - a repeated call finds its row and does nothing;
   * - a compensation whose action never ran plants the action's row and does nothing (null compensation);
   * - an action arriving after its compensation finds its row planted and does nothing (hanging).
   * @throws Duplicated when a msg local step runs twice; whatever `business` or MySQL throws, after rollback.
   */
  async call(bb: BranchBarrier, business: BarrierBusiness): Promise<void> {
    const barrierId = bb.nextBarrierId();
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const originOp = ORIGIN_OP[bb.op];
      const originInserted = originOp ? await this.insert(conn, bb, bb.branchId, originOp, barrierId) : 0;
      const currentInserted = await this.insert(conn, bb, bb.branchId, bb.op, barrierId);
      if (bb.op === Op.msg && currentInserted === 0)
        throw new Duplicated(`msg ${bb.gid} has run its local step already`);
      const skip = currentInserted === 0 || (bb.isCompensation && originInserted > 0);
      if (!skip) await business(conn);
      await conn.commit();
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  }

  /**
   * Answers the coordinator's query-back for a 2-phase message. It plants a `rollback` row for the local
   * step unless that step committed first, so a step still in flight can never commit afterwards.
   * Waits on the row lock if the local transaction is in flight.
   * @throws BranchFailure if the local step did not (and now never will) commit.
   */
  async queryPrepared(gid: string): Promise<void> {
    await insertBarrierRow(this.pool, this.table, {
      transType: 'msg',
      gid,
      branchId: MSG_BRANCH_ID,
      op: Op.msg,
      barrierId: MSG_BARRIER_ID,
      reason: Op.rollback,
    });
    const [rows] = await this.pool.execute<RowDataPacket[]>(
      `SELECT reason FROM ${this.table} WHERE gid=? AND branch_id=? AND op=? AND barrier_id=?`,
      [gid, MSG_BRANCH_ID, Op.msg, MSG_BARRIER_ID],
    );
    if (rows[0]?.reason === Op.rollback)
      throw new BranchFailure(`msg ${gid}: the local step did not commit; the message is rolled back`);
  }

  private async insert(
    conn: MysqlConnection,
    bb: BranchBarrier,
    branchId: string,
    op: string,
    barrierId: string,
  ): Promise<number> {
    return insertBarrierRow(conn, this.table, {
      transType: bb.transType,
      gid: bb.gid,
      branchId,
      op,
      barrierId,
      reason: bb.op,
    });
  }
}
