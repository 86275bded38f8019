import type { AxiosInstance } from 'axios';
import { UpstreamError } from '../errors';
import { pollUntil } from '../poll';
import { sharedClient } from './trans-base';

/** The part of a coordinator's query answer the SDK reads. */
export interface TransactionView {
  status: string;
  rollback_reason?: string;
}

/**
 * Reads a transaction's status from the coordinator (GET query, an admin endpoint: `headers` carry the
 * admin token when the coordinator has one).
 * @returns undefined when the coordinator does not know the gid.
 * @throws UpstreamError when the coordinator cannot be reached or refuses.
 */
export async function queryTransaction(
  dtm: string,
  gid: string,
  http: AxiosInstance = sharedClient(),
  headers: Record<string, string> = {},
): Promise<TransactionView | undefined> {
  const res = await http.get<string>(`${dtm}/query`, { params: { gid }, headers }).catch((err: unknown) => {
    throw new UpstreamError(`cannot reach the coordinator at ${dtm}: ${String(err)}`, { cause: err });
  });
  if (res.status !== 200) throw new UpstreamError(`query of ${gid} answered ${res.status}: ${res.data}`);
  const body = JSON.parse(res.data) as { transaction?: TransactionView | null };
  return body.transaction ?? undefined;
}

/**
 * Polls until the transaction is `succeed` or `failed`, or `timeoutMs` passes; returns the last view.
 */
export async function waitForFinish(
  dtm: string,
  gid: string,
  timeoutMs = 10_000,
  http?: AxiosInstance,
  headers: Record<string, string> = {},
): Promise<TransactionView | undefined> {
  return pollUntil(
    () => queryTransaction(dtm, gid, http, headers),
    (view) => view?.status === 'succeed' || view?.status === 'failed',
    timeoutMs,
  );
}

/** What a demo endpoint answers about its transaction: the gid, the outcome, and why it rolled back. */
export interface OutcomeAnswer {
  gid: string;
  status: string;
  rollback_reason: string | undefined;
}

/** Waits as `waitForFinish` does and answers the outcome; `unknown` when the coordinator could not say. */
export async function outcomeAnswer(
  dtm: string,
  gid: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<OutcomeAnswer> {
  const view = await waitForFinish(dtm, gid, timeoutMs, undefined, headers);
  return { gid, status: view?.status ?? 'unknown', rollback_reason: view?.rollback_reason };
}
