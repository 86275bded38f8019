import type { Router } from 'express';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import type { Store } from '../storage/store';
import type { TransService } from '../service/trans-service';
import { gidOnlySchema, listQuerySchema } from './schemas';
import { branchToWire, globalToWire } from './wire';

/** The version this coordinator reports; it speaks the DTM 1.x HTTP protocol. */
export const COORDINATOR_VERSION = 'dtm-ts-0.1.0';

/** query, all, health and version: the read-only routes. */
export function addQueryRoutes(router: Router, service: TransService, store: Store, storeKind: string): void {
  router.get(
    '/query',
    route(async (req) => {
      const { gid } = parseInput(gidOnlySchema, req.query, 'public', 'query');
      const { transaction, branches } = await service.query(gid);
      return {
        transaction: transaction ? globalToWire(transaction) : null,
        branches: branches.map((b) => branchToWire(b, transaction?.protocol)),
      };
    }),
  );
  router.get(
    '/all',
    route(async (req) => {
      const q = parseInput(listQuerySchema, req.query, 'public', 'query');
      const page = await store.scanGlobals(q.position ?? '', q.limit ?? 100);
      return { transactions: page.transactions.map(globalToWire), next_position: page.nextPosition };
    }),
  );
  router.get(
    '/health',
    route(async () => {
      await store.findGlobal('health-check');
      return { status: 'ok', store: storeKind };
    }),
  );
  router.get(
    '/version',
    route(() => ({ version: COORDINATOR_VERSION })),
  );
}
