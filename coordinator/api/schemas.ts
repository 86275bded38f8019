import { z } from 'zod';

/**
 * Request bodies of the coordinator API with the protocol's field names. Unknown fields are ignored, as
 * DTM ignores them (clients send retry_count, op, …). Durations are whole seconds.
 */
const seconds = z.number().int('must be a whole number of seconds').nonnegative('must not be negative');
const count = z.number().int('must be a whole number').nonnegative('must not be negative');
const gid = z
  .string()
  .min(1, 'is required')
  .max(128, 'is longer than 128 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may hold letters, digits and _ . : - only');

export const transBodySchema = z.object({
  gid,
  trans_type: z.string().min(1, 'is required'),
  steps: z.array(z.record(z.string(), z.string())).optional(),
  payloads: z.array(z.string()).optional(),
  custom_data: z.string().optional(),
  query_prepared: z.string().optional(),
  protocol: z.enum(['', 'http'], { message: "only the 'http' protocol is supported" }).optional(),
  wait_result: z.boolean().optional(),
  timeout_to_fail: seconds.optional(),
  request_timeout: seconds.optional(),
  retry_interval: seconds.optional(),
  retry_limit: count.optional(),
  branch_headers: z.record(z.string(), z.string()).optional(),
  passthrough_headers: z.array(z.string()).optional(),
  concurrent: z.boolean().optional(),
  rollback_reason: z.string().optional(),
});
export type TransBody = z.infer<typeof transBodySchema>;

const url = z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');

export const registerBranchSchema = z.object({
  gid,
  trans_type: z.string().min(1, 'is required'),
  branch_id: z.string().min(1, 'is required').max(128),
  data: z.string().optional(),
  confirm: url,
  cancel: url,
});

/** Query of `query`, and body of `forceStop`: only the gid matters. */
export const gidOnlySchema = z.object({ gid });

export const listQuerySchema = z.object({
  position: z.string().regex(/^\d*$/, 'must be the next_position of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
