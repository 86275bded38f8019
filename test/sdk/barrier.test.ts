import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2';
import { BranchBarrier, BranchFailure, Duplicated, MysqlBarrier, RedisBarrier } from '../../common';
import { createMysqlPool, type MysqlConnection, type MysqlPool } from '../../common/mysql';
import { createRedis } from '../../common/redis';
import { testConfig } from '../helpers/test-env';

const conf = testConfig();
let seq = 0;
const gid = (name: string) => `barrier-${name}-${Date.now()}-${seq++}`;

describe('barrier from query', () => {
  it('reads gid, trans_type, branch_id and op', () => {
    const bb = BranchBarrier.fromQuery({
      gid: 'g',
      trans_type: 'saga',
      branch_id: '01',
      op: 'action',
      dtm: 'http://x',
    });
    assert.equal(bb.toString(), 'saga g 01 action');
  });
  it('names the missing or malformed field, as FAILURE for branch calls', () => {
    assert.throws(
      () => BranchBarrier.fromQuery({ trans_type: 'saga', branch_id: '01', op: 'action' }),
      (e: unknown) => e instanceof BranchFailure && e.field === 'gid',
    );
    assert.throws(
      () => BranchBarrier.fromQuery({ gid: 'g', trans_type: 'saga', branch_id: '01', op: 'jump' }),
      (e: unknown) => e instanceof BranchFailure && e.field === 'op',
    );
  });
});

