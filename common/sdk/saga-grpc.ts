import type { TransWire } from '../protocol/trans-body';
import { callDtmForTrans } from './dtm-grpc';
import { Saga } from './saga';

/**
 * A saga through the coordinator's gRPC API, with gRPC branches: each step's action and compensation
 * are `host:port/package.Service/Method`, and its payload is the serialized request message, sent to
 * both as is. Everything else (orders, concurrency, options) is the HTTP Saga's.
 */
export class SagaGrpc extends Saga {
  private readonly binPayloads: Uint8Array[] = [];

  /** @param server the coordinator's gRPC address, `host:port`. */
  constructor(server: string, gid: string) {
    super(server, gid);
  }

  /** Adds a step; `payload` is the request message's bytes for both calls. */
  override add(action: string, compensate: string, payload: Uint8Array): this {
    super.add(action, compensate, undefined);
    this.binPayloads.push(payload);
    return this;
  }

  protected override async callDtm(operation: string, body: unknown, headers: Record<string, string> = {}) {
    const trans = { server: this.dtm, gid: this.gid, requestTimeout: this.options.requestTimeout };
    await callDtmForTrans(trans, operation, body as TransWire, this.binPayloads, headers);
  }
}
