import type { RowDataPacket } from 'mysql2';
import type { MysqlPool } from '../common/mysql';
import { isFinished, Status } from '../common/protocol/vocabulary';
import type { GlobalRecord } from '../coordinator/model/records';
import { MALL_GID_PREFIX, MALL_PRODUCT_ID, MALL_SEED_STOCK, MallOrderStatus } from '../mall/mall-proto';

/**
 * The mall example's rows against its gRPC sagas: an order is created (status 1) only by a saga that
 * succeeded and cancelled (9) only by one that failed; the product's stock plus the units of created
 * orders equals the seeded stock once no mall saga is in flight, and is never negative.
 */
export async function checkMall(
  mallDb: MysqlPool,
  byGid: ReadonlyMap<string, GlobalRecord>,
): Promise<{ name: string; ok: boolean; detail: string }[]> {
  const [orders] = await mallDb.query<RowDataPacket[]>('SELECT order_no, num, status FROM orders');
  const sagaOf = (o: RowDataPacket) => byGid.get(String(o.order_no));
  const wrong = orders.filter((o) => {
    const g = sagaOf(o);
    if (!g || !isFinished(g.status)) return false;
    const expected = g.status === Status.succeed ? MallOrderStatus.created : MallOrderStatus.cancelled;
    return Number(o.status) !== expected;
  });
  const mallSagas = [...byGid.values()].filter((g) => g.gid.startsWith(MALL_GID_PREFIX));
  const inFlight = mallSagas.filter((g) => !isFinished(g.status)).length;
  const [products] = await mallDb.query<RowDataPacket[]>('SELECT stock FROM product WHERE id=?', [MALL_PRODUCT_ID]);
  const stock = Number(products[0]?.stock ?? MALL_SEED_STOCK);
  const sold = orders
    .filter((o) => Number(o.status) === MallOrderStatus.created)
    .reduce((sum, o) => sum + Number(o.num), 0);
  return [
    {
      name: 'mall orders match their saga outcomes',
      ok: wrong.length === 0,
      detail: `${orders.length} mall orders, ${wrong.length} wrong${
        wrong.length
          ? `: ${wrong
              .slice(0, 5)
              .map((o) => `${o.order_no} (status ${o.status})`)
              .join(', ')}`
          : ''
      }`,
    },
    {
      name: 'mall stock + created orders = seeded, never negative',
      ok: stock >= 0 && (stock + sold === MALL_SEED_STOCK || inFlight > 0),
      detail: `stock ${stock}, units in created orders ${sold}, seeded ${MALL_SEED_STOCK}, sagas in flight ${inFlight}`,
    },
  ];
}
