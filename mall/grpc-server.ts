import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

/** A listening gRPC server of the mall. */
export interface MallServer {
  port: number;
  close(): Promise<void>;
}

/** Serves one service on `port` (0: a free one). @throws when the port cannot be bound. */
export async function serveGrpc(
  definition: ServiceDefinition,
  handlers: UntypedServiceImplementation,
  port: number,
): Promise<MallServer> {
  const server = new Server();
  server.addService(definition, handlers);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`0.0.0.0:${port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 3_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
