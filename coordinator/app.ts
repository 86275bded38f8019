import type { RequestListener } from 'node:http';
import express from 'express';
import type { Config } from '../conf/config';
import { accessLog } from '../common/http/access-log';
import { errorHandler, notFoundHandler } from '../common/http/error-handler';
import { jsonBody } from '../common/http/json-body';
import { adminOnly } from '../common/http/guards';
import type { Logger } from '../common/log';
import type { Metrics } from './observe/metrics';
import type { Store } from './storage/store';
import type { AdminService } from './service/admin-service';
import type { TransService } from './service/trans-service';
import { addAdminRoutes } from './api/admin-routes';
import { addMetricsRoute, requestMetrics } from './api/metrics-routes';
import { addQueryRoutes } from './api/query-routes';
import { addTopicRoutes } from './api/topic-routes';
import { addTransRoutes, hotTransHandlers } from './api/trans-routes';
import { withFastLane } from './api/fast-lane';
import { createDashboardRouter } from './dashboard/dashboard-routes';
import type { Clock } from './model/clock';

/** Where the DTM API lives, as DTM serves it. */
const API_PREFIX = '/api/dtmsvr';

export interface CoordinatorAppDeps {
  conf: Config;
  service: TransService;
  admin: AdminService;
  store: Store;
  /** Where the store's server is, for the health endpoint's answer when it does not answer. */
  storeAddress: string;
  metrics: Metrics;
  clock: Clock;
  log: Logger;
}

/**
 * The coordinator's HTTP API under /api/dtmsvr, its metrics and the dashboard under /admin, without
 * listening: express, behind the fast lane for the endpoints every transaction calls.
 */
export function createCoordinatorApp(deps: CoordinatorAppDeps): RequestListener {
  const { conf } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(accessLog(deps.log));
  app.get('/', (_req, res) => res.redirect('/admin'));
  // The dashboard reads forms, so it is mounted before the JSON body parser of the API.
  app.use(
    '/admin',
    createDashboardRouter({
      service: deps.service,
      admin: deps.admin,
      clock: deps.clock,
      log: deps.log,
      adminToken: conf.adminToken,
      examplesUrl: `http://${conf.busi.host}:${conf.busi.port}`,
      demoTimeoutMs: conf.outcomeWaitMs + 10_000,
    }),
  );
  addMetricsRoute(app, deps.metrics);
  app.use(jsonBody());
  const admin = adminOnly(conf.adminToken);
  const router = express.Router();
  router.use(requestMetrics(deps.metrics));
  const hot = hotTransHandlers(deps.service);
  addTransRoutes(router, deps.service, hot, admin);
  addQueryRoutes(router, {
    service: deps.service,
    admin: deps.admin,
    store: deps.store,
    storeKind: conf.coordinator.store,
    storeAddress: deps.storeAddress,
    adminOnly: admin,
  });
  addAdminRoutes(router, deps.admin, admin);
  addTopicRoutes(router, deps.service, deps.store, admin);
  app.use(API_PREFIX, router);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return withFastLane(app, { prefix: API_PREFIX, handlers: hot, metrics: deps.metrics, log: deps.log });
}
