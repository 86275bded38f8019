import { IllegalTransition } from '../../common/errors';
import { Status, type GlobalStatus } from '../../common/protocol/vocabulary';

/**
 * Every legal move. `failed` is reachable from every unfinished status because forceStop may end any
 * transaction; the type processors only take the moves of their own protocol. `prepared` → `succeed`
 * is a workflow's: its client ran every branch itself and reports the end at submit.
 */
const LEGAL: Record<GlobalStatus, readonly GlobalStatus[]> = {
  prepared: [Status.submitted, Status.aborting, Status.succeed, Status.failed],
  submitted: [Status.succeed, Status.aborting, Status.failed],
  aborting: [Status.failed],
  succeed: [],
  failed: [],
};

/** Whether `from` may move to `to`. */
export function canMove(from: GlobalStatus, to: GlobalStatus): boolean {
  return LEGAL[from].includes(to);
}

/**
 * @throws IllegalTransition naming both statuses when the move is not allowed.
 */
export function assertMove(gid: string, from: GlobalStatus, to: GlobalStatus): void {
  if (!canMove(from, to)) throw new IllegalTransition(`transaction ${gid} is '${from}' and cannot become '${to}'`);
}
