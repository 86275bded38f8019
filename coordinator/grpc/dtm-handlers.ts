import type { Metadata, UntypedServiceImplementation } from '@grpc/grpc-js';
import { InvalidInput } from '../../common/errors';
import type {
  DtmBranchRequest,
  DtmGidReply,
  DtmMethod,
  DtmProgressesReply,
  DtmRequest,
  DtmTopicRequest,
} from '../../common/grpc/dtm-proto';
import { unaryHandler } from '../../common/grpc/handler';
import { assertGrpcAdmin } from '../../common/http/guards';
import { parseInput } from '../../common/http/validate';
import type { Logger } from '../../common/log';
import { localGid, transBodySchema } from '../../common/protocol/trans-body';
import { Protocol } from '../../common/protocol/vocabulary';
import { registerBranchSchema } from '../api/schemas';
import { bytesOfData, dataOfBytes } from '../model/branch-data';
import { transRequestOf } from '../service/trans-request';
import type { TransRequest } from '../service/trans-request';
import type { TransService } from '../service/trans-service';

/** google.protobuf.Empty. */
const EMPTY = {};

/** The steps of a DtmRequest, a JSON array (DTM's Go client sends `null` when there are none). */
function parseSteps(text: string): unknown {
  if (text === '') return [];
  try {
    return JSON.parse(text) ?? [];
  } catch {
    throw new InvalidInput('Steps must be a JSON array like [{"action":"host:port/pkg.Svc/Method"}]', {
      field: 'steps',
    });
  }
}

/**
 * A DtmRequest as the service's request: its fields are put in the HTTP body's shape and validated by
 * the same schema, so both transports accept exactly the same transactions. Every transaction that
 * comes over gRPC has protocol `grpc`, as in DTM's TransFromDtmRequest.
 */
function transRequestOfGrpc(req: DtmRequest, metadata: Metadata): TransRequest {
  const o = req.TransOptions;
  const body = parseInput(
    transBodySchema,
    {
      gid: req.Gid,
      trans_type: req.TransType,
      steps: parseSteps(req.Steps),
      custom_data: req.CustomedData,
      query_prepared: req.QueryPrepared,
      protocol: Protocol.grpc,
      wait_result: o?.WaitResult,
      timeout_to_fail: o?.TimeoutToFail,
      request_timeout: o?.RequestTimeout,
      retry_interval: o?.RetryInterval,
      retry_limit: o?.RetryLimit,
      branch_headers: o && Object.keys(o.BranchHeaders).length > 0 ? o.BranchHeaders : undefined,
      passthrough_headers: o && o.PassthroughHeaders.length > 0 ? o.PassthroughHeaders : undefined,
      rollback_reason: req.RollbackReason,
    },
    'public',
  );
  const headerOf = (name: string) => {
    const value = metadata.get(name.toLowerCase())[0];
    return typeof value === 'string' ? value : undefined;
  };
  return transRequestOf(body, headerOf, req.BinPayloads);
}

type Handlers = Record<DtmMethod, UntypedServiceImplementation[string]>;

/**
 * The handlers of service dtmgimp.Dtm: the gRPC transport over the same TransService as the HTTP API.
 * The topic changes are admin operations, under the same rule as over HTTP (`adminToken`).
 */
export function dtmHandlers(service: TransService, log: Logger, adminToken: string | undefined): Handlers {
  const trans = (name: DtmMethod, op: (req: TransRequest) => Promise<void>) =>
    unaryHandler<DtmRequest, object>(name, log, async (req, md) => {
      await op(transRequestOfGrpc(req, md));
      return EMPTY;
    });
  const topic = (name: DtmMethod, op: (req: DtmTopicRequest) => Promise<void>) =>
    unaryHandler<DtmTopicRequest, object>(name, log, async (req, md, peer) => {
      const authorization = md.get('authorization')[0];
      assertGrpcAdmin(peer, typeof authorization === 'string' ? authorization : undefined, adminToken);
      await op(req);
      return EMPTY;
    });

  return {
    NewGid: unaryHandler<object, DtmGidReply>('NewGid', log, () => ({ Gid: localGid() })),
    Submit: trans('Submit', (req) => service.submit(req)),
    Prepare: trans('Prepare', (req) => service.prepare(req)),
    Abort: trans('Abort', (req) => service.abort(req)),
    RegisterBranch: unaryHandler<DtmBranchRequest, object>('RegisterBranch', log, async (req) => {
      const body = parseInput(
        registerBranchSchema,
        { ...req.Data, gid: req.Gid, trans_type: req.TransType, branch_id: req.BranchID },
        'public',
      );
      await service.registerBranch({
        gid: body.gid,
        transType: body.trans_type,
        branchId: body.branch_id,
        data: dataOfBytes(req.BusiPayload),
        protocol: Protocol.grpc,
        fields: req.Data,
      });
      return EMPTY;
    }),
    PrepareWorkflow: unaryHandler<DtmRequest, DtmProgressesReply>('PrepareWorkflow', log, async (req, md) => {
      // As DTM's svcPrepareWorkflow: a workflow seen before answers its stored progress.
      const { transaction, progresses: branches } = await service.prepareWithProgress(transRequestOfGrpc(req, md));
      return {
        Transaction: { Gid: transaction.gid, Status: transaction.status, RollbackReason: transaction.rollbackReason },
        Progresses: branches.map((b) => ({
          Status: b.status,
          BinData: bytesOfData(transaction.protocol, b.data),
          BranchID: b.branchId,
          Op: b.op,
        })),
      };
    }),
    Subscribe: topic('Subscribe', (req) => service.topics.subscribe(req.Topic, req.URL, req.Remark, Protocol.grpc)),
    Unsubscribe: topic('Unsubscribe', (req) => service.topics.unsubscribe(req.Topic, req.URL)),
    DeleteTopic: topic('DeleteTopic', (req) => service.topics.deleteTopic(req.Topic)),
  };
}
