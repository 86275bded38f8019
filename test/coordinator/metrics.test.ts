import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { BranchFailure, Saga } from '../../common';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';

/** The value of one sample of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0] ?? '';
    if (wanted.every((w) => labelText.includes(w))) return Number(line.split(' ').pop());
  }
  return undefined;
}

for (const store of STORES) {
  describe(`coordinator metrics (${store} store)`, () => {
    let fx: CoordinatorFixture;
    let api: ReturnType<typeof request>;
    before(async () => {
      fx = await startCoordinatorFixture(store);
      api = request(`http://127.0.0.1:${fx.coordinator.port}`);
    });
    after(async () => fx.close());

    const scrape = async () => {
      const res = await api.get('/api/metrics').expect(200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      return res.text;
    };

    it('counts requests, transactions and branches after some traffic, under DTM’s names', async function () {
      const before = await scrape();
      const submitted = (text: string) =>
        sample(text, 'dtm_server_process_total', { type: 'http', api: 'submit', status: 'ok' }) ?? 0;
      const sagas = (text: string, status: string) =>
        sample(text, 'dtm_transaction_process_total', { model: 'saga', status }) ?? 0;
      for (let i = 0; i < 3; i++) {
        await new Saga(fx.dtm, gidFor(`${this.test!.title}-${i}`))
          .add(`${fx.busi.url}/A`, `${fx.busi.url}/AR`, {})
          .withOptions({ waitResult: true })
          .submit();
      }
      fx.busi.script('Refuse', 409);
      await assert.rejects(
        new Saga(fx.dtm, gidFor(`${this.test!.title}-refused`))
          .add(`${fx.busi.url}/Refuse`, `${fx.busi.url}/RefuseR`, {})
          .withOptions({ waitResult: true })
          .submit(),
        BranchFailure,
      );
      await api.get('/api/dtmsvr/query?gid=nothing').expect(200);
      await api.get('/api/dtmsvr/all?status=bogus').expect(400);
      const after = await scrape();

      assert.equal(submitted(after) - submitted(before), 3, 'the failed wait_result submit counts as fail');
      assert.ok((sample(after, 'dtm_server_process_total', { api: 'submit', status: 'fail' }) ?? 0) >= 1);
      assert.ok((sample(after, 'dtm_server_process_total', { api: 'query', status: 'ok' }) ?? 0) >= 1);
      assert.ok((sample(after, 'dtm_server_process_total', { api: 'all', status: 'fail' }) ?? 0) >= 1);
      assert.ok((sample(after, 'dtm_server_response_duration_count', { type: 'http', api: 'submit' }) ?? 0) >= 4);
      assert.equal(sagas(after, 'ok') - sagas(before, 'ok'), 4, 'each pass that ends without an error counts ok');
      assert.ok(
        (sample(after, 'dtm_branch_process_total', {
          model: 'saga',
          branchid: '01',
          branchtype: 'action',
          status: 'ok',
        }) ?? 0) >= 3,
      );
      assert.ok(
        (sample(after, 'dtm_branch_process_total', {
          model: 'saga',
          branchid: '01',
          branchtype: 'action',
          status: 'fail',
        }) ?? 0) >= 1,
      );
      assert.ok((sample(after, 'dtm_transaction_handled_duration_count', { model: 'saga' }) ?? 0) >= 4);
      assert.equal(sample(after, 'dtm_server_info'), 1);
    });

    it('shows how many transactions are due and how late the oldest is', async function () {
      await fx.recover();
      fx.busi.script('Down', 500);
      await new Saga(fx.dtm, gidFor(this.test!.title)).add(`${fx.busi.url}/Down`, `${fx.busi.url}/DownR`, {}).submit();
      await fx.coordinator.service.drain();
      fx.clock.advance(120_000);
      const text = await scrape();
      assert.ok((sample(text, 'dtm_transactions_due') ?? 0) >= 1);
      assert.ok((sample(text, 'dtm_cron_lag_seconds') ?? 0) >= 60, 'due for over a minute');
      await fx.recover();
      assert.equal(sample(await scrape(), 'dtm_transactions_due'), 0);
    });

    it('exposes every metric the README documents', async () => {
      const readme = readFileSync('README.md', 'utf8');
      const documented = [...readme.matchAll(/^\| `(dtm_[a-z_]+)` \|/gm)].map((m) => m[1]!);
      assert.ok(documented.length >= 7, 'the README lists the metrics');
      const text = await scrape();
      for (const name of new Set(documented)) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    });
  });
}
