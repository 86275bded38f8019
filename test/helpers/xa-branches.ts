import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { RowDataPacket } from 'mysql2';
import { MysqlBarrier } from '../../common/barrier/mysql-barrier';
import { BranchFailure } from '../../common/errors';
import { route } from '../../common/http/branch-result';
import { createServiceApp } from '../../common/http/service-app';
import { applySqlScript, createMysqlPool, type MysqlPool } from '../../common/mysql';
import { preparedXids, xaLocalTransaction } from '../../common/sdk/xa-branch';
import { runId, testConfig, testLogger } from './test-env';

const conf = testConfig();

/**
 * Real MySQL XA branches for SDK and recovery tests: `POST /xa/<db>/<name>` runs `xaLocalTransaction`
 * on database `a` or `b` (two databases of this run), inserting a `probe` row (gid, branch); a name
 * starting with `refuse` inserts its row and then answers FAILURE, so its own work must roll back.
 */
export class XaBranches {
  readonly dbs = { a: `xa_a_${runId}`, b: `xa_b_${runId}` } as const;
  readonly pools: Record<'a' | 'b', MysqlPool>;
  private server: Server | undefined;
  url = '';

  constructor() {
    this.pools = { a: createMysqlPool(conf, this.dbs.a, 8), b: createMysqlPool(conf, this.dbs.b, 8) };
  }

  async start(): Promise<this> {
    for (const db of Object.values(this.dbs)) {
      await applySqlScript(
        conf,
        `CREATE DATABASE IF NOT EXISTS \`${db}\`;
         CREATE TABLE IF NOT EXISTS \`${db}\`.probe (gid varchar(128) NOT NULL, branch_id varchar(16) NOT NULL, PRIMARY KEY (gid, branch_id));`,
      );
    }
    await MysqlBarrier.ensureSchema(conf);
    const router = express.Router();
    router.post(
      '/xa/:db/:name',
      route(async (req) => {
        const db = req.params.db === 'b' ? 'b' : 'a';
        const q = req.query as Record<string, string | undefined>;
        await xaLocalTransaction(
          req.query,
          this.pools[db],
          async (conn) => {
            await conn.execute('INSERT INTO probe (gid, branch_id) VALUES (?, ?)', [q.gid ?? '', q.branch_id ?? '']);
            if (String(req.params.name).startsWith('refuse')) throw new BranchFailure('refused by the test');
          },
          { barrierDb: conf.barrierDb },
        );
      }),
    );
    const app = createServiceApp(testLogger('xa-branches'), [router]);
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/xa`;
    return this;
  }

  /** The branch ids with a committed probe row for `gid` in database `db`. */
  async probes(db: 'a' | 'b', gid: string): Promise<string[]> {
    const [rows] = await this.pools[db].query<RowDataPacket[]>(
      'SELECT branch_id FROM probe WHERE gid=? ORDER BY branch_id',
      [gid],
    );
    return rows.map((r) => String(r.branch_id));
  }

  /** `branch_id:op:reason` of the barrier rows of `gid`, in insertion order. */
  async barrierRows(gid: string): Promise<string[]> {
    const [rows] = await this.pools.a.query<RowDataPacket[]>(
      `SELECT branch_id, op, reason FROM \`${conf.barrierDb}\`.barrier WHERE gid=? ORDER BY id`,
      [gid],
    );
    return rows.map((r) => `${r.branch_id}:${r.op}:${r.reason}`);
  }

  /** The xids of `gid`'s branches that XA RECOVER still lists. */
  async prepared(gid: string): Promise<string[]> {
    return (await preparedXids(this.pools.a)).filter((xid) => xid.startsWith(`${gid}-`));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await Promise.all([this.pools.a.end(), this.pools.b.end()]);
  }
}

/** A gid short enough for a MySQL xid (64 bytes with the branch id), unique per test. */
export function xaGid(tag: string): string {
  return `xa-${tag}-${runId}-${Math.random().toString(36).slice(2, 8)}`;
}
