import type { StoreKind } from '../../conf/config';
import { startCoordinatorFixture, type CoordinatorFixture } from './coordinator-fixture';
import { GrpcBusiServer } from './grpc-busi-server';

/** The methods of the tests' gRPC business service. */
export const GRPC_BUSI_METHODS = [
  'TransIn',
  'TransInRevert',
  'TransOut',
  'TransOutRevert',
  'TransInConfirm',
  'TransInCancel',
  'TransOutConfirm',
  'TransOutCancel',
  'TransInTry',
  'TransOutTry',
  'QueryPrepared',
] as const;

/** A coordinator fixture plus a scripted gRPC business server. */
export interface GrpcFixture extends CoordinatorFixture {
  grpcBusi: GrpcBusiServer;
  /** The coordinator's gRPC address. */
  server: string;
}

export async function startGrpcFixture(store: StoreKind): Promise<GrpcFixture> {
  const fx = await startCoordinatorFixture(store);
  const grpcBusi = await new GrpcBusiServer(GRPC_BUSI_METHODS).start();
  return {
    ...fx,
    grpcBusi,
    server: fx.coordinator.grpc,
    async close() {
      await grpcBusi.close();
      await fx.close();
    },
  };
}
