import { Client, credentials, type Metadata, type ServiceError } from '@grpc/grpc-js';

/**
 * Unary gRPC calls with raw bytes in and out (DTM's `dtm_raw` codec): whoever calls a branch needs no
 * knowledge of its proto, the payload was serialized by the application that built the transaction.
 */

/** A gRPC URL split as DTM splits it: server before the first `/`, the rest is the method path. */
export interface GrpcTarget {
  server: string;
  method: string;
}

/** `host:port/package.Service/Method`: the form of a gRPC branch URL. */
export const GRPC_URL_PATTERN = /^[^\s/]+\/[^\s/]+\/[^\s/]+$/;

/** Splits `host:port/package.Service/Method` into server and `/package.Service/Method` (DTM GetServerAndMethod). */
export function splitGrpcUrl(url: string): GrpcTarget {
  const slash = url.indexOf('/');
  if (slash <= 0) return { server: url, method: '' };
  return { server: url.slice(0, slash), method: url.slice(slash) };
}

const identity = (b: Buffer) => b;

/** A pool of insecure gRPC channels, one per server, reused across calls (connections stay open). */
export class RawGrpcClients {
  private readonly clients = new Map<string, Client>();

  /**
   * Calls `method` on `server` with `payload` as the request bytes.
   * @returns the reply bytes.
   * @throws ServiceError with the status the server (or the transport: UNAVAILABLE, DEADLINE_EXCEEDED) gave.
   */
  call(target: GrpcTarget, payload: Buffer, metadata: Metadata, timeoutMs: number): Promise<Buffer> {
    const client = this.clientOf(target.server);
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        target.method,
        identity,
        identity,
        payload,
        metadata,
        { deadline: Date.now() + timeoutMs },
        (err: ServiceError | null, reply?: Buffer) => (err ? reject(err) : resolve(reply ?? Buffer.alloc(0))),
      );
    });
  }

  /** Closes every channel. */
  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private clientOf(server: string): Client {
    let client = this.clients.get(server);
    if (!client) {
      client = new Client(server, credentials.createInsecure());
      this.clients.set(server, client);
    }
    return client;
  }
}
