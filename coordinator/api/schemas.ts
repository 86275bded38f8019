import { z } from 'zod';
import { boundedString, gidSchema, Limits } from '../../common/protocol/trans-body';
import { Status, type GlobalStatus } from '../../common/protocol/vocabulary';
import type { ListRequest } from '../service/admin-service';
import { transTypeNames } from '../trans-types/registry';

/**
 * Request shapes of the coordinator API besides the transaction body (common/protocol/trans-body.ts),
 * with the protocol's field names. Unknown fields are ignored, as DTM ignores them. Every bound comes
 * from `Limits`.
 */

/**
 * registerBranch: DTM reads the body as a map of strings; the ids are common to every type, the rest
 * (tcc: confirm, cancel) is read by the branch's type.
 */
export const registerBranchSchema = z
  .object({
    gid: gidSchema,
    trans_type: z
      .string()
      .min(1, 'is required')
      .max(Limits.transTypeLength, `is longer than ${Limits.transTypeLength} characters`),
    branch_id: z
      .string()
      .min(1, 'is required')
      .max(Limits.branchIdLength, `is longer than ${Limits.branchIdLength} characters`),
    data: z.string().optional(),
  })
  .catchall(z.unknown());

/** Query of `query`, and body of `forceStop`: only the gid matters. */
export const gidOnlySchema = z.object({ gid: gidSchema });

export const listQuerySchema = z.object({
  position: z
    .string()
    .regex(/^\d*$/, 'must be the next_position of a previous page')
    .refine((p) => p === '' || Number(p) <= Limits.pagePosition, `must be at most ${Limits.pagePosition}`)
    .optional(),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(Limits.pageLimit, `must be at most ${Limits.pageLimit}`)
    .optional(),
});

/** subscribe and unsubscribe. */
export const subscribeQuerySchema = z.object({
  topic: boundedString(Limits.topicLength).default(''),
  url: boundedString(Limits.urlLength).default(''),
  remark: boundedString(Limits.remarkLength).default(''),
});

export const kvScanQuerySchema = listQuerySchema.extend({ cat: boundedString(Limits.kvCatLength).default('') });

export const kvQuerySchema = z.object({
  cat: boundedString(Limits.kvCatLength).default(''),
  key: boundedString(Limits.kvKeyLength).default(''),
});

/** An empty query parameter means "not given", as DTM's admin UI sends empty fields. */
const optionalParam = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** Epoch milliseconds, as DTM's admin UI sends createTimeStart and createTimeEnd. */
const epochMs = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a time in epoch milliseconds')
  .transform((v) => new Date(Number(v)));

const statusNames = Object.values(Status) as [GlobalStatus, ...GlobalStatus[]];

/** Query of `all`: DTM's filters; unknown values are refused rather than silently matching nothing. */
export const allQuerySchema = listQuerySchema.extend({
  gid: optionalParam(gidSchema),
  status: optionalParam(z.enum(statusNames, { message: `must be one of ${statusNames.join(', ')}` })),
  transType: optionalParam(
    z.string().refine((t) => transTypeNames.includes(t), `must be one of ${transTypeNames.join(', ')}`),
  ),
  createTimeStart: optionalParam(epochMs),
  createTimeEnd: optionalParam(epochMs),
});

/** A parsed `/all` query (the API's and the dashboard list's) as the admin service's list request. */
export function listRequestOf(q: z.infer<typeof allQuerySchema>, defaultLimit: number): ListRequest {
  return {
    gid: q.gid,
    filter: {
      status: q.status,
      transType: q.transType,
      createTimeStart: q.createTimeStart,
      createTimeEnd: q.createTimeEnd,
    },
    position: q.position ?? '',
    limit: q.limit ?? defaultLimit,
  };
}

/** Query of `resetCronTime`: seconds ahead of now (default 3 × the default timeout) and how many at most. */
export const resetCronTimeQuerySchema = z.object({
  timeout: optionalParam(
    z.coerce
      .number()
      .int('must be a whole number of seconds')
      .nonnegative('must not be negative')
      .max(3 * Limits.timeoutToFailSeconds),
  ),
  limit: optionalParam(z.coerce.number().int().min(1).max(1000)).default(100),
});
