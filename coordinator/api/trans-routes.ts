import type { Request, Router } from 'express';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import { localGid, transBodySchema, type TransBody } from '../../common/protocol/trans-body';
import type { TransRequest, TransService } from '../service/trans-service';
import { gidOnlySchema, registerBranchSchema } from './schemas';
import { branchToWire, globalToWire } from './wire';

/** Turns a validated body into the service's request, reading passthrough headers off the request. */
function toTransRequest(body: TransBody, req: Request): TransRequest {
  const headers: Record<string, string> = {};
  for (const name of body.passthrough_headers ?? []) {
    const value = req.get(name);
    if (value !== undefined) headers[name] = value;
  }
  return {
    gid: body.gid,
    transType: body.trans_type,
    steps: body.steps ?? [],
    payloads: body.payloads ?? [],
    customData: body.custom_data ?? '',
    queryPrepared: body.query_prepared ?? '',
    protocol: body.protocol || 'http',
    rollbackReason: body.rollback_reason ?? '',
    reqExtra: body.req_extra ?? {},
    headers,
    options: {
      wait_result: body.wait_result || undefined,
      timeout_to_fail: body.timeout_to_fail || undefined,
      request_timeout: body.request_timeout || undefined,
      retry_interval: body.retry_interval || undefined,
      retry_limit: body.retry_limit || undefined,
      branch_headers: body.branch_headers,
      passthrough_headers: body.passthrough_headers,
      concurrent: body.concurrent || undefined,
    },
  };
}

/** The string fields of a registerBranch body: the part its transaction type reads. */
function stringFields(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * newGid, prepare, prepareWorkflow, submit, abort, forceStop and registerBranch: the routes that change
 * transactions.
 */
export function addTransRoutes(router: Router, service: TransService): void {
  const parseTrans = (req: Request) => toTransRequest(parseInput(transBodySchema, req.body, 'public'), req);

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
      return { transaction: globalToWire(transaction), progresses: progresses.map(branchToWire) };
    }),
  );
  router.post(
    '/abort',
    route(async (req) => service.abort(parseTrans(req))),
  );
  router.post(
    '/forceStop',
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
  // Older DTM SDKs post TCC branches here; the type comes from the body.
  router.post('/registerTccBranch', register);
}
