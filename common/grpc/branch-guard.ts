import type { Metadata } from '@grpc/grpc-js';
import { Unauthorized } from '../errors';
import { BRANCH_SECRET_HEADER, isLoopbackAddress, sameSecret } from '../http/guards';

/** Checks one call to a gRPC branch service; throws Unauthorized (UNAUTHENTICATED) to refuse it. */
export type GrpcBranchGuard = (metadata: Metadata, peer: string) => void;

/** The address of a grpc-js peer: `ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000` or `127.0.0.1:5000`. */
function addressOf(peer: string): string {
  const plain = peer.replace(/^ipv[46]:/, '');
  if (plain.startsWith('[')) return plain.slice(1, plain.indexOf(']'));
  return plain.slice(0, plain.lastIndexOf(':'));
}

/**
 * The gRPC form of branchCallersOnly: with `secret` set, a call must carry it in the x-branch-secret
 * metadata (the coordinator sends a transaction's branch_headers as metadata); without one, it must come
 * from this machine.
 */
export function grpcBranchCallersOnly(secret: string | undefined): GrpcBranchGuard {
  const key = BRANCH_SECRET_HEADER.toLowerCase();
  return (metadata, peer) => {
    if (secret === undefined) {
      if (!isLoopbackAddress(addressOf(peer)))
        throw new Unauthorized(
          `branch services accept calls from this machine only (a call from ${peer}); set BRANCH_SECRET`,
        );
      return;
    }
    const given = metadata.get(key)[0];
    if (!sameSecret(typeof given === 'string' ? given : undefined, secret))
      throw new Unauthorized(`branch services need the ${key} metadata with BRANCH_SECRET`);
  };
}
