import { z } from 'zod';

/**
 * The SQL type of a request field that an application writes into MySQL, with the columns it lands in.
 * One declaration gives both the field's validation (nothing that a column would refuse is accepted,
 * so a branch never fails for ever on "Out of range value") and what a test compares with
 * information_schema, so the schema file and the validation cannot drift apart.
 */
export type SqlType =
  { kind: 'int' } | { kind: 'varchar'; length: number } | { kind: 'decimal'; precision: number; scale: number };

export interface SqlField {
  type: SqlType;
  /** `table.column` for every column the field is written to. */
  columns: readonly string[];
}

/** MySQL's signed `int`. */
export const SQL_INT_MAX = 2_147_483_647;
export const SQL_INT_MIN = -2_147_483_648;

/** The largest value of a `decimal(precision, scale)`. */
export function decimalMax(type: { precision: number; scale: number }): number {
  return Number((10 ** (type.precision - type.scale) - 10 ** -type.scale).toFixed(type.scale));
}

const mustBeNumber = { message: 'must be a number' };

/**
 * A whole number from `min` that fits the field's `int` columns (and `max`, a business cap, if lower).
 * `coerce` reads it from a query string.
 */
export function intField(field: SqlField, min: number, options: { max?: number; coerce?: boolean } = {}) {
  if (field.type.kind !== 'int') throw new Error(`${field.columns.join(', ')} is not an int column`);
  const max = Math.min(options.max ?? SQL_INT_MAX, SQL_INT_MAX);
  const base = options.coerce ? z.coerce.number(mustBeNumber) : z.number(mustBeNumber);
  return base
    .int('must be a whole number')
    .min(Math.max(min, SQL_INT_MIN), `must be at least ${min}`)
    .max(max, `must be at most ${max}${max === SQL_INT_MAX ? ` (the range of ${field.columns[0]})` : ''}`);
}

/** A positive number that fits the field's `decimal` columns. */
export function decimalField(field: SqlField) {
  if (field.type.kind !== 'decimal') throw new Error(`${field.columns.join(', ')} is not a decimal column`);
  const max = decimalMax(field.type);
  return z
    .number(mustBeNumber)
    .positive('must be positive')
    .max(max, `must be at most ${max} (the range of ${field.columns[0]})`);
}

/** A string that fits the field's `varchar` columns, made of `pattern` (described in `what`). */
export function varcharField(field: SqlField, pattern: RegExp, what: string) {
  if (field.type.kind !== 'varchar') throw new Error(`${field.columns.join(', ')} is not a varchar column`);
  const { length } = field.type;
  return z
    .string({ message: 'must be a string' })
    .min(1, 'is required')
    .max(length, `must be at most ${length} characters (${field.columns[0]})`)
    .regex(pattern, `must be ${what}`);
}
