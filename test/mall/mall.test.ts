import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import { createMysqlPool, type MysqlPool } from '../../common/mysql';
import { MallOrderStatus, MALL_PRODUCT_ID } from '../../mall/mall-proto';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { testConfig } from '../helpers/test-env';
import { branchStatuses, queryTrans } from '../helpers/wait';

const conf = testConfig();

/** What a fire endpoint answers. */
interface FireAnswer {
  gid: string;
  status: string;
  rollback_reason?: string;
  rows: { order: { status: number; num: number } | null; product: { stock: number } | null };
}

describe('mall example (gRPC saga: order Create → product DecrStock)', () => {
  let ex: ExamplesFixture;
  let mallDb: MysqlPool;
  before(async () => {
    ex = await startExamplesFixture();
    mallDb = createMysqlPool(conf, conf.mallDb, 2);
  });
  after(async () => {
    await mallDb.end();
    await ex.close();
  });

  const stock = async () =>
    Number(
      (await mallDb.query<RowDataPacket[]>('SELECT stock FROM product WHERE id=?', [MALL_PRODUCT_ID]))[0][0]?.stock,
    );
  const barrierRows = async (gid: string) =>
    (
      await mallDb.query<RowDataPacket[]>(
        `SELECT branch_id, op, reason FROM \`${conf.barrierDb}\`.barrier WHERE gid=? ORDER BY id`,
        [gid],
      )
    )[0].map((r) => `${r.branch_id}:${r.op}:${r.reason}`);

  it('GET /api/fireMall creates the order and takes one unit', async () => {
    const before = await stock();
    const res = await request(ex.base).get('/api/fireMall').expect(200);
    const body = res.body as FireAnswer;
    assert.equal(body.status, 'succeed');
    assert.equal(body.rows.order?.status, MallOrderStatus.created);
    assert.equal(body.rows.product?.stock, before - 1);
    assert.equal(await stock(), before - 1);
    const answer = await queryTrans(ex.fx.dtm, body.gid);
    assert.equal(answer.transaction?.protocol, 'grpc');
    assert.deepEqual(branchStatuses(answer), [
      'compensate:prepared',
      'action:succeed',
      'compensate:prepared',
      'action:succeed',
    ]);
    assert.deepEqual(await barrierRows(body.gid), ['01:action:action', '02:action:action']);
  });

  it('GET /api/fireMallFailed: DecrStock answers ABORTED, CreateRevert sets status 9, stock untouched', async () => {
    const before = await stock();
    const res = await request(ex.base).get('/api/fireMallFailed').expect(200);
    const body = res.body as FireAnswer;
    assert.equal(body.status, 'failed');
    assert.match(String(body.rollback_reason), /fewer than/);
    assert.equal(body.rows.order?.status, MallOrderStatus.cancelled);
    assert.equal(await stock(), before);
    const answer = await queryTrans(ex.fx.dtm, body.gid);
    assert.deepEqual(branchStatuses(answer), [
      'compensate:succeed',
      'action:succeed',
      'compensate:succeed',
      'action:failed',
    ]);
    // DecrStock's barrier row went with its rolled-back transaction, so its revert was a null compensation.
    assert.deepEqual(await barrierRows(body.gid), [
      '01:action:action',
      '02:action:compensate',
      '02:compensate:compensate',
      '01:compensate:compensate',
    ]);
  });
});
