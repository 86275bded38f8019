import { Metadata } from '@grpc/grpc-js';
import { dtmServiceDefinition, type DtmMethod, type DtmRequest } from '../grpc/dtm-proto';
import { RawGrpcClients } from '../grpc/raw-client';
import { errorFromGrpc } from '../grpc/status';
import type { TransWire } from '../protocol/trans-body';

/**
 * The SDK's calls to the coordinator's gRPC API (service dtmgimp.Dtm). `server` is the API's address,
 * `host:port`, as DTM's gRPC clients take it.
 */

/** How long a call to the coordinator may take when the transaction sets no request_timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;

let defaultClients: RawGrpcClients | undefined;
/** The SDK's pool of gRPC channels, shared by every transaction and branch call. */
export function sharedGrpcClients(): RawGrpcClients {
  defaultClients ??= new RawGrpcClients();
  return defaultClients;
}

/**
 * Calls a method of the coordinator's gRPC API.
 * @throws BranchFailure (ABORTED), BranchOngoing (FAILED_PRECONDITION), InvalidInput, NotFound, or
 * UpstreamError for anything else, as `errorFromGrpc` maps them.
 */
export async function callDtmGrpc<Res = unknown>(
  server: string,
  method: DtmMethod,
  request: object,
  options: { headers?: Record<string, string>; timeoutMs?: number; what?: string } = {},
): Promise<Res> {
  const definition = dtmServiceDefinition()[method];
  if (!definition) throw new Error(`dtmgimp.Dtm has no method ${method}`);
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(options.headers ?? {})) metadata.add(name, value);
  try {
    const reply = await sharedGrpcClients().call(
      { server, method: definition.path },
      definition.requestSerialize(request),
      metadata,
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    return definition.responseDeserialize(reply) as Res;
  } catch (err) {
    throw errorFromGrpc(err, options.what ?? `${method} at ${server}`);
  }
}

/** Asks the coordinator's gRPC API for a gid. @throws as `callDtmGrpc`. */
export async function newGidGrpc(server: string): Promise<string> {
  return (await callDtmGrpc<{ Gid: string }>(server, 'NewGid', {})).Gid;
}

/** The HTTP body's fields as a DtmRequest; `binPayloads` replace the text payloads. */
export function toDtmRequest(wire: TransWire, binPayloads: readonly Uint8Array[]): Partial<DtmRequest> {
  return {
    Gid: wire.gid,
    TransType: wire.trans_type,
    TransOptions: {
      WaitResult: wire.wait_result ?? false,
      TimeoutToFail: wire.timeout_to_fail ?? 0,
      RetryInterval: wire.retry_interval ?? 0,
      PassthroughHeaders: wire.passthrough_headers ?? [],
      BranchHeaders: wire.branch_headers ?? {},
      RequestTimeout: wire.request_timeout ?? 0,
      RetryLimit: wire.retry_limit ?? 0,
    },
    CustomedData: wire.custom_data ?? '',
    BinPayloads: binPayloads.map((p) => Buffer.from(p)),
    QueryPrepared: wire.query_prepared ?? '',
    Steps: JSON.stringify(wire.steps ?? []),
    RollbackReason: wire.rollback_reason ?? '',
  };
}

/** `submit` → `Submit`: the gRPC method of an HTTP operation name. */
export function grpcMethodOf(operation: string): DtmMethod {
  return (operation.charAt(0).toUpperCase() + operation.slice(1)) as DtmMethod;
}

/** The transaction a gRPC flavour of the SDK sends: its coordinator address, gid and request timeout (s). */
export interface GrpcTransCall {
  server: string;
  gid: string;
  requestTimeout: number | undefined;
}

/**
 * What the gRPC flavours do where the HTTP SDK POSTs `operation`: the same body, as a DtmRequest with
 * `binPayloads` as the step bytes, to the matching method, within the transaction's request timeout.
 */
export async function callDtmForTrans(
  trans: GrpcTransCall,
  operation: string,
  wire: TransWire,
  binPayloads: readonly Uint8Array[],
  headers: Record<string, string>,
): Promise<void> {
  await callDtmGrpc(trans.server, grpcMethodOf(operation), toDtmRequest(wire, binPayloads), {
    headers,
    timeoutMs: (trans.requestTimeout ?? 0) * 1000 || undefined,
    what: `${operation} of ${trans.gid}`,
  });
}
