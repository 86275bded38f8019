import type { GlobalStatus, OutcomeWord } from '../../common/protocol/vocabulary';
import type { BranchOutcome } from './records';

/**
 * What happened to a transaction, for its time line: every branch call the coordinator made (a saga
 * action, a compensation, a msg query-back, …) and every change of the global status. Events are facts
 * kept next to the transaction, at most EVENTS_KEPT of them (the newest).
 */
export type TransEvent = CallEvent | StatusEvent;

/** One call of a branch operation: when it started and ended and how its answer was read. */
export interface CallEvent {
  kind: 'call';
  branchId: string;
  op: string;
  start: Date;
  end: Date;
  outcome: OutcomeWord;
  /** 0 when no answer came (refused, timed out). */
  httpStatus: number;
  /** The start of the answer's text, for the time line's tooltip. */
  detail: string;
}

/** A move of the global status, written by the store together with the move itself. */
export interface StatusEvent {
  kind: 'status';
  at: Date;
  from: GlobalStatus;
  to: GlobalStatus;
  reason: string;
}

/** Events kept per transaction; older ones are dropped when a retry writes new ones. */
export const EVENTS_KEPT = 300;

/** Characters of a branch's answer kept in its call event. */
export const EVENT_DETAIL_CHARS = 200;

/** Branch outcomes and call events waiting to be written with a transaction's next write. */
export interface Progress {
  outcomes: BranchOutcome[];
  events: TransEvent[];
}

/** Whether there is nothing to write. */
export function isEmpty(p: Progress): boolean {
  return p.outcomes.length === 0 && p.events.length === 0;
}

/** An event as it is stored: its fields, with times in epoch milliseconds. */
export type StoredEvent = Record<string, string | number>;

/** The fields an event is stored with, for a store that encodes them itself (a Redis script). */
export function eventDoc(e: TransEvent): StoredEvent {
  if (e.kind === 'call') {
    return {
      kind: e.kind,
      branchId: e.branchId,
      op: e.op,
      start: e.start.getTime(),
      end: e.end.getTime(),
      outcome: e.outcome,
      httpStatus: e.httpStatus,
      detail: e.detail,
    };
  }
  return { kind: e.kind, at: e.at.getTime(), from: e.from, to: e.to, reason: e.reason };
}

/** The JSON an event is stored as: times in epoch milliseconds. */
export function eventToJson(e: TransEvent): string {
  return JSON.stringify(eventDoc(e));
}

/** Reads an event stored by `eventToJson`, or its fields as another JSON encoder wrote them. */
export function eventFromJson(text: string): TransEvent {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (raw.kind === 'call') {
    return { ...(raw as unknown as CallEvent), start: new Date(Number(raw.start)), end: new Date(Number(raw.end)) };
  }
  return { ...(raw as unknown as StatusEvent), at: new Date(Number(raw.at)) };
}

/** The event a store writes when it moves a status. */
export function statusEvent(at: Date, from: GlobalStatus, to: GlobalStatus, reason: string | undefined): StatusEvent {
  return { kind: 'status', at, from, to, reason: reason ?? '' };
}
