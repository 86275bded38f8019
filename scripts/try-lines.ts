/**
 * The curl lines `npm start` prints after everything answers. The README shows the same block for the default
 * ports; `test/unit/try-lines.test.ts` keeps the two equal, so a new endpoint is added here only.
 */
export interface TryLine {
  /** The URL to curl; quoted when it carries a query string. */
  readonly url: string;
  /** What the reader will see happen. */
  readonly note: string;
}

export function tryLines(busiUrl: string, coordinatorUrl: string): readonly TryLine[] {
  return [
    { url: `${busiUrl}/api/fireSucceed`, note: 'saga commits: order PAYING, stock -1, payment CREATED' },
    { url: `${busiUrl}/api/fireFailed`, note: 'stock refuses 1000 units: rollback, stock untouched' },
    { url: `${busiUrl}/api/fireFailedCoupon`, note: "coupon 101 is not user 1's: rollback, stock given back" },
    { url: `${busiUrl}/api/fireMall`, note: 'gRPC saga: mall order created, product stock -1' },
    { url: `${busiUrl}/api/fireMallFailed`, note: 'gRPC saga: DecrStock answers Aborted, order set to status 9' },
    { url: `${busiUrl}/api/fireWorkflow`, note: 'the same order as a workflow: the examples run the branches' },
    { url: `${busiUrl}/api/fireWorkflowFailed`, note: 'workflow, stock refuses: the rollbacks run newest first' },
    { url: `${busiUrl}/api/fireTcc`, note: 'TCC: tries reserve, the coordinator confirms: order PAYING, stock -1' },
    { url: `${busiUrl}/api/fireTccFailed`, note: 'TCC: the stock try refuses; the coordinator cancels the others' },
    { url: `${busiUrl}/api/fireXa`, note: 'XA: order CREATED and stock -1, in two databases, commit together' },
    { url: `${busiUrl}/api/fireXaFailed`, note: 'XA: stock refuses 1000 units; the prepared order rolls back' },
    { url: `${busiUrl}/api/busi/flashSales`, note: 'sells one unit through a 2-phase message' },
    { url: `${busiUrl}/api/busi/flashSales-crash`, note: 'takes a unit, "crashes"; the order appears ~3-6 s later' },
    { url: `${busiUrl}/api/busi/flashSales-batch`, note: 'stock 4, a crash, 10 buyers: 3 orders, then 4, never more' },
    { url: `${busiUrl}/api/busi/flashStatus`, note: 'stock left and orders' },
    { url: `${busiUrl}/api/busi/flashReset?stock=100`, note: 'put 100 units on sale, clear the orders' },
    { url: `${coordinatorUrl}/api/dtmsvr/all?limit=5`, note: 'the latest transactions' },
  ];
}

/** One `curl` line per entry, notes aligned in one column. */
export function renderTryLines(lines: readonly TryLine[], indent = ''): string {
  const commands = lines.map((l) => `curl ${l.url.includes('?') ? `'${l.url}'` : l.url}`);
  const width = Math.max(...commands.map((c) => c.length)) + 2;
  return commands.map((c, i) => `${indent}${c.padEnd(width)}# ${lines[i]?.note ?? ''}`).join('\n');
}
