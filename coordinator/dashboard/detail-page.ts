import { isFinished } from '../../common/protocol/vocabulary';
import type { TransEvent } from '../model/events';
import type { BranchRecord, GlobalRecord } from '../model/records';
import { badge, dataTable, html, page, timeTag, type Html } from './html';
import { transHref } from './list-page';
import { formatDuration, timeline } from './timeline';

export interface DetailView {
  g: GlobalRecord;
  branches: BranchRecord[];
  events: TransEvent[];
  now: Date;
  /** What an action just did, shown once. */
  notice?: string;
}

/** Header values that look like credentials are not shown (a screenshot must not leak them). */
const SECRET_NAME = /secret|token|authorization|password|cookie|key/i;

function maskHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_NAME.test(k) ? '***' : v]));
}

/** A payload as JSON pretty-printed when it is JSON, else as it came. */
export function decodePayload(data: string): string {
  if (data === '') return '';
  try {
    return JSON.stringify(JSON.parse(data), null, 2);
  } catch {
    return data;
  }
}

function fields(g: GlobalRecord, now: Date): Html {
  const due = g.nextCronTime.getTime() - now.getTime();
  const rows: [string, unknown][] = [
    ['type', g.transType],
    ['status', badge(g.status)],
    ['created', timeTag(g.createTime)],
    ['updated', timeTag(g.updateTime)],
    ['finished', timeTag(g.finishTime)],
    ['rolled back', timeTag(g.rollbackTime)],
    [
      'next cron time',
      isFinished(g.status)
        ? html`<span class="none">—</span>`
        : html`${timeTag(g.nextCronTime)} (${due > 0 ? `in ${formatDuration(due)}` : 'due now'}, interval
          ${formatDuration(g.nextCronIntervalMs)})`,
    ],
    ['retries after errors', g.retryCount],
    ['owner (cron lease)', g.owner || '—'],
    ['query_prepared', g.queryPrepared || '—'],
    ['custom_data', g.customData || '—'],
  ];
  return html`<dl class="fields">
    ${rows.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v}</dd>`,
    )}
  </dl>`;
}

function actions(g: GlobalRecord): Html {
  if (isFinished(g.status)) return html``;
  return html`<div class="actions">
    <form method="post" action="${transHref(g.gid)}/retry">
      <button type="submit" class="retry">Retry now</button>
      <span>makes it due at once; the cron loop picks it up within one interval</span>
    </form>
    <a class="button danger" href="${transHref(g.gid)}/stop">Force stop…</a>
  </div>`;
}

function branchTable(branches: BranchRecord[]): Html {
  const rows = branches.map((b) => {
    const payload = decodePayload(b.data);
    return html`<tr data-branch="${b.branchId}" data-op="${b.op}" data-status="${b.status}">
      <td>${b.branchId}</td>
      <td>${b.op}</td>
      <td>${badge(b.status)}</td>
      <td class="url">${b.url}</td>
      <td>${timeTag(b.createTime)}</td>
      <td>${timeTag(b.finishTime)}</td>
      <td>
        ${
          payload
            ? html`<details>
                <summary>payload</summary>
                <pre>${payload}</pre>
              </details>`
            : '—'
        }
      </td>
    </tr>`;
  });
  return dataTable(
    'branches',
    ['branch', 'op', 'status', 'url', 'created', 'finished', 'payload'],
    rows,
    'no branches',
  );
}

function eventLog(events: TransEvent[], createTime: Date): Html {
  const since = (at: Date) => `+${formatDuration(at.getTime() - createTime.getTime())}`;
  const rows = events.map((e) =>
    e.kind === 'call'
      ? html`<tr class="event-call">
          <td>${since(e.start)}</td>
          <td>${e.branchId} ${e.op}</td>
          <td class="outcome-${e.outcome}">${e.outcome}</td>
          <td>${e.httpStatus || '—'}</td>
          <td>${formatDuration(e.end.getTime() - e.start.getTime())}</td>
          <td class="detail">${e.detail}</td>
        </tr>`
      : html`<tr class="event-status">
          <td>${since(e.at)}</td>
          <td>status</td>
          <td>${e.from} → ${badge(e.to)}</td>
          <td></td>
          <td></td>
          <td class="detail">${e.reason}</td>
        </tr>`,
  );
  return dataTable(
    'events',
    ['at', 'what', 'outcome', 'HTTP', 'took', 'answer / reason'],
    rows,
    'no calls recorded yet',
  );
}

/** The part of the page the script refreshes while the transaction is unfinished. */
export function detailSection(view: DetailView): Html {
  const { g } = view;
  const options = { ...g.options, branch_headers: maskHeaders(g.options.branch_headers) };
  return html`<section id="detail" data-refresh="${isFinished(g.status) ? '' : 'detail'}">
    ${view.notice ? html`<p class="notice">${view.notice}</p>` : ''} ${actions(g)}
    ${
      g.rollbackReason
        ? html`<div class="rollback-reason">
            <h2>Rollback reason</h2>
            <p>${g.rollbackReason}</p>
          </div>`
        : ''
    }
    ${fields(g, view.now)}
    <h2>Time line</h2>
    ${timeline({ createTime: g.createTime, endTime: g.finishTime ?? g.rollbackTime ?? view.now, branches: view.branches, events: view.events })}
    <p class="legend">
      <span class="swatch outcome-SUCCESS"></span>success <span class="swatch outcome-FAILURE"></span>failure
      <span class="swatch outcome-ONGOING"></span>ongoing <span class="swatch outcome-ERROR"></span>error, retried;
      outlined: compensating op; lines: status changes
    </p>
    <h2>Branches</h2>
    ${branchTable(view.branches)}
    <h2>Options</h2>
    <pre class="options">${JSON.stringify(options, null, 2)}</pre>
    ${
      Object.keys(g.headers).length > 0
        ? html`<h2>Passthrough headers</h2>
            <pre>${JSON.stringify(maskHeaders(g.headers), null, 2)}</pre>`
        : ''
    }
    <h2>Calls and status changes</h2>
    ${eventLog(view.events, g.createTime)}
  </section>`;
}

/** A transaction's page: fields, actions, time line, branches with payloads, the event log. */
export function detailPage(view: DetailView): string {
  return page(
    view.g.gid,
    'transactions',
    html`<h1><a href="/admin">Transactions</a> / <span class="gid">${view.g.gid}</span></h1>
      ${detailSection(view)}`,
  );
}

/** The force-stop confirmation: says what forceStop does and what it does not undo. */
export function stopConfirmPage(g: GlobalRecord): string {
  return page(
    `Stop ${g.gid}`,
    'transactions',
    html`<h1>Force stop <span class="gid">${g.gid}</span>?</h1>
      <div class="warning">
        <p>
          The ${g.transType} transaction is <strong>${g.status}</strong>. Force stop marks it <strong>failed</strong> at
          once and calls nothing more: no further action, compensation, confirm, cancel or message step runs.
        </p>
        <p>
          Whatever its branches already did stays done. A 2-phase message whose local step already committed will never
          deliver its steps (the flash sale's unit of stock stays taken without an order);
          <code>npm run check</code> reports such a half-applied transaction.
        </p>
      </div>
      <form method="post" action="${transHref(g.gid)}/stop" class="confirm">
        <label><input type="checkbox" name="confirm" value="yes" required /> I understand; stop it</label>
        <button type="submit" class="danger">Force stop</button>
        <a href="${transHref(g.gid)}">cancel</a>
      </form>`,
  );
}
