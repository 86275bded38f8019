import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where the queue gauges read from, at scrape time. */
export interface DueSource {
  /** How many unfinished transactions are due, and the oldest next_cron_time among them. */
  dueStats(): Promise<{ count: number; oldest: Date | undefined }>;
  now(): Date;
}

/** `ok` or `fail`, as DTM labels every counter. */
function outcomeLabel(ok: boolean): 'ok' | 'fail' {
  return ok ? 'ok' : 'fail';
}

/**
 * The coordinator's Prometheus metrics, on a registry of its own (several coordinators may share a
 * process in tests). The names and labels of DTM's dtmsvr/metrics.go where DTM has them; the queue
 * gauges are ours.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'type' | 'api' | 'status'>;
  private readonly requestSeconds: Histogram<'type' | 'api'>;
  private readonly transactions: Counter<'model' | 'status'>;
  private readonly transactionSeconds: Histogram<'model'>;
  private readonly branches: Counter<'model' | 'branchid' | 'branchtype' | 'status'>;

  constructor(version: string, due: DueSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'dtm_server_info',
      help: 'The information of this dtm server.',
      labelNames: ['version'],
      registers,
    }).set({ version }, 1);
    this.requests = new Counter({
      name: 'dtm_server_process_total',
      help: 'All request received by dtm',
      labelNames: ['type', 'api', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'dtm_server_response_duration',
      help: 'The request durations of a dtm server api',
      labelNames: ['type', 'api'],
      registers,
    });
    this.transactions = new Counter({
      name: 'dtm_transaction_process_total',
      help: 'All transactions processed by dtm',
      labelNames: ['model', 'status'],
      registers,
    });
    this.transactionSeconds = new Histogram({
      name: 'dtm_transaction_handled_duration',
      help: 'Histogram of handling latency of the transaction that handled by the server.',
      labelNames: ['model'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 3600],
      registers,
    });
    this.branches = new Counter({
      name: 'dtm_branch_process_total',
      help: 'All branches processed by dtm',
      labelNames: ['model', 'branchid', 'branchtype', 'status'],
      registers,
    });
    new Gauge({
      name: 'dtm_transactions_due',
      help: 'Unfinished transactions whose next_cron_time has come (the cron queue depth).',
      registers,
      async collect() {
        this.set((await due.dueStats()).count);
      },
    });
    new Gauge({
      name: 'dtm_cron_lag_seconds',
      help: 'How long the longest-waiting due transaction has been waiting past its next_cron_time.',
      registers,
      async collect() {
        const { oldest } = await due.dueStats();
        this.set(oldest ? Math.max(0, (due.now().getTime() - oldest.getTime()) / 1000) : 0);
      },
    });
  }

  /** One API request answered: `api` is the endpoint's name (`submit`, `query`, …). */
  request(api: string, ok: boolean, seconds: number): void {
    this.requests.inc({ type: 'http', api, status: outcomeLabel(ok) });
    this.requestSeconds.observe({ type: 'http', api }, seconds);
  }

  /** One processing pass over a transaction ended; `sinceCreated` is its age, as DTM measures it. */
  transactionPass(model: string, ok: boolean, sinceCreatedSeconds: number): void {
    this.transactions.inc({ model, status: outcomeLabel(ok) });
    this.transactionSeconds.observe({ model }, sinceCreatedSeconds);
  }

  /** One branch call answered; ok only for a success. */
  branchCall(model: string, branchId: string, op: string, ok: boolean): void {
    this.branches.inc({ model, branchid: branchId, branchtype: op, status: outcomeLabel(ok) });
  }
}
