/**
 * The words of the DTM protocol, shared by the SDK, the coordinator and the examples: operations,
 * result words, how an answer is read, statuses and the fixed branch id of a message's local step.
 */

/**
 * How the coordinator calls a transaction's branches: HTTP (the default) or unary gRPC. As in DTM, a
 * branch URL starting with http:// or https:// is called over HTTP whatever the protocol.
 */
export const Protocol = { http: 'http', grpc: 'grpc' } as const;
export type ProtocolName = (typeof Protocol)[keyof typeof Protocol];

/** Operations a branch is called with; they travel in the `op` query parameter. */
export const Op = {
  action: 'action',
  compensate: 'compensate',
  try: 'try',
  confirm: 'confirm',
  cancel: 'cancel',
  commit: 'commit',
  rollback: 'rollback',
  msg: 'msg',
} as const;
export type OpName = (typeof Op)[keyof typeof Op];

/** Result words found in answers as `dtm_result`. */
export const DtmResult = { success: 'SUCCESS', failure: 'FAILURE', ongoing: 'ONGOING' } as const;
export type DtmResultWord = (typeof DtmResult)[keyof typeof DtmResult];

/** How the protocol reads an HTTP answer from a branch or from the coordinator. */
export const Outcome = { success: 'SUCCESS', failure: 'FAILURE', ongoing: 'ONGOING', error: 'ERROR' } as const;
export type OutcomeWord = (typeof Outcome)[keyof typeof Outcome];

/**
 * Classifies an answer exactly as DTM does: 425 or a body containing ONGOING is ongoing; 409 or a body
 * containing FAILURE is a failure; any other non-200 is an error to retry; a 200 is success.
 */
export function classifyAnswer(status: number, bodyText: string): OutcomeWord {
  if (status === 425 || bodyText.includes(DtmResult.ongoing)) return Outcome.ongoing;
  if (status === 409 || bodyText.includes(DtmResult.failure)) return Outcome.failure;
  if (status !== 200) return Outcome.error;
  return Outcome.success;
}

/** Statuses of a global transaction, with DTM's spelling. */
export const Status = {
  prepared: 'prepared',
  submitted: 'submitted',
  aborting: 'aborting',
  succeed: 'succeed',
  failed: 'failed',
} as const;
export type GlobalStatus = (typeof Status)[keyof typeof Status];

/** Statuses of one branch operation. */
export const BranchStatus = { prepared: 'prepared', succeed: 'succeed', failed: 'failed' } as const;
export type BranchStatusName = (typeof BranchStatus)[keyof typeof BranchStatus];

/** True once nothing more will happen to the transaction. */
export function isFinished(status: GlobalStatus): boolean {
  return status === Status.succeed || status === Status.failed;
}

/** The msg local step is recorded as branch `00`, op `msg`, barrier `01`, on both barrier stores. */
export const MSG_BRANCH_ID = '00';
export const MSG_BARRIER_ID = '01';

/** The coordinator calls a workflow's callback with branch id `00`, as it asks a message's query_prepared. */
export const WORKFLOW_CALLBACK_BRANCH_ID = '00';

/** An XA branch's action plants barrier `01` of op `action`; its rollback plants the same row (DTM XaBarrier1). */
export const XA_BARRIER_ID = '01';

/** Branch ids are two digits from 01, in the order the branches are added, as in DTM. */
export function branchIdOf(index: number): string {
  return String(index + 1).padStart(2, '0');
}

/** A msg step whose action is `topic://<name>` is delivered to every subscriber of the topic. */
export const TOPIC_PREFIX = 'topic://';
