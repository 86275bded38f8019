import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Saga } from '../../common';
import { FORCE_STOP_REASON } from '../../coordinator/service/trans-service';
import { launchBrowser, TEST_OUTPUT, type TestBrowser } from '../helpers/browser';
import { gidFor, startCoordinatorFixture, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { startExamplesFixture, type ExamplesFixture } from '../helpers/examples-fixture';
import { STORES } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

const TOKEN = 'dashboard-test-token-0123456789';

/** The dashboard in a real Chromium, against the coordinator and the examples, on both stores. */
for (const store of STORES) {
  describe(`dashboard in Chromium (${store} store)`, function () {
    this.timeout(60_000);
    let ex: ExamplesFixture;
    let browser: TestBrowser;
    let page: Page;
    let admin: string;
    before(async () => {
      ex = await startExamplesFixture({}, false, store);
      browser = await launchBrowser();
      page = await browser.context.newPage();
      page.setDefaultTimeout(15_000);
      admin = `http://127.0.0.1:${ex.fx.coordinator.port}/admin`;
    });
    after(async () => {
      await browser?.close();
      await ex?.close();
    });
    afterEach(() => ex.fx.busi.clearScripts());

    const fire = async (path: string) => {
      const res = await fetch(`${ex.base}${path}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { gid: string }).gid;
    };
    const rows = () => page.locator('#list tr[data-gid]');
    const statusOf = async (gid: string) => (await ex.fx.coordinator.store.findGlobal(gid))?.status;
    /** A saga whose only action answered 500 once: waiting for its retry, backed off. */
    const backedOffSaga = async (fx: CoordinatorFixture, gid: string) => {
      fx.busi.script(`Flaky-${gid}`, 500);
      await new Saga(fx.dtm, gid).add(`${fx.busi.url}/Flaky-${gid}`, `${fx.busi.url}/FlakyRevert`, {}).submit();
      await fx.coordinator.service.drain();
      const g = await fx.coordinator.store.findGlobal(gid);
      assert.ok(g && g.nextCronTime.getTime() > fx.clock.now().getTime(), 'backed off');
    };

    it('lists a saga fired through the examples within 2 s, without a reload', async () => {
      await page.goto(admin);
      const gid = await fire('/api/fireSucceed');
      await page.locator(`#list tr[data-gid="${gid}"]`).waitFor({ timeout: 2000 });
      assert.equal(await page.locator(`#list tr[data-gid="${gid}"]`).getAttribute('data-status'), 'succeed');
    });

    it('narrows the list by status, gid and creation time', async () => {
      const succeeded = await fire('/api/fireSucceed');
      const failed = await fire('/api/fireFailed');
      await page.goto(admin);
      await page.selectOption('select[name=status]', 'failed');
      await page.click('form.filters button[type=submit]');
      await page.waitForURL(/status=failed/);
      const statuses = await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
      assert.ok(statuses.length > 0 && statuses.every((s) => s === 'failed'), statuses.join());
      assert.equal(await page.locator(`#list tr[data-gid="${failed}"]`).count(), 1);
      assert.equal(await page.locator(`#list tr[data-gid="${succeeded}"]`).count(), 0);

      await page.goto(admin);
      await page.fill('input[name=gid]', succeeded);
      await page.click('form.filters button[type=submit]');
      await page.waitForURL(/gid=/);
      assert.deepEqual(await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-gid'))), [succeeded]);

      // The date pickers take the browser's local time; an hour ago as the end leaves nothing.
      await page.goto(admin);
      // A string, so the test runner's transpiler adds no helper the page does not have.
      const hourAgo = await page.evaluate<string>(`(() => {
        const d = new Date(Date.now() - 3600000);
        return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
      })()`);
      await page.fill('input[data-ms=createTimeEnd]', hourAgo);
      await page.click('form.filters button[type=submit]');
      await page.waitForURL(/createTimeEnd=\d+/);
      assert.equal(await page.locator(`#list tr[data-gid="${succeeded}"]`).count(), 0);
      assert.equal(await page.locator('#list td.empty').count(), 1);
    });

    it('shows the branches, the rollback reason and one time-line lane per branch of fireFailed', async () => {
      const gid = await fire('/api/fireFailed');
      await page.goto(`${admin}/trans/${encodeURIComponent(gid)}`);
      assert.match((await page.locator('.rollback-reason').textContent()) ?? '', /stockDeduct.*FAILURE/s);
      const branch = (id: string, op: string) =>
        page.locator(`table.branches tr[data-branch="${id}"][data-op="${op}"]`);
      assert.equal(await branch('01', 'action').getAttribute('data-status'), 'succeed');
      assert.equal(await branch('02', 'action').getAttribute('data-status'), 'failed');
      assert.equal(await branch('02', 'compensate').getAttribute('data-status'), 'succeed');
      assert.equal(await branch('01', 'compensate').getAttribute('data-status'), 'succeed');
      assert.equal(await branch('03', 'action').getAttribute('data-status'), 'prepared');
      await branch('02', 'action').locator('summary').click();
      assert.match((await branch('02', 'action').locator('pre').textContent()) ?? '', /"product_count": 1000/);

      const ids = await page
        .locator('table.branches tr[data-branch]')
        .evaluateAll((trs) => [...new Set(trs.map((tr) => tr.getAttribute('data-branch')))]);
      const lanes = await page
        .locator('svg.timeline g.lane')
        .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-branch')));
      assert.deepEqual(lanes, ids, 'one lane per branch, in branch order');
      assert.equal(lanes.length, 4);
      assert.equal(await page.locator('svg.timeline g.lane[data-branch="02"] rect.outcome-FAILURE').count(), 1);
      assert.equal(await page.locator('svg.timeline g.lane[data-branch="02"] rect.op-compensate').count(), 1);
      assert.equal(await page.locator('svg.timeline g.lane[data-branch="04"] rect.call').count(), 0);
      for (const to of ['aborting', 'failed']) {
        assert.equal(await page.locator(`svg.timeline g.status-change[data-to="${to}"]`).count(), 1, to);
      }
      await page.screenshot({ path: join(TEST_OUTPUT, `dashboard-detail-${store}.png`), fullPage: true });
    });

    it('"retry now" brings a backed-off transaction forward', async function () {
      const gid = gidFor(this.test!.title);
      await ex.fx.coordinator.cron.runUntilIdle();
      await backedOffSaga(ex.fx, gid);
      await page.goto(`${admin}/trans/${encodeURIComponent(gid)}`);
      await page.click('button.retry');
      await page.waitForURL(/notice=retry/);
      assert.match((await page.locator('.notice').textContent()) ?? '', /due now/);
      const g = await ex.fx.coordinator.store.findGlobal(gid);
      assert.ok(g && g.nextCronTime.getTime() <= ex.fx.clock.now().getTime(), 'due now');
      assert.equal(await ex.fx.coordinator.cron.runOnce(), gid, 'the cron loop takes it without waiting');
      assert.equal(await statusOf(gid), 'succeed');
      // The page refreshes itself while the transaction is unfinished.
      await page.locator('dl.fields .badge.status-succeed').waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('svg.timeline g.lane[data-branch="01"] rect.call').count(), 2, 'both attempts');
    });

    it('runs a story from the demo panel and opens its transaction', async () => {
      await page.goto(admin);
      await page.click('.demos button[value="fireSucceed"]');
      await page.waitForURL(/\/admin\/trans\/gid-ord-/, { timeout: 20_000 });
      assert.equal(await page.locator('dl.fields .badge').textContent(), 'succeed');
      const gid = decodeURIComponent(page.url().split('/trans/')[1] ?? '');
      assert.equal(await statusOf(gid), 'succeed');
      await page.goto(admin);
      await page.locator(`#list tr[data-gid="${gid}"]`).waitFor();
      await page.screenshot({ path: join(TEST_OUTPUT, `dashboard-list-${store}.png`) });
    });

    it('force stop needs the admin token when ADMIN_TOKEN is set, and is refused without it', async function () {
      const fx = await startCoordinatorFixture(store, { ADMIN_TOKEN: TOKEN });
      const guarded = `http://127.0.0.1:${fx.coordinator.port}/admin`;
      const tab = await browser.context.newPage();
      tab.setDefaultTimeout(15_000);
      try {
        const gid = gidFor(this.test!.title);
        await backedOffSaga(fx, gid);
        const detail = `${guarded}/trans/${encodeURIComponent(gid)}`;
        await tab.goto(detail);
        assert.match(tab.url(), /\/admin\/login$/, 'pages send a browser without the token to the login');
        const refused = await tab.evaluate(async (url) => {
          const res = await fetch(`${url}/stop`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'confirm=yes',
          });
          return res.status;
        }, detail);
        assert.equal(refused, 401);
        assert.equal((await fx.coordinator.store.findGlobal(gid))?.status, 'submitted', 'nothing stopped');

        await tab.fill('input[name=token]', 'not-the-token-0123456789');
        await tab.click('form.login button');
        assert.match((await tab.locator('.problem').textContent()) ?? '', /not the admin token/);
        await tab.fill('input[name=token]', TOKEN);
        await tab.click('form.login button');
        await tab.waitForURL(/\/admin$/);

        await tab.goto(detail);
        await tab.click('a.button.danger');
        await tab.waitForURL(/\/stop$/);
        assert.match((await tab.locator('.warning').textContent()) ?? '', /half-applied/);
        await tab.check('input[name=confirm]');
        await tab.click('form.confirm button.danger');
        await tab.waitForURL(/notice=stopped/);
        const stopped = await waitFor('the stop', async () => {
          const g = await fx.coordinator.store.findGlobal(gid);
          return g?.status === 'failed' ? g : undefined;
        });
        assert.equal(stopped.rollbackReason, FORCE_STOP_REASON);
        await tab.click('form.logout button');
        // Closing the tab while the logout's redirect is under way can stall Chromium; let it land.
        await tab.waitForURL(/\/admin\/login$/);
      } finally {
        await tab.close();
        await fx.close();
      }
    });
  });
}
