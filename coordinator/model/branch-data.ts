import { Protocol } from '../../common/protocol/vocabulary';

/**
 * Branch bodies of gRPC transactions are bytes (a serialized message), while the stores keep a branch's
 * data as text. A gRPC transaction's branch data therefore holds one character per byte (latin1), which
 * both stores round-trip exactly; an HTTP transaction's data is its JSON text.
 */

/** Branch data holding `bytes`, for a gRPC transaction. */
export function dataOfBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

/** The bytes a branch receives: the raw payload for gRPC transactions, the UTF-8 text for HTTP ones. */
export function bytesOfData(protocol: string, data: string): Buffer {
  return Buffer.from(data, protocol === Protocol.grpc ? 'latin1' : 'utf8');
}

/** Payload text given over HTTP, as the branch data of a transaction of `protocol` (DTM: `[]byte(payload)`). */
export function dataOfText(protocol: string, text: string): string {
  return protocol === Protocol.grpc ? dataOfBytes(Buffer.from(text, 'utf8')) : text;
}
