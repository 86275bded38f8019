import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { BranchBarrier } from '../common/barrier/barrier';
import type { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { unaryHandler } from '../common/grpc/handler';
import type { Logger } from '../common/log';
import { serveGrpc, type MallServer } from '../mall/grpc-server';

/** The raw gRPC service the bench's gRPC branches live in. */
export const BENCH_GRPC_SERVICE = 'bench.Busi';

const identity = (b: Buffer) => b;

/** Methods that answer at once without any work: the gRPC no-op branches. */
export const NOOP_GRPC_METHODS = ['NoopOut', 'NoopOutRevert', 'NoopIn', 'NoopInRevert'] as const;

/**
 * The gRPC twin of bench/busi-main.ts: TransOut / TransIn (and their compensations) move an amount in
 * MySQL behind the barrier read from metadata, and the Noop methods answer at once. Requests are read as
 * raw bytes (the payload is opaque).
 */
export async function startGrpcBenchBranches(barrier: MysqlBarrier, log: Logger): Promise<MallServer> {
  const definition: Record<string, ReturnType<typeof method>> = {};
  const handlers: UntypedServiceImplementation = {};
  function method(name: string) {
    return {
      path: `/${BENCH_GRPC_SERVICE}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    };
  }
  const branch = (name: string, account: number, delta: number) => {
    definition[name] = method(name);
    handlers[name] = unaryHandler<Buffer, Buffer>(name, log, async (_req, md) => {
      await barrier.call(BranchBarrier.fromGrpc(md), async (conn) => {
        await conn.execute('UPDATE bench_account SET balance = balance + ? WHERE id = ?', [delta, account]);
      });
      return Buffer.alloc(0);
    });
  };
  // The no-op twins answer at once, touching nothing: a gRPC saga through them costs the coordinator
  // its own work only, as the HTTP /api/null branches do.
  for (const name of NOOP_GRPC_METHODS) {
    definition[name] = method(name);
    handlers[name] = unaryHandler<Buffer, Buffer>(name, log, async () => Buffer.alloc(0));
  }
  branch('TransOut', 1, -1);
  branch('TransOutRevert', 1, 1);
  branch('TransIn', 2, 1);
  branch('TransInRevert', 2, -1);
  return serveGrpc(definition, handlers, 0);
}
