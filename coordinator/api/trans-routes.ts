import type { Request, RequestHandler, Router } from 'express';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import { localGid, transBodySchema } from '../../common/protocol/trans-body';
import { transRequestOf } from '../service/trans-request';
import type { TransService } from '../service/trans-service';
import { gidOnlySchema, registerBranchSchema } from './schemas';
import { branchToWire, globalToWire } from './wire';

/** The string fields of a registerBranch body: the part its transaction type reads. */
function stringFields(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * newGid, prepare, prepareWorkflow, submit, abort, forceStop and registerBranch: the routes that change
 * transactions; forceStop is an admin operation.
 */
export function addTransRoutes(router: Router, service: TransService, adminOnly: RequestHandler): void {
  const parseTrans = (req: Request) =>
    transRequestOf(parseInput(transBodySchema, req.body, 'public'), (name) => req.get(name));

  router.get(
    '/newGid',
    route(() => ({ gid: localGid(), dtm_result: 'SUCCESS' })),
  );
  router.post(
    '/prepare',
    route(async (req) => service.prepare(parseTrans(req))),
  );
  router.post(
    '/submit',
    route(async (req) => service.submit(parseTrans(req))),
  );
  router.post(
    '/prepareWorkflow',
    route(async (req) => {
      const { transaction, progresses } = await service.prepareWithProgress(parseTrans(req));
      return {
        transaction: globalToWire(transaction),
        progresses: progresses.map((b) => branchToWire(b, transaction.protocol)),
      };
    }),
  );
  router.post(
    '/abort',
    route(async (req) => service.abort(parseTrans(req))),
  );
  router.post(
    '/forceStop',
    adminOnly,
    route(async (req) => service.forceStop(parseInput(gidOnlySchema, req.body, 'public').gid)),
  );
  const register = route(async (req) => {
    const body = parseInput(registerBranchSchema, req.body, 'public');
    await service.registerBranch({
      gid: body.gid,
      transType: body.trans_type,
      branchId: body.branch_id,
      data: body.data ?? '',
      fields: stringFields(body),
    });
  });
  router.post('/registerBranch', register);
  // Older DTM SDKs post TCC and XA branches here; the type comes from the body (dtmsvr/api_http.go).
  router.post('/registerTccBranch', register);
  router.post('/registerXaBranch', register);
}
