/**
 * Server-side HTML for the dashboard: a tagged template that escapes every interpolated value unless it
 * is HTML built by the same template, and the page frame shared by every page.
 */

/** HTML that is safe to insert as is (it was built by `html`). */
export class Html {
  constructor(readonly text: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<td>${text}</td>\``: text is escaped, nested `html` fragments and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** A time as the dashboard prints it (UTC, milliseconds); the page script shows it in local time. */
export function timeTag(at: Date | null | undefined): Html {
  if (!at) return html`<span class="none">—</span>`;
  const iso = at.toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace('Z', ' UTC')}</time>`;
}

/** A table with a header row, its rows, and `empty` in one wide cell when there are none. */
export function dataTable(className: string, headers: readonly string[], rows: readonly Html[], empty: string): Html {
  return html`<table class="${className}">
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${
        rows.length > 0
          ? rows
          : html`<tr>
              <td colspan="${headers.length}" class="empty">${empty}</td>
            </tr>`
      }
    </tbody>
  </table>`;
}

/** A status word as a coloured badge. */
export function badge(status: string): Html {
  return html`<span class="badge status-${status}">${status}</span>`;
}

export type Section = 'transactions' | 'topics' | 'login';

/** The whole page: head, navigation, the section's body. */
export function page(title: string, section: Section, body: Html): string {
  const link = (href: string, name: Section, label: string) =>
    html`<a href="${href}" class="${name === section ? 'current' : ''}">${label}</a>`;
  return `<!doctype html>${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · dtm-ts dashboard</title>
        <link rel="stylesheet" href="/admin/static/dashboard.css" />
        <script type="module" src="/admin/static/dashboard.js"></script>
      </head>
      <body>
        <header>
          <a class="brand" href="/admin">dtm-ts</a>
          <nav>${link('/admin', 'transactions', 'Transactions')} ${link('/admin/topics', 'topics', 'Topics')}</nav>
          <form method="post" action="/admin/logout" class="logout"><button type="submit">Log out</button></form>
        </header>
        <main>${body}</main>
      </body>
    </html>`.text
  }`;
}
