import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import { decimalMax, SQL_INT_MAX, type SqlField } from '../../common/sql-columns';
import { FLASH_COLUMNS } from '../../flash/columns';
import { ORDER_COLUMNS } from '../../order/columns';
import { orderGid } from '../../order/order-request';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { STORES, testConfig } from '../helpers/test-env';
import { queryTrans, waitForStatus } from '../helpers/wait';

/** Every id the examples accept fits the column it is written to, on either coordinator store. */
for (const store of STORES) {
  describe(`example ids and their columns (${store} store)`, function () {
    this.timeout(60_000);
    let ex: ExamplesFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      ex = await startExamplesFixture({}, false, store);
      api = request(ex.base);
    });
    after(async () => ex.close());

    const columnType = async (db: string, qualified: string) => {
      const [table, column] = qualified.split('.');
      const [rows] = await ex.orderDb.query<RowDataPacket[]>(
        `SELECT DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=? AND TABLE_NAME=? AND COLUMN_NAME=?`,
        [db, table, column],
      );
      assert.ok(rows[0], `${db}.${qualified} exists`);
      return rows[0];
    };
    const assertDeclared = async (db: string, fields: Record<string, SqlField>) => {
      for (const [name, field] of Object.entries(fields)) {
        for (const column of field.columns) {
          const row = await columnType(db, column);
          const where = `${name} → ${column} (${String(row.COLUMN_TYPE)})`;
          assert.equal(row.DATA_TYPE, field.type.kind, where);
          assert.ok(!String(row.COLUMN_TYPE).includes('unsigned'), where);
          if (field.type.kind === 'varchar')
            assert.equal(Number(row.CHARACTER_MAXIMUM_LENGTH), field.type.length, where);
          if (field.type.kind === 'decimal') {
            assert.equal(Number(row.NUMERIC_PRECISION), field.type.precision, where);
            assert.equal(Number(row.NUMERIC_SCALE), field.type.scale, where);
          }
        }
      }
    };

    it('declares the types order.sql and flash.sql give the columns', async () => {
      const conf = testConfig(store);
      await assertDeclared(conf.orderDb, ORDER_COLUMNS);
      await assertDeclared(conf.flashDb, FLASH_COLUMNS);
    });

    const stockOf = async (productId: number) =>
      Number(
        (await ex.orderDb.query<RowDataPacket[]>('SELECT stock FROM stock WHERE product_id=?', [productId]))[0][0]
          ?.stock,
      );
    const order = (orderId: string, extra: Record<string, unknown>) => ({
      user_id: 1,
      order_id: orderId,
      amount: 10,
      product_id: 1,
      product_count: 1,
      coupon_id: 0,
      ...extra,
    });

    const beyond: [string, Record<string, unknown>][] = [
      ['user_id', { user_id: 3_000_000_000 }],
      ['user_id', { user_id: SQL_INT_MAX + 1 }],
      ['product_id', { product_id: SQL_INT_MAX + 1 }],
      ['coupon_id', { coupon_id: SQL_INT_MAX + 1 }],
      ['amount', { amount: decimalMax(ORDER_COLUMNS.amount.type) + 1 }],
      ['order_id', { order_id: 'o'.repeat(65) }],
    ];
    for (const [field, extra] of beyond) {
      it(`refuses an order whose ${field} is beyond its column with 400, before anything is taken`, async () => {
        const orderId = String(extra.order_id ?? `ord-range-${field}-${Math.random().toString(36).slice(2, 8)}`);
        const stock = await stockOf(1);
        const res = await api.post('/api/busi/submitOrder').send(order(orderId, extra)).expect(400);
        assert.equal(res.body.field, field);
        assert.equal(await stockOf(1), stock);
        assert.equal((await queryTrans(ex.fx.dtm, orderGid(orderId))).transaction, null);
      });
    }

    it('accepts the largest ids the columns hold', async () => {
      const orderId = `ord-max-${Math.random().toString(36).slice(2, 8)}`;
      const res = await api
        .post('/api/busi/submitOrder')
        .send(order(orderId, { user_id: SQL_INT_MAX }))
        .expect(200);
      assert.equal(res.body.status, 'succeed');
      assert.equal(res.body.rows.order.status, 'PAYING');
    });

    it('refuses a flash buyer whose user_id is beyond its column with 400, taking no unit', async () => {
      await ex.examples.flash.stock.reset(5);
      const res = await api.get('/api/busi/flashSales?user_id=3000000000').expect(400);
      assert.equal(res.body.field, 'user_id');
      assert.equal(await ex.examples.flash.stock.left(), 5);
      const ok = await api.get(`/api/busi/flashSales?user_id=${SQL_INT_MAX}`).expect(200);
      assert.equal(ok.body.status, 'ordered');
      await waitForStatus(ex.fx.dtm, ok.body.gid, 'succeed');
      assert.equal(await ex.examples.flash.orders.countFor(ok.body.gid), 1);
    });
  });
}
