import { isFinished } from '../common/protocol/vocabulary';
import { FLASH_GID_PREFIX } from '../flash/sale';
import { FLASH_PRODUCT_ID, FlashStock } from '../flash/stock';
import { rowsOf, sample, stoppedNote, type CheckContext, type CheckResult } from './result';

/** The gids whose msg local step took a unit: their barrier key says 'op'. */
async function deductions(ctx: CheckContext, stock: FlashStock): Promise<string[]> {
  const { pattern, gidOf } = stock.barrier.msgStepKeys();
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await ctx.src.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    const values = keys.length === 0 ? [] : await ctx.src.redis.mget(...keys);
    keys.forEach((key, i) => {
      if (values[i] === 'op') found.push(gidOf(key));
    });
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/**
 * The flash sale: every order has its deduction; every deduction has an order or a message still in
 * flight (else a buyer's unit is gone); and stock left + orders + units of sales in flight = the units
 * put on sale, with no oversell.
 */
export async function checkFlash(ctx: CheckContext): Promise<CheckResult[]> {
  const { src, byGid } = ctx;
  const stock = new FlashStock(src.redis, src.conf.redis.prefix, FLASH_PRODUCT_ID);
  const orders = new Set(
    (await rowsOf(src.flashDb, 'SELECT order_id FROM flash_order')).map((o) => String(o.order_id)),
  );
  const taken = await deductions(ctx, stock);
  const takenSet = new Set(taken);
  const inFlight = (gid: string) => {
    const msg = byGid.get(gid);
    return msg !== undefined && !isFinished(msg.status);
  };

  const withoutDeduction = [...orders].filter((gid) => !takenSet.has(gid));
  const pending = taken.filter((gid) => !orders.has(gid) && inFlight(gid));
  const lost = taken.filter((gid) => !orders.has(gid) && !inFlight(gid));
  const results: CheckResult[] = [
    {
      name: 'no flash order without its stock deduction',
      ok: withoutDeduction.length === 0,
      detail: `${orders.size} flash orders, ${withoutDeduction.length} without a deduction${
        withoutDeduction.length ? `: ${sample(withoutDeduction)}` : ''
      }`,
    },
    {
      name: 'no flash unit taken without an order or a pending message',
      ok: lost.length === 0,
      detail: lost.length
        ? `units taken by sales that ended without an order: ${sample(lost.map((gid) => `${gid} (${byGid.get(gid)?.status ?? 'no transaction'})${stoppedNote(byGid.get(gid))}`))}`
        : `${taken.length} units taken, ${pending.length} of them by sales in flight`,
    },
  ];

  const initial = await stock.initial();
  const left = await stock.left();
  const salesInFlight = [...byGid.values()].filter(
    (g) => g.transType === 'msg' && g.gid.startsWith(FLASH_GID_PREFIX) && !isFinished(g.status),
  ).length;
  results.push(
    initial === undefined
      ? {
          name: 'flash stock + orders + pending sales = initial, no oversell',
          ok: left >= 0,
          detail: `stock left ${left}; the units put on sale are not recorded (run flashReset to record them)`,
        }
      : {
          name: 'flash stock + orders + pending sales = initial, no oversell',
          ok: left >= 0 && orders.size <= initial && left + orders.size + pending.length === initial,
          detail: `stock left ${left} + orders ${orders.size} + units of sales in flight ${pending.length} = ${
            left + orders.size + pending.length
          }, initial ${initial} (${salesInFlight} messages in flight)`,
        },
  );
  return results;
}
