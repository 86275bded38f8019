import type { RequestHandler, Router } from 'express';
import type { Metrics } from '../observe/metrics';

/**
 * The endpoint's name for the request counters: the last fixed segment of its route path
 * (`/topic/:name` counts as `topic`), lower-cased as DTM does, so a path parameter never becomes a label.
 */
export function apiNameOf(path: string): string {
  const fixed = path.split('/').filter((s) => s !== '' && !s.startsWith(':'));
  return (fixed[fixed.length - 1] ?? 'unknown').toLowerCase();
}

/** `apiNameOf` the route express matched. */
function apiName(route: unknown): string {
  const path = (route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? apiNameOf(path) : 'unknown';
}

/** Counts and times every request of the router it is mounted on; 4xx and 5xx count as `fail`, as in DTM. */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.request(apiName(req.route), res.statusCode < 400, seconds);
    });
    next();
  };
}

/** GET /api/metrics: the Prometheus text format. Public: it holds counts and times, no payloads. */
export function addMetricsRoute(router: Router, metrics: Metrics): void {
  router.get('/api/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
