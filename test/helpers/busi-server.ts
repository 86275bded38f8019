import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

/** A branch call as the business server saw it. */
export interface SeenCall {
  name: string;
  method: string;
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * An answer to give once: an HTTP status (200, 409, 425, 500), 'hang' (never answer in time), or a
 * status given only after `afterMs` (a slow branch).
 */
export type Scripted = number | 'hang' | { status: number; afterMs: number };

/**
 * A business service for coordinator tests: every path /api/busi/<name> answers 200 unless a one-shot
 * switch says otherwise, and every call is recorded in order.
 */
export class BusiServer {
  readonly calls: SeenCall[] = [];
  private readonly scripted = new Map<string, Scripted[]>();
  private server: Server | undefined;
  url = '';

  /** The next calls of `name` answer these, in order; then 200 again. */
  script(name: string, ...answers: Scripted[]): void {
    this.scripted.set(name, [...(this.scripted.get(name) ?? []), ...answers]);
  }

  /** Forgets switches a test left unused, so they cannot leak into the next test. */
  clearScripts(): void {
    this.scripted.clear();
  }

  callsOf(name: string): SeenCall[] {
    return this.calls.filter((c) => c.name === name);
  }

  names(): string[] {
    return this.calls.map((c) => c.name);
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.json({ type: () => true }));
    app.all('/api/busi/:name', (req, res) => {
      const name = String(req.params.name);
      this.calls.push({
        name,
        method: req.method,
        query: { ...(req.query as Record<string, string>) },
        body: req.body,
        headers: req.headers,
      });
      const next = this.scripted.get(name)?.shift() ?? 200;
      if (next === 'hang') return; // the caller's timeout fires; the socket closes at shutdown
      const status = typeof next === 'number' ? next : next.status;
      const dtmResult = status === 200 ? 'SUCCESS' : status === 409 ? 'FAILURE' : status === 425 ? 'ONGOING' : 'ERROR';
      const answer = () => res.status(status).json({ dtm_result: dtmResult });
      if (typeof next === 'number') answer();
      else setTimeout(answer, next.afterMs);
    });
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/busi`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
