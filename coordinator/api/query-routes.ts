import type { RequestHandler, Router } from 'express';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import type { AdminService } from '../service/admin-service';
import type { Store } from '../storage/store';
import type { TransService } from '../service/trans-service';
import { allQuerySchema, gidOnlySchema } from './schemas';
import { branchToWire, globalToWire } from './wire';

/** The version this coordinator reports; it speaks the DTM 1.x HTTP protocol. */
export const COORDINATOR_VERSION = 'dtm-ts-0.1.0';

/** What the read-only routes need. */
export interface QueryRouteDeps {
  service: TransService;
  admin: AdminService;
  store: Store;
  storeKind: string;
  /** Guards the routes that show payloads: query and all. */
  adminOnly: RequestHandler;
}

/** query, all, health and version: the read-only routes. */
export function addQueryRoutes(router: Router, deps: QueryRouteDeps): void {
  router.get(
    '/query',
    deps.adminOnly,
    route(async (req) => {
      const { gid } = parseInput(gidOnlySchema, req.query, 'public', 'query');
      const { transaction, branches } = await deps.service.query(gid);
      return {
        transaction: transaction ? globalToWire(transaction) : null,
        branches: branches.map((b) => branchToWire(b, transaction?.protocol)),
      };
    }),
  );
  router.get(
    '/all',
    deps.adminOnly,
    route(async (req) => {
      const q = parseInput(allQuerySchema, req.query, 'public', 'query');
      const page = await deps.admin.list({
        gid: q.gid,
        filter: {
          status: q.status,
          transType: q.transType,
          createTimeStart: q.createTimeStart,
          createTimeEnd: q.createTimeEnd,
        },
        position: q.position ?? '',
        limit: q.limit ?? 100,
      });
      return { transactions: page.transactions.map(globalToWire), next_position: page.nextPosition };
    }),
  );
  router.get(
    '/health',
    route(async () => {
      await deps.store.findGlobal('health-check');
      return { status: 'ok', store: deps.storeKind };
    }),
  );
  router.get(
    '/version',
    route(() => ({ version: COORDINATOR_VERSION })),
  );
}
