import { Server, ServerCredentials } from '@grpc/grpc-js';
import { dtmServiceDefinition } from '../../common/grpc/dtm-proto';
import type { Logger } from '../../common/log';
import type { TransService } from '../service/trans-service';
import { dtmHandlers } from './dtm-handlers';

/** The coordinator's gRPC API, listening. */
export interface GrpcApi {
  port: number;
  /** Stops accepting calls and waits for the running ones (forcing them after a grace period). */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 5_000;

/** Where the gRPC API listens: the coordinator's interface and port, and the admin token of its topic changes. */
export interface GrpcListen {
  host: string;
  /** 0 picks a free one. */
  port: number;
  adminToken: string | undefined;
}

/**
 * Serves service dtmgimp.Dtm on `listen.host:listen.port`.
 * @throws when the port cannot be bound.
 */
export async function startGrpcApi(service: TransService, log: Logger, listen: GrpcListen): Promise<GrpcApi> {
  const server = new Server();
  server.addService(dtmServiceDefinition(), dtmHandlers(service, log, listen.adminToken));
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${listen.port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
