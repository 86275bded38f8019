import { Metadata } from '@grpc/grpc-js';

/**
 * The transaction fields a gRPC branch call carries in metadata, under DTM's names (DTM
 * dtmgrpc/dtmgimp/utils.go): `dtm-gid`, `dtm-trans_type`, `dtm-branch_id`, `dtm-op`, `dtm-dtm`.
 */
export const DTM_METADATA_PREFIX = 'dtm-';

/** One branch call's identity, as metadata carries it. */
export interface BranchInfo {
  gid: string;
  trans_type: string;
  branch_id: string;
  op: string;
  /** The coordinator's gRPC address; DTM's coordinator sends it empty on the calls it makes. */
  dtm: string;
}

const FIELDS = ['gid', 'trans_type', 'branch_id', 'op', 'dtm'] as const satisfies readonly (keyof BranchInfo)[];

/**
 * Metadata for a branch call: the DTM fields plus extra headers (passthrough and branch headers), whose
 * names gRPC lower-cases.
 * @throws when a header name or value is not legal in gRPC metadata.
 */
export function branchMetadata(info: BranchInfo, headers: Record<string, string> = {}): Metadata {
  const md = new Metadata();
  for (const [name, value] of Object.entries(headers)) md.add(name, value);
  for (const field of FIELDS) md.set(DTM_METADATA_PREFIX + field, info[field]);
  return md;
}

/** The DTM fields found in a call's metadata; missing ones are empty strings. */
export function readBranchInfo(md: Metadata): BranchInfo {
  const get = (field: string) => {
    const value = md.get(DTM_METADATA_PREFIX + field)[0];
    return typeof value === 'string' ? value : '';
  };
  return {
    gid: get('gid'),
    trans_type: get('trans_type'),
    branch_id: get('branch_id'),
    op: get('op'),
    dtm: get('dtm'),
  };
}
