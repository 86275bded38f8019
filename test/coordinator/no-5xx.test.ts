import assert from 'node:assert/strict';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { STORES, testConfig } from '../helpers/test-env';
import { dropStoreConnections } from '../helpers/store-faults';
import { queryTrans } from '../helpers/wait';

const WORKERS = 32;
const ROUNDS = 8;

for (const store of STORES) {
  describe(`no 5xx under load (${store} store)`, function () {
    this.timeout(120_000);
    let fx: CoordinatorFixture;
    before(async () => {
      fx = await startCoordinatorFixture(store);
    });
    after(async () => fx.close());

    it(`${WORKERS} clients submit sagas and msgs while the cron runs and the store connections drop: no 5xx, all succeed`, async function () {
      const base = gidFor(this.test!.title);
      const busi = fx.busi.url;
      const statuses = new Map<number, number>();
      const gids: string[] = [];
      const post = async (op: string, body: object) => {
        const res = await fetch(`${fx.dtm}/${op}`, { method: 'POST', body: JSON.stringify(body) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) assert.fail(`${op} answered ${res.status}: ${await res.text()}`);
      };
      const steps = [
        { action: `${busi}/TransOut`, compensate: `${busi}/TransOutRevert` },
        { action: `${busi}/TransIn`, compensate: `${busi}/TransInRevert` },
      ];
      const worker = async (w: number) => {
        for (let r = 0; r < ROUNDS; r++) {
          const gid = `${base}-${w}-${r}`;
          gids.push(gid);
          const common = { gid, steps, payloads: ['{}', '{}'], wait_result: true };
          if (r % 2 === 0) {
            await post('submit', { ...common, trans_type: 'saga' });
          } else {
            const msg = { ...common, trans_type: 'msg', steps: steps.map((s) => ({ action: s.action })) };
            await post('prepare', { ...msg, query_prepared: `${busi}/QueryPrepared` });
            await post('submit', msg);
          }
        }
      };
      let loading = true;
      const cron = (async () => {
        while (loading) await fx.coordinator.cron.runUntilIdle(50);
      })();
      const drops = (async () => {
        for (let i = 0; i < 3 && loading; i++) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          await dropStoreConnections(testConfig(store));
        }
      })();
      try {
        await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      } finally {
        loading = false;
        await Promise.all([cron, drops]);
      }
      await fx.recover();
      const unfinished: string[] = [];
      for (const gid of gids) {
        const answer = await queryTrans(fx.dtm, gid);
        if (answer.transaction?.status !== 'succeed') unfinished.push(`${gid}: ${answer.transaction?.status}`);
      }
      assert.deepEqual(unfinished, [], `answers by status: ${JSON.stringify([...statuses])}`);
    });
  });
}
