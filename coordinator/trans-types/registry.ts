import { InvalidInput } from '../../common/errors';
import { msgType } from './msg';
import { sagaType } from './saga';
import { tccType } from './tcc';
import type { TransType } from './trans-type';
import { workflowType } from './workflow';
import { xaType } from './xa';

/** Every transaction type the coordinator runs. Adding one is a file plus a line here. */
const TRANS_TYPES: ReadonlyMap<string, TransType> = new Map(
  [sagaType, msgType, tccType, xaType, workflowType].map((t) => [t.name, t]),
);

/** Names of the supported types, for messages and docs. */
export const transTypeNames = [...TRANS_TYPES.keys()];

/**
 * @throws InvalidInput naming `trans_type` when the type is unknown.
 */
export function transTypeOf(name: string): TransType {
  const type = TRANS_TYPES.get(name);
  if (!type)
    throw new InvalidInput(`trans_type '${name}' is not supported; use one of: ${transTypeNames.join(', ')}`, {
      field: 'trans_type',
    });
  return type;
}
