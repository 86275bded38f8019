import type { RequestHandler, Router } from 'express';
import { Unavailable } from '../../common/errors';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import { oneLine } from '../../common/unreachable';
import type { AdminService } from '../service/admin-service';
import type { Store } from '../storage/store';
import type { TransService } from '../service/trans-service';
import { allQuerySchema, gidOnlySchema, listRequestOf } from './schemas';
import { branchToWire, globalToWire } from './wire';

/** The version this coordinator reports; it speaks the DTM 1.x HTTP protocol. */
export const COORDINATOR_VERSION = 'dtm-ts-0.1.0';

/** The health endpoint answers 503 when the store has not answered within this long. */
const HEALTH_WAIT_MS = 2000;

/** Reads one key of the store, within HEALTH_WAIT_MS. @throws whatever the store threw, or on the time-out. */
async function probe(store: Store): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_WAIT_MS} ms`)), HEALTH_WAIT_MS);
  });
  try {
    await Promise.race([store.findGlobal('health-check'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the read-only routes need. */
export interface QueryRouteDeps {
  service: TransService;
  admin: AdminService;
  store: Store;
  storeKind: string;
  /** Where the store's server is, for the health endpoint's answer when it does not answer. */
  storeAddress: string;
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
      const page = await deps.admin.list(listRequestOf(q, 100));
      return { transactions: page.transactions.map(globalToWire), next_position: page.nextPosition };
    }),
  );
  router.get(
    '/health',
    route(async () => {
      try {
        await probe(deps.store);
      } catch (err) {
        throw new Unavailable(
          `the ${deps.storeKind} store at ${deps.storeAddress} does not answer (${oneLine(err)}); transactions resume once it is back`,
          { cause: err },
        );
      }
      return { status: 'ok', store: deps.storeKind };
    }),
  );
  router.get(
    '/version',
    route(() => ({ version: COORDINATOR_VERSION })),
  );
}
