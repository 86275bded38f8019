import type { RequestHandler, Router } from 'express';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import { localGid, transBodySchema } from '../../common/protocol/trans-body';
import { transRequestOf } from '../service/trans-request';
import type { TransService } from '../service/trans-service';
import type { HotHandler } from './fast-lane';
import { gidOnlySchema, registerBranchSchema } from './schemas';
import { branchToWire, globalToWire } from './wire';

/** The string fields of a registerBranch body: the part its transaction type reads. */
function stringFields(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * prepare, prepareWorkflow, submit, abort and registerBranch by their path under /api/dtmsvr: the
 * operations every transaction calls, served by the fast lane (fast-lane.ts) and, for requests it leaves
 * to express, by the router.
 */
export function hotTransHandlers(service: TransService): Map<string, HotHandler> {
  const parseTrans = (body: unknown, header: (name: string) => string | undefined) =>
    transRequestOf(parseInput(transBodySchema, body, 'public'), header);
  const register: HotHandler = async (raw) => {
    const body = parseInput(registerBranchSchema, raw, 'public');
    await service.registerBranch({
      gid: body.gid,
      transType: body.trans_type,
      branchId: body.branch_id,
      data: body.data ?? '',
      fields: stringFields(body),
    });
  };
  return new Map<string, HotHandler>([
    ['/prepare', (body, header) => service.prepare(parseTrans(body, header))],
    ['/submit', (body, header) => service.submit(parseTrans(body, header))],
    [
      '/prepareWorkflow',
      async (body, header) => {
        const { transaction, progresses } = await service.prepareWithProgress(parseTrans(body, header));
        return {
          transaction: globalToWire(transaction),
          progresses: progresses.map((b) => branchToWire(b, transaction.protocol)),
        };
      },
    ],
    ['/abort', (body, header) => service.abort(parseTrans(body, header))],
    ['/registerBranch', register],
    // Older DTM SDKs post TCC and XA branches here; the type comes from the body (dtmsvr/api_http.go).
    ['/registerTccBranch', register],
    ['/registerXaBranch', register],
  ]);
}

/** newGid, forceStop (an admin operation) and the hot handlers: the routes that change transactions. */
export function addTransRoutes(
  router: Router,
  service: TransService,
  hot: ReadonlyMap<string, HotHandler>,
  adminOnly: RequestHandler,
): void {
  router.get(
    '/newGid',
    route(() => ({ gid: localGid(), dtm_result: 'SUCCESS' })),
  );
  for (const [path, handler] of hot) {
    router.post(
      path,
      route((req) => handler(req.body, (name) => req.get(name))),
    );
  }
  router.post(
    '/forceStop',
    adminOnly,
    route(async (req) => service.forceStop(parseInput(gidOnlySchema, req.body, 'public').gid)),
  );
}
