import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Protocol } from './vocabulary';

/**
 * The transaction body of prepare, submit and abort, with the protocol's field names: the one
 * description the SDK writes and the coordinator reads. Unknown fields are ignored, as DTM ignores them.
 * Durations are whole seconds; each number has a range so that every accepted value can be stored and
 * scheduled (docs/errors.md lists them).
 */

/** Limits of the fields, stated once for the schema, the error messages and docs/errors.md. */
export const Limits = {
  gidLength: 128,
  urlLength: 1024,
  customDataLength: 65_535,
  timeoutToFailSeconds: 30 * 24 * 3600,
  requestTimeoutSeconds: 600,
  retryIntervalSeconds: 24 * 3600,
  retryLimit: 10_000,
  msgDelaySeconds: 30 * 24 * 3600,
  headerValueLength: 4096,
} as const;

const seconds = (max: number) =>
  z
    .number()
    .int('must be a whole number of seconds')
    .nonnegative('must not be negative')
    .max(max, `must be at most ${max} seconds`);

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
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const branchHeadersSchema = z.record(
  z.string().regex(headerName, 'header names must be HTTP tokens'),
  z
    .string()
    .max(Limits.headerValueLength, `header values must be at most ${Limits.headerValueLength} characters`)
    .regex(/^[^\r\n\0]*$/, 'header values must not contain CR, LF or NUL'),
);

export const transBodySchema = z.object({
  gid: gidSchema,
  trans_type: z.string().min(1, 'is required').max(45),
  steps: z.array(z.record(z.string(), z.string())).optional(),
  payloads: z.array(z.string()).optional(),
  custom_data: z
    .string()
    .max(Limits.customDataLength, `is longer than ${Limits.customDataLength} characters`)
    .optional(),
  query_prepared: z.string().max(Limits.urlLength, `is longer than ${Limits.urlLength} characters`).optional(),
  protocol: z.enum(['', Protocol.http, Protocol.grpc], { message: "must be 'http' or 'grpc'" }).optional(),
  wait_result: z.boolean().optional(),
  timeout_to_fail: seconds(Limits.timeoutToFailSeconds).optional(),
  request_timeout: seconds(Limits.requestTimeoutSeconds).optional(),
  retry_interval: seconds(Limits.retryIntervalSeconds).optional(),
  retry_limit: z
    .number()
    .int('must be a whole number')
    .nonnegative('must not be negative')
    .max(Limits.retryLimit, `must be at most ${Limits.retryLimit}`)
    .optional(),
  branch_headers: branchHeadersSchema.optional(),
  passthrough_headers: z.array(z.string().regex(headerName, 'must be HTTP header names')).optional(),
  concurrent: z.boolean().optional(),
  rollback_reason: z.string().optional(),
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
