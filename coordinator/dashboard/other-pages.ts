import type { Subscriber } from '../service/topics';
import { html, page } from './html';

/** The topics of 2-phase messages: each with its subscribers, a form to subscribe, buttons to remove. */
export function topicsPage(topics: { topic: string; subscribers: Subscriber[] }[], notice?: string): string {
  const rows = topics.map(
    (t) =>
      html`<section class="topic" data-topic="${t.topic}">
        <h2>
          ${t.topic}
          <form method="post" action="/admin/topics/delete" class="inline">
            <input type="hidden" name="topic" value="${t.topic}" /><button type="submit" class="danger">
              delete topic
            </button>
          </form>
        </h2>
        <table>
          <thead>
            <tr>
              <th>subscriber url</th>
              <th>remark</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${t.subscribers.map(
              (s) =>
                html`<tr>
                  <td class="url">${s.url}</td>
                  <td>${s.remark}</td>
                  <td>
                    <form method="post" action="/admin/topics/unsubscribe" class="inline">
                      <input type="hidden" name="topic" value="${t.topic}" /><input
                        type="hidden"
                        name="url"
                        value="${s.url}"
                      />
                      <button type="submit">unsubscribe</button>
                    </form>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`,
  );
  return page(
    'Topics',
    'topics',
    html`<h1>Topics</h1>
      ${notice ? html`<p class="notice">${notice}</p>` : ''}
      <p>
        A 2-phase message step whose action is <code>topic://&lt;name&gt;</code> is delivered to every subscriber the
        topic has when the message is stored.
      </p>
      <form method="post" action="/admin/topics/subscribe" class="subscribe">
        <label>topic <input name="topic" required /></label>
        <label>url <input name="url" type="url" required size="50" /></label>
        <label>remark <input name="remark" /></label>
        <button type="submit">Subscribe</button>
      </form>
      ${rows.length > 0 ? rows : html`<p class="empty">no topics yet</p>`}`,
  );
}

/** The login form, shown when ADMIN_TOKEN is set and the browser has not logged in. */
export function loginPage(problem?: string): string {
  return page(
    'Log in',
    'login',
    html`<h1>Log in</h1>
      ${problem ? html`<p class="problem">${problem}</p>` : ''}
      <form method="post" action="/admin/login" class="login">
        <label>admin token <input name="token" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Log in</button>
      </form>
      <p>
        The token is the coordinator's <code>ADMIN_TOKEN</code>. Without one set, the dashboard is open to this machine
        only.
      </p>`,
  );
}

/** An error as a page: what went wrong, and a way on. */
export function errorPage(status: number, message: string): string {
  return page(
    `Error ${status}`,
    'transactions',
    html`<h1>${status === 401 ? 'Not allowed' : `Error ${status}`}</h1>
      <p class="problem">${message}</p>
      <p>
        ${status === 401 ? html`<a href="/admin/login">Log in with the admin token</a> · ` : ''}<a href="/admin"
          >Transactions</a
        >
      </p>`,
  );
}
