import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

/** What the proxy does with a request: pass it on, drop the submits only, or drop everything. */
export type ProxyMode = 'pass' | 'drop-submit' | 'down';

/**
 * An HTTP hop between the examples and the coordinator that can lose requests the way a network or a
 * dying coordinator does: the connection is closed without an answer. Real HTTP on both sides.
 */
export class CoordinatorProxy {
  mode: ProxyMode = 'pass';
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: () => string) {}

  async start(): Promise<this> {
    const app = express();
    app.use(express.raw({ type: () => true, limit: '2mb' }));
    app.all('/{*path}', async (req, res) => {
      if (this.mode === 'down' || (this.mode === 'drop-submit' && req.path.endsWith('/submit'))) {
        req.socket.destroy();
        return;
      }
      const upstream = await fetch(`${this.target()}${req.originalUrl.replace(/^\/api\/dtmsvr/, '')}`, {
        method: req.method,
        headers: { 'content-type': req.get('content-type') ?? 'application/json' },
        body: req.method === 'GET' ? undefined : (req.body as Buffer),
      });
      res
        .status(upstream.status)
        .type('application/json')
        .send(await upstream.text());
    });
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/dtmsvr`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
