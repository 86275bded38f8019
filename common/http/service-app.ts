import express, { type Express, type Router } from 'express';
import type { Logger } from '../log';
import { accessLog } from './access-log';
import { errorHandler, notFoundHandler } from './error-handler';
import { jsonBody } from './json-body';

/** An express app for a business service: JSON bodies, access log, the routers, one error handler. */
export function createServiceApp(log: Logger, routers: Router[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(accessLog(log));
  app.use(jsonBody());
  for (const router of routers) app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
