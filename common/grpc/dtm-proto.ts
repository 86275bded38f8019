import path from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * The coordinator's gRPC service (common/protocol/dtmgimp.proto), loaded at run time by the coordinator
 * and the SDK alike. Field names keep the proto's case (`Gid`, `BinPayloads`), as DTM's messages spell
 * them; int64 fields arrive as numbers and bytes as Buffers.
 */

/** The proto file, found next to this module's folder whether run from source or from a build that copies it. */
export const DTM_PROTO_PATH = path.join(__dirname, '..', 'protocol', 'dtmgimp.proto');

/** The full service name, the prefix of every method path (`/dtmgimp.Dtm/Submit`). */
export const DTM_GRPC_SERVICE = 'dtmgimp.Dtm';

export interface DtmTransOptions {
  WaitResult: boolean;
  TimeoutToFail: number;
  RetryInterval: number;
  PassthroughHeaders: string[];
  BranchHeaders: Record<string, string>;
  RequestTimeout: number;
  RetryLimit: number;
}

export interface DtmRequest {
  Gid: string;
  TransType: string;
  TransOptions: DtmTransOptions | null;
  CustomedData: string;
  BinPayloads: Buffer[];
  QueryPrepared: string;
  Steps: string;
  ReqExtra: Record<string, string>;
  RollbackReason: string;
}

export interface DtmBranchRequest {
  Gid: string;
  TransType: string;
  BranchID: string;
  Op: string;
  Data: Record<string, string>;
  BusiPayload: Buffer;
}

export interface DtmTopicRequest {
  Topic: string;
  URL: string;
  Remark: string;
}

export interface DtmGidReply {
  Gid: string;
}

export interface DtmProgressesReply {
  Transaction: { Gid: string; Status: string; RollbackReason: string } | null;
  Progresses: { Status: string; BinData: Buffer; BranchID: string; Op: string }[];
}

/** The method names of the service. */
export type DtmMethod =
  | 'NewGid'
  | 'Submit'
  | 'Prepare'
  | 'Abort'
  | 'RegisterBranch'
  | 'PrepareWorkflow'
  | 'Subscribe'
  | 'Unsubscribe'
  | 'DeleteTopic';

let loaded: { service: ServiceDefinition; client: GrpcObject[string] } | undefined;

/** Loads the proto once. @throws when the .proto file is missing (a build that did not copy it). */
function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const definition = loadSync(DTM_PROTO_PATH, { keepCase: true, longs: Number, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(definition).dtmgimp as GrpcObject;
  const client = pkg.Dtm as GrpcObject[string] & { service: ServiceDefinition };
  loaded = { service: client.service, client };
  return loaded;
}

/** The service definition to register handlers on a gRPC server. */
export function dtmServiceDefinition(): ServiceDefinition {
  return load().service;
}
