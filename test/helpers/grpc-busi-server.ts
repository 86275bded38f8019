import {
  Server,
  ServerCredentials,
  status,
  type MethodDefinition,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';

/** A gRPC branch call as the business server saw it. */
export interface SeenGrpcCall {
  name: string;
  /** The metadata, first value of each key. */
  metadata: Record<string, string>;
  payload: Buffer;
}

/** An answer to give once: a gRPC status code (OK, ABORTED, FAILED_PRECONDITION, …) or 'hang'. */
export type GrpcScripted = status | 'hang';

/** The raw service the tests' gRPC branches live in. */
export const BUSI_SERVICE = 'busi.Busi';

const identity = (b: Buffer) => b;

/**
 * A gRPC business service for coordinator tests: every method of `busi.Busi` named at construction
 * answers OK (an empty reply) unless a one-shot switch says otherwise, and every call is recorded. It
 * reads the request as raw bytes, so tests see exactly what the coordinator sent.
 */
export class GrpcBusiServer {
  readonly calls: SeenGrpcCall[] = [];
  private readonly scripted = new Map<string, GrpcScripted[]>();
  private readonly hanging: sendUnaryData<Buffer>[] = [];
  private server: Server | undefined;
  /** `127.0.0.1:<port>/busi.Busi`: append `/<Method>` for a branch URL. */
  base = '';

  constructor(private readonly methods: readonly string[]) {}

  script(name: string, ...answers: GrpcScripted[]): void {
    this.scripted.set(name, [...(this.scripted.get(name) ?? []), ...answers]);
  }

  callsOf(name: string, gid?: string): SeenGrpcCall[] {
    return this.calls.filter((c) => c.name === name && (gid === undefined || c.metadata['dtm-gid'] === gid));
  }

  namesFor(gid: string): string[] {
    return this.calls.filter((c) => c.metadata['dtm-gid'] === gid).map((c) => c.name);
  }

  url(method: string): string {
    return `${this.base}/${method}`;
  }

  async start(): Promise<this> {
    const server = new Server();
    const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {};
    const handlers: Record<string, (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => void> = {};
    for (const name of this.methods) {
      definition[name] = {
        path: `/${BUSI_SERVICE}/${name}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      };
      handlers[name] = (call, callback) => {
        const metadata: Record<string, string> = {};
        for (const [key, values] of Object.entries(call.metadata.getMap())) metadata[key] = String(values);
        this.calls.push({ name, metadata, payload: call.request });
        const next = this.scripted.get(name)?.shift() ?? status.OK;
        if (next === 'hang') return void this.hanging.push(callback);
        if (next === status.OK) return callback(null, Buffer.alloc(0));
        callback({ code: next, details: `scripted ${status[next]}` });
      };
    }
    server.addService(definition, handlers);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    this.base = `127.0.0.1:${port}/${BUSI_SERVICE}`;
    return this;
  }

  async close(): Promise<void> {
    for (const callback of this.hanging.splice(0)) callback({ code: status.CANCELLED, details: 'server closing' });
    this.server?.forceShutdown();
  }
}
