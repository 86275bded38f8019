import { join } from 'node:path';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { InvalidInput, NotFound, Unauthorized, httpStatusOf } from '../../common/errors';
import { ADMIN_COOKIE, adminCookieValue, assertAdmin, sameSecret } from '../../common/http/guards';
import { parseInput } from '../../common/http/validate';
import type { Logger } from '../../common/log';
import type { Clock } from '../model/clock';
import type { AdminService } from '../service/admin-service';
import type { TransService } from '../service/trans-service';
import { transTypeNames } from '../trans-types/registry';
import { allQuerySchema, listRequestOf } from '../api/schemas';
import { DEMOS, fireDemo } from './demos';
import { detailPage, detailSection, stopConfirmPage } from './detail-page';
import { listPage, listSection, transHref, type ListFilters } from './list-page';
import { errorPage, loginPage, topicsPage } from './other-pages';

export interface DashboardDeps {
  service: TransService;
  admin: AdminService;
  clock: Clock;
  log: Logger;
  adminToken: string | undefined;
  /** Where the examples listen, for the demo buttons. */
  examplesUrl: string;
  /** How long a demo button waits for the examples' answer. */
  demoTimeoutMs: number;
}

/** Notices an action redirects with; a fixed list, so no text travels in the URL. */
const NOTICES = {
  retry: 'Retry requested: the transaction is due now; the cron loop picks it up within one interval.',
  stopped: 'Force-stopped: the transaction is failed; nothing more will be called.',
  subscribed: 'Subscribed.',
  unsubscribed: 'Unsubscribed.',
  deleted: 'Topic deleted.',
} as const;
type NoticeKey = keyof typeof NOTICES;

const noticeOf = (req: Request) => NOTICES[String(req.query.notice) as NoticeKey] as string | undefined;
const gidParam = (req: Request) => String(req.params.gid);
/** The list's filters as the browser sent them, to refill the form and build the paging links. */
function listFilters(req: Request): ListFilters {
  const keys = ['gid', 'status', 'transType', 'createTimeStart', 'createTimeEnd', 'position'] as const;
  const given = keys.flatMap((k) => (typeof req.query[k] === 'string' ? [[k, req.query[k]]] : []));
  return Object.fromEntries(given) as ListFilters;
}

const topicForm = z.object({
  topic: z.string().default(''),
  url: z.string().default(''),
  remark: z.string().default(''),
});

/** Pages only the dashboard's own pages may embed, scripts and styles only from the coordinator. */
function securityHeaders(_req: Request, res: Response, next: () => void): void {
  res.set({
    'content-security-policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  });
  next();
}

/**
 * The dashboard under /admin: transactions (filters, newest first, refreshed every second), a
 * transaction's page (time line, branches, retry now, force stop), topics, demo buttons, and the login
 * when ADMIN_TOKEN is set. Every page and action follows the admin rule of the API.
 */
export function createDashboardRouter(deps: DashboardDeps): Router {
  const router = express.Router();
  router.use(securityHeaders);
  router.use('/static', express.static(join(__dirname, 'static'), { index: false }));
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));
  const send = (res: Response, body: string) => res.type('html').send(body);
  const redirect = (res: Response, to: string) => res.redirect(303, to);

  router.get('/login', (_req, res) => send(res, loginPage()));
  router.post('/login', (req, res) => {
    const token = deps.adminToken;
    const given = typeof req.body?.token === 'string' ? (req.body.token as string) : undefined;
    if (token === undefined) return redirect(res, '/admin');
    if (!sameSecret(given, token)) return send(res.status(401), loginPage('That is not the admin token.'));
    res.cookie(ADMIN_COOKIE, adminCookieValue(token), { httpOnly: true, sameSite: 'strict', path: '/admin' });
    redirect(res, '/admin');
  });
  router.post('/logout', (_req, res) => {
    res.clearCookie(ADMIN_COOKIE, { path: '/admin' });
    redirect(res, deps.adminToken === undefined ? '/admin' : '/admin/login');
  });

  router.use((req, _res, next) => {
    assertAdmin(req, deps.adminToken);
    next();
  });

  router.get('/', async (req, res) => {
    const q = parseInput(allQuerySchema, req.query, 'public', 'query');
    const view = {
      filters: listFilters(req),
      page: await deps.admin.list(listRequestOf(q, 50)),
      transTypes: transTypeNames,
      demos: DEMOS,
    };
    send(res, req.query.partial === 'list' ? listSection(view).text : listPage(view));
  });

  router.get('/trans/:gid', async (req, res) => {
    const gid = gidParam(req);
    const { transaction, branches } = await deps.service.query(gid);
    if (!transaction) throw new NotFound(`no transaction with gid ${gid}`);
    const view = {
      g: transaction,
      branches,
      events: await deps.admin.events(gid),
      now: deps.clock(),
      notice: noticeOf(req),
    };
    send(res, req.query.partial === 'detail' ? detailSection(view).text : detailPage(view));
  });
  router.post('/trans/:gid/retry', async (req, res) => {
    await deps.admin.resetNextCronTime(gidParam(req));
    redirect(res, `${transHref(gidParam(req))}?notice=retry`);
  });
  router.get('/trans/:gid/stop', async (req, res) => {
    const { transaction } = await deps.service.query(gidParam(req));
    if (!transaction) throw new NotFound(`no transaction with gid ${gidParam(req)}`);
    send(res, stopConfirmPage(transaction));
  });
  router.post('/trans/:gid/stop', async (req, res) => {
    if (req.body?.confirm !== 'yes')
      throw new InvalidInput('tick the box to confirm the force stop', { field: 'confirm' });
    await deps.service.forceStop(gidParam(req));
    redirect(res, `${transHref(gidParam(req))}?notice=stopped`);
  });

  router.get('/topics', async (req, res) => send(res, topicsPage(await deps.service.topics.list(), noticeOf(req))));
  router.post('/topics/subscribe', async (req, res) => {
    const f = parseInput(topicForm, req.body, 'public');
    await deps.service.topics.subscribe(f.topic, f.url, f.remark);
    redirect(res, '/admin/topics?notice=subscribed');
  });
  router.post('/topics/unsubscribe', async (req, res) => {
    const f = parseInput(topicForm, req.body, 'public');
    await deps.service.topics.unsubscribe(f.topic, f.url);
    redirect(res, '/admin/topics?notice=unsubscribed');
  });
  router.post('/topics/delete', async (req, res) => {
    await deps.service.topics.deleteTopic(parseInput(topicForm, req.body, 'public').topic);
    redirect(res, '/admin/topics?notice=deleted');
  });

  router.post('/demo/:name', async (req, res) => {
    const demo = DEMOS.find((d) => d.name === req.params.name);
    if (!demo) throw new NotFound(`no demo ${String(req.params.name)}`);
    redirect(res, transHref(await fireDemo(deps.examplesUrl, demo, deps.demoTimeoutMs)));
  });

  router.use(dashboardErrors(deps));
  return router;
}

/** Errors as pages; a browser that is not logged in is sent to the login form. */
function dashboardErrors(deps: DashboardDeps): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const status = httpStatusOf(err);
    if (err instanceof Unauthorized && deps.adminToken !== undefined && req.method === 'GET') {
      return res.redirect(303, '/admin/login');
    }
    if (status >= 500) deps.log.error({ err, url: req.originalUrl }, 'dashboard request failed');
    res
      .status(status)
      .type('html')
      .send(errorPage(status, err instanceof Error ? err.message : String(err)));
  };
}
