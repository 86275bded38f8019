import { Status } from '../../common/protocol/vocabulary';
import type { GlobalRecord } from '../model/records';
import type { GlobalPage } from '../storage/store';
import type { Demo } from './demos';
import { badge, html, Html, page, timeTag } from './html';

/** The list's filters as the form sends them (DTM's `all` parameters), kept to refill the form. */
export interface ListFilters {
  gid?: string;
  status?: string;
  transType?: string;
  createTimeStart?: string;
  createTimeEnd?: string;
  position?: string;
}

export interface ListView {
  filters: ListFilters;
  page: GlobalPage;
  transTypes: readonly string[];
  demos: readonly Demo[];
}

/** The link to a transaction's page. */
export function transHref(gid: string): string {
  return `/admin/trans/${encodeURIComponent(gid)}`;
}

function query(filters: ListFilters): string {
  const given = Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return new URLSearchParams(given).toString();
}

function row(g: GlobalRecord): Html {
  return html`<tr data-gid="${g.gid}" data-status="${g.status}">
    <td class="gid"><a href="${transHref(g.gid)}">${g.gid}</a></td>
    <td>${g.transType}</td>
    <td>${badge(g.status)}</td>
    <td>${timeTag(g.createTime)}</td>
    <td>${timeTag(g.updateTime)}</td>
    <td class="reason">${g.rollbackReason.length > 90 ? `${g.rollbackReason.slice(0, 90)}…` : g.rollbackReason}</td>
  </tr>`;
}

/** The table and its paging: the part the page script refreshes. */
export function listSection(view: ListView): Html {
  const { transactions, nextPosition } = view.page;
  const next = nextPosition ? `/admin?${query({ ...view.filters, position: nextPosition })}` : '';
  return html`<section id="list" data-refresh="${view.filters.position ? '' : 'list'}">
    <table class="transactions">
      <thead>
        <tr>
          <th>gid</th>
          <th>type</th>
          <th>status</th>
          <th>created</th>
          <th>updated</th>
          <th>rollback reason</th>
        </tr>
      </thead>
      <tbody>
        ${
          transactions.length > 0
            ? transactions.map(row)
            : html`<tr>
                <td colspan="6" class="empty">no transactions match</td>
              </tr>`
        }
      </tbody>
    </table>
    <p class="paging">
      ${view.filters.position ? html`<a href="/admin?${query({ ...view.filters, position: undefined })}">← newest</a>` : ''}
      ${next ? html`<a class="next" href="${next}">next page →</a>` : ''}
    </p>
  </section>`;
}

function filterForm(view: ListView): Html {
  const f = view.filters;
  const option = (value: string, chosen: string | undefined) =>
    html`<option value="${value}" ${value === chosen ? new Html('selected') : ''}>${value || 'any'}</option>`;
  return html`<form class="filters" method="get" action="/admin">
    <label>gid <input name="gid" value="${f.gid ?? ''}" placeholder="exact gid" /></label>
    <label
      >status
      <select name="status">
        ${['', ...Object.values(Status)].map((s) => option(s, f.status))}
      </select></label
    >
    <label
      >type
      <select name="transType">
        ${['', ...view.transTypes].map((t) => option(t, f.transType))}
      </select></label
    >
    <label>created from <input type="datetime-local" step="1" data-ms="createTimeStart" /></label>
    <label>to <input type="datetime-local" step="1" data-ms="createTimeEnd" /></label>
    <input type="hidden" name="createTimeStart" value="${f.createTimeStart ?? ''}" />
    <input type="hidden" name="createTimeEnd" value="${f.createTimeEnd ?? ''}" />
    <button type="submit">Filter</button>
    <a href="/admin">clear</a>
  </form>`;
}

function demoPanel(demos: readonly Demo[]): Html {
  return html`<section class="demos">
    <h2>Try a story</h2>
    <p>Each button runs one of the examples and opens the transaction it started.</p>
    ${demos.map(
      (d) =>
        html`<form method="post" action="/admin/demo/${d.name}">
          <button type="submit" name="demo" value="${d.name}">${d.name}</button> <span>${d.caption}</span>
        </form>`,
    )}
  </section>`;
}

/** The transactions page: filters, the newest-first table (refreshed every second), the demo panel. */
export function listPage(view: ListView): string {
  return page(
    'Transactions',
    'transactions',
    html`<h1>Transactions</h1>
      ${filterForm(view)}
      <div class="columns">${listSection(view)} ${demoPanel(view.demos)}</div>`,
  );
}
