import { z } from 'zod';
import { gidSchema } from '../../common/protocol/trans-body';

/**
 * Request shapes of the coordinator API besides the transaction body (common/protocol/trans-body.ts),
 * with the protocol's field names. Unknown fields are ignored, as DTM ignores them.
 */

/**
 * registerBranch: DTM reads the body as a map of strings; the ids are common to every type, the rest
 * (tcc: confirm, cancel) is read by the branch's type.
 */
export const registerBranchSchema = z
  .object({
    gid: gidSchema,
    trans_type: z.string().min(1, 'is required'),
    branch_id: z.string().min(1, 'is required').max(128, 'is longer than 128 characters'),
    data: z.string().optional(),
  })
  .catchall(z.unknown());

/** Query of `query`, and body of `forceStop`: only the gid matters. */
export const gidOnlySchema = z.object({ gid: gidSchema });

export const listQuerySchema = z.object({
  position: z.string().regex(/^\d*$/, 'must be the next_position of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