describe('MySQL barrier', () => {
  let pool: MysqlPool;
  let barrier: MysqlBarrier;
  const table = `\`${conf.barrierDb}\`.busi_counter`;

  before(async () => {
    await MysqlBarrier.ensureSchema(conf);
    pool = createMysqlPool(conf);
    barrier = new MysqlBarrier(pool, conf.barrierDb);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (gid varchar(128) PRIMARY KEY, n int NOT NULL)`);
  });
  after(async () => pool.end());

  const bump = (g: string) => async (conn: MysqlConnection) => {
    await conn.execute(`INSERT INTO ${table} (gid, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + 1`, [g]);
  };
  const count = async (g: string) => {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT n FROM ${table} WHERE gid=?`, [g]);
    return Number(rows[0]?.n ?? 0);
  };
  const reasons = async (g: string) => {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT op, reason FROM \`${conf.barrierDb}\`.barrier WHERE gid=? ORDER BY id`,
      [g],
    );
    return rows.map((r) => `${r.op}:${r.reason}`);
  };

  it('runs an action once however often it is delivered', async () => {
    const g = gid('idem');
    await barrier.call(new BranchBarrier('saga', g, '01', 'action'), bump(g));
    await barrier.call(new BranchBarrier('saga', g, '01', 'action'), bump(g));
    assert.equal(await count(g), 1);
    assert.deepEqual(await reasons(g), ['action:action']);
  });

  it('runs action then compensation', async () => {
    const g = gid('both');
    await barrier.call(new BranchBarrier('saga', g, '01', 'action'), bump(g));
    await barrier.call(new BranchBarrier('saga', g, '01', 'compensate'), bump(g));
    assert.equal(await count(g), 2);
  });

  it('skips a compensation whose action never ran (null compensation), and the late action (hanging)', async () => {
    const g = gid('null');
    await barrier.call(new BranchBarrier('saga', g, '01', 'compensate'), bump(g));
    assert.equal(await count(g), 0);
    assert.deepEqual(await reasons(g), ['action:compensate', 'compensate:compensate']);
    await barrier.call(new BranchBarrier('tcc', g, '01', 'action'), bump(g));
    assert.equal(await count(g), 0, 'the action arriving after its compensation does nothing');
  });

  it('rolls the barrier back with the business error, so a retry runs again', async () => {
    const g = gid('retry');
    await assert.rejects(
      barrier.call(new BranchBarrier('saga', g, '01', 'action'), async (conn) => {
        await bump(g)(conn);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await count(g), 0);
    assert.deepEqual(await reasons(g), []);
    await barrier.call(new BranchBarrier('saga', g, '01', 'action'), bump(g));
    assert.equal(await count(g), 1);
  });

  it('surfaces MySQL errors instead of swallowing them', async () => {
    const broken = new MysqlBarrier(pool, 'no_such_db_for_barrier');
    await assert.rejects(
      broken.call(new BranchBarrier('saga', gid('err'), '01', 'action'), async () => undefined),
      /no_such_db_for_barrier/,
    );
  });

  it('answers query-back: committed local step → success', async () => {
    const g = gid('msg-ok');
    await barrier.call(BranchBarrier.forMsg(g), bump(g));
    await barrier.queryPrepared(g);
    await assert.rejects(barrier.call(BranchBarrier.forMsg(g), bump(g)), Duplicated);
    assert.equal(await count(g), 1);
  });

  it('answers query-back before the local step: FAILURE, and the step can never commit', async () => {
    const g = gid('msg-early');
    await assert.rejects(barrier.queryPrepared(g), BranchFailure);
    await assert.rejects(barrier.call(BranchBarrier.forMsg(g), bump(g)), Duplicated);
    assert.equal(await count(g), 0);
    assert.deepEqual(await reasons(g), ['msg:rollback']);
  });

  it('makes a query-back wait for a local step in flight', async () => {
    const g = gid('msg-inflight');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const step = barrier.call(BranchBarrier.forMsg(g), async (conn) => {
      await bump(g)(conn);
      await gate;
    });
    await new Promise((r) => setTimeout(r, 100));
    const query = barrier.queryPrepared(g);
    setTimeout(release, 100);
    await step;
    await query;
    assert.equal(await count(g), 1);
  });
});

describe('Redis barrier', () => {
  const redis = createRedis(conf);
  const barrier = new RedisBarrier(redis, { prefix: conf.redis.prefix, hashTag: 'stock', expireSeconds: 600 });
  const key = barrier.amountKey('amount');
  after(async () => redis.quit());
  beforeEach(async () => redis.set(key, 10));

  it('adjusts once per branch call', async () => {
    const g = gid('r-idem');
    assert.equal(await barrier.checkAdjustAmount(new BranchBarrier('saga', g, '01', 'action'), key, -3), 'OK');
    assert.equal(await barrier.checkAdjustAmount(new BranchBarrier('saga', g, '01', 'action'), key, -3), 'DUPLICATE');
    assert.equal(await redis.get(key), '7');
  });

  it('refuses to go below zero, changing nothing', async () => {
    await assert.rejects(
      barrier.checkAdjustAmount(new BranchBarrier('saga', gid('r-short'), '01', 'action'), key, -11),
      BranchFailure,
    );
    assert.equal(await redis.get(key), '10');
  });

  it('compensates an adjustment that ran', async () => {
    const g = gid('r-comp');
    await barrier.checkAdjustAmount(new BranchBarrier('saga', g, '01', 'action'), key, -4);
    assert.equal(await barrier.checkAdjustAmount(new BranchBarrier('saga', g, '01', 'compensate'), key, 4), 'OK');
    assert.equal(await redis.get(key), '10');
  });

  it('null-compensates and blocks the hanging action', async () => {
    const g = gid('r-null');
    assert.equal(
      await barrier.checkAdjustAmount(new BranchBarrier('saga', g, '01', 'compensate'), key, 4),
      'NULL_COMPENSATION',
    );
    assert.equal(await barrier.checkAdjustAmount(new BranchBarrier('saga', g, '01', 'action'), key, -4), 'DUPLICATE');
    assert.equal(await redis.get(key), '10');
  });

  it('answers msg query-back before and after the local step', async () => {
    const late = gid('r-msg-late');
    await assert.rejects(barrier.queryPrepared(late), BranchFailure);
    await assert.rejects(barrier.checkAdjustAmount(BranchBarrier.forMsg(late), key, -1), Duplicated);
    assert.equal(await redis.get(key), '10');
    const done = gid('r-msg-done');
    await barrier.checkAdjustAmount(BranchBarrier.forMsg(done), key, -1);
    await barrier.queryPrepared(done);
    assert.equal(await redis.get(key), '9');
  });

  it('requires keys to share the barrier hash tag', async () => {
    await assert.rejects(
      barrier.checkAdjustAmount(new BranchBarrier('saga', gid('r-tag'), '01', 'action'), 'plain-key', -1),
      /hash tag/,
    );
  });
});
