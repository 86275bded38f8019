import type { RequestHandler, Router } from 'express';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import type { AdminService } from '../service/admin-service';
import { gidOnlySchema, resetCronTimeQuerySchema } from './schemas';

/** resetNextCronTime and resetCronTime: bring scheduled retries forward (admin only). */
export function addAdminRoutes(router: Router, admin: AdminService, adminOnly: RequestHandler): void {
  router.post(
    '/resetNextCronTime',
    adminOnly,
    route(async (req) => admin.resetNextCronTime(parseInput(gidOnlySchema, req.body, 'public').gid)),
  );
  router.get(
    '/resetCronTime',
    adminOnly,
    route(async (req) => {
      const q = parseInput(resetCronTimeQuerySchema, req.query, 'public', 'query');
      const reset = await admin.resetCronTime(q.timeout === undefined ? undefined : q.timeout * 1000, q.limit);
      return { succeed_count: reset.succeedCount, has_remaining: reset.hasRemaining };
    }),
  );
}
