import type { GlobalRecord } from '../coordinator/model/records';
import type { Store } from '../coordinator/storage/store';
import { checkFlash } from './flash-balance';
import { checkMall } from './mall-invariants';
import { checkOrders } from './order-balance';
import type { CheckResult, CheckSources } from './result';
import { checkTransactions } from './transactions';
import { checkXaInvariants } from './xa-invariants';

export type { CheckResult, CheckSources } from './result';

async function allGlobals(store: Store): Promise<GlobalRecord[]> {
  const all: GlobalRecord[] = [];
  let position = '';
  do {
    const page = await store.scanGlobals(position, 1000);
    all.push(...page.transactions);
    position = page.nextPosition;
  } while (position !== '');
  return all;
}

/**
 * Reads MySQL, Redis and the coordinator's store and checks that everything the examples did is
 * consistent, counting what a user would call a loss: a transaction stuck past its lifetime, stock
 * held for an order that does not exist, a unit taken without an order. Read-only.
 */
export async function checkInvariants(src: CheckSources): Promise<CheckResult[]> {
  const globals = await allGlobals(src.store);
  const ctx = { src, byGid: new Map(globals.map((g) => [g.gid, g])), now: src.now ?? new Date() };
  const results = [
    ...(await checkTransactions(ctx)),
    ...(await checkOrders(ctx)),
    ...(await checkXaInvariants(src, globals)),
    ...(await checkFlash(ctx)),
  ];
  if (src.mallDb) results.push(...(await checkMall(src.mallDb, ctx.byGid)));
  return results;
}

/** The results as a fixed-width table with PASS/FAIL per row. */
export function formatReport(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  return `${lines.join('\n')}\n${failed === 0 ? 'all invariants hold' : `${failed} invariant(s) violated`}`;
}
