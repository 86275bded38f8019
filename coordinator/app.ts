import express, { type Express } from 'express';
import { accessLog } from '../common/http/access-log';
import { errorHandler, notFoundHandler } from '../common/http/error-handler';
import { jsonBody } from '../common/http/json-body';
import type { Logger } from '../common/log';
import type { Store } from './storage/store';
import type { TransService } from './service/trans-service';
import { addQueryRoutes } from './api/query-routes';
import { addTopicRoutes } from './api/topic-routes';
import { addTransRoutes } from './api/trans-routes';

export interface CoordinatorAppDeps {
  service: TransService;
  store: Store;
  storeKind: string;
  /** Where the store's server is, for the health endpoint's answer when it does not answer. */
  storeAddress: string;
  log: Logger;
}

/** The coordinator's HTTP API under /api/dtmsvr, without listening. */
export function createCoordinatorApp(deps: CoordinatorAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(accessLog(deps.log));
  app.use(jsonBody());
  const router = express.Router();
  addTransRoutes(router, deps.service);
  addQueryRoutes(router, deps.service, deps.store, { kind: deps.storeKind, address: deps.storeAddress });
  addTopicRoutes(router, deps.service, deps.store);
  app.use('/api/dtmsvr', router);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
