import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Protocol } from './vocabulary';

/**
 * The transaction body of prepare, submit and abort, with the protocol's field names: the one
 * description the SDK writes and the coordinator reads. Unknown fields are ignored, as DTM ignores them.
 * Durations are whole seconds; each number has a range so that every accepted value can be stored and
 * scheduled (docs/errors.md lists them).
 */

/**
 * Every limit of what the coordinator accepts, stated once for the schemas, the error messages and
 * docs/errors.md (a unit test keeps that table in step). Each bound exists so that whatever is accepted
 * can be stored on both stores and finished: lengths fit the MySQL columns (`text` holds 65,535
 * bytes), durations keep every scheduled time storable, and headers stay within what an HTTP server
 * accepts from the coordinator's branch calls.
 */
export const Limits = {
  /** Request body after decompression; beyond it the answer is 413. */
  bodyBytes: 1_048_576,
  gidLength: 128,
  transTypeLength: 45,
  /** Branch URLs and query_prepared: `varchar(1024)`. */
  urlLength: 1024,
  /** custom_data, in UTF-8 bytes: a MySQL `text` column. */
  customDataBytes: 65_535,
  timeoutToFailSeconds: 30 * 24 * 3600,
  requestTimeoutSeconds: 600,
  retryIntervalSeconds: 24 * 3600,
  /** Attempts of one saga action within one pass (they follow each other at once). */
  retryLimit: 10_000,
  msgDelaySeconds: 30 * 24 * 3600,
  headerNameLength: 256,
  headerValueLength: 4096,
  /**
   * branch_headers, names and values together: Node's HTTP server refuses requests whose headers exceed
   * 16 KiB (431), and the coordinator would retry such a branch call for ever.
   */
  branchHeadersLength: 16_384,
  passthroughHeaders: 64,
  rollbackReasonLength: 1000,
  branchIdLength: 128,
  /** Paging of `all` and `scanKV`. */
  pageLimit: 1000,
  /** A `position` is a store id; larger ones cannot be compared exactly. */
  pagePosition: Number.MAX_SAFE_INTEGER,
  topicLength: 128,
  remarkLength: 256,
  kvCatLength: 45,
  kvKeyLength: 128,
  /** A topic's subscriber list, as JSON: a MySQL `text` column. */
  topicValueBytes: 65_535,
} as const;

const seconds = (max: number) =>
  z
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .nonnegative('must not be negative')
    .max(max, `must be at most ${max} seconds`);

/** A string of at most `max` characters, with the limit in the message. */
export const boundedString = (max: number) => z.string().max(max, `is longer than ${max} characters`);

/**
 * A gid: what DTM's stores accept, printable ASCII without spaces (DTM's own flash example uses
 * `{a}-<uuid>`, a Redis Cluster hash tag), at most 128 characters.
 */
export const gidSchema = z
  .string()
  .min(1, 'is required')
  .max(Limits.gidLength, `is longer than ${Limits.gidLength} characters`)
  .regex(/^[\x21-\x7e]+$/, 'may hold printable ASCII characters without spaces only');

/** An HTTP header name as RFC 9110 allows it (a token). */
const headerName = z
  .string()
  .max(Limits.headerNameLength, `header names must be at most ${Limits.headerNameLength} characters`)
  .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'header names must be HTTP tokens');

/** A header value an HTTP client can send: tab, visible ASCII and bytes 0x80-0xFF (never CR, LF or NUL). */
const headerValue = z
  .string()
  .max(Limits.headerValueLength, `header values must be at most ${Limits.headerValueLength} characters`)
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values may hold tab, visible ASCII and Latin-1 only (no CR, LF or NUL)');

export const branchHeadersSchema = z
  .record(headerName, headerValue)
  .refine(
    (headers) =>
      Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length, 0) <= Limits.branchHeadersLength,
    `names and values together must be at most ${Limits.branchHeadersLength} characters`,
  );

export const transBodySchema = z.object({
  gid: gidSchema,
  trans_type: z
    .string()
    .min(1, 'is required')
    .max(Limits.transTypeLength, `is longer than ${Limits.transTypeLength} characters`),
  steps: z.array(z.record(z.string(), z.string())).optional(),
  payloads: z.array(z.string()).optional(),
  custom_data: z
    .string()
    .refine(
      (text) => Buffer.byteLength(text, 'utf8') <= Limits.customDataBytes,
      `is longer than ${Limits.customDataBytes} bytes (UTF-8)`,
    )
    .optional(),
  query_prepared: boundedString(Limits.urlLength).optional(),
  protocol: z.enum(['', Protocol.http, Protocol.grpc], { message: "must be 'http' or 'grpc'" }).optional(),
  wait_result: z.boolean().optional(),
  timeout_to_fail: seconds(Limits.timeoutToFailSeconds).optional(),
  request_timeout: seconds(Limits.requestTimeoutSeconds).optional(),
  retry_interval: seconds(Limits.retryIntervalSeconds).optional(),
  retry_limit: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .nonnegative('must not be negative')
    .max(Limits.retryLimit, `must be at most ${Limits.retryLimit}`)
    .optional(),
  branch_headers: branchHeadersSchema.optional(),
  passthrough_headers: z
    .array(headerName)
    .max(Limits.passthroughHeaders, `may name at most ${Limits.passthroughHeaders} headers`)
    .optional(),
  concurrent: z.boolean().optional(),
  rollback_reason: boundedString(Limits.rollbackReasonLength).optional(),
  /** workflow submit: how the client's run ended (`status`, `rollback_reason`, `result`). */
  req_extra: z.record(z.string(), z.string()).optional(),
});

/** The body as a client writes it. */
export type TransWire = z.input<typeof transBodySchema>;
/** The body as the coordinator reads it after validation. */
export type TransBody = z.output<typeof transBodySchema>;

/** A gid made locally, unique enough to never collide: DTM accepts any caller-chosen gid. */
export function localGid(): string {
  return randomUUID().replace(/-/g, '');
}
