import type { z } from 'zod';
import { BranchFailure, InvalidInput } from '../errors';

/**
 * Who sent the input decides the answer to bad input: a caller of a public or coordinator endpoint gets
 * 400, while the coordinator calling a branch gets 409 FAILURE, because it retries every other non-200
 * answer forever.
 */
export type InputRole = 'public' | 'branch';

/** Formats a zod issue path the way a reader writes it: `branches[1].action`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc === '' ? String(part) : `${acc}.${String(part)}`;
  }, '');
}

/** A bad key of a record (a header name) says what is wrong with it, not only that it is bad. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues[0]) return issue.issues[0].message;
  return issue.message;
}

/**
 * Validates `value` against `schema`.
 * @throws InvalidInput (role `public`) or BranchFailure (role `branch`) naming the first bad field.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  role: InputRole,
  what = 'body',
): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = formatPath(issue?.path ?? []) || what;
  const message = `${what} field '${field}': ${issue ? messageOf(issue) : 'invalid'}`;
  throw role === 'public' ? new InvalidInput(message, { field }) : new BranchFailure(message, { field });
}
