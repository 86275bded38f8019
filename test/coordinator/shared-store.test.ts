import assert from 'node:assert/strict';
import { Saga } from '../../common';
import { startCoordinator, type Coordinator } from '../../coordinator/coordinator';
import { BusiServer } from '../helpers/busi-server';
import { TestClock } from '../helpers/clock';
import { gidFor } from '../helpers/coordinator-fixture';
import { STORES, testConfig, testLogger } from '../helpers/test-env';
import { queryTrans } from '../helpers/wait';

for (const store of STORES) {
  describe(`two coordinators on one ${store} store`, function () {
    this.timeout(30_000);
    const clock = new TestClock();
    let busi: BusiServer;
    let first: Coordinator;
    let second: Coordinator;

    before(async () => {
      busi = await new BusiServer().start();
      const conf = testConfig(store, { REQUEST_TIMEOUT_MS: '2000' });
      first = await startCoordinator(conf, testLogger('coordinator-1'), {
        port: 0,
        grpcPort: 0,
        autoCron: false,
        clock: clock.now,
      });
      second = await startCoordinator(conf, testLogger('coordinator-2'), {
        port: 0,
        grpcPort: 0,
        autoCron: false,
        clock: clock.now,
      });
    });
    after(async () => {
      await busi.close();
      await Promise.all([first.close(), second.close()]);
    });

    it('recover a backlog together, each transaction by one of them', async function () {
      const gids = Array.from({ length: 20 }, (_, i) => gidFor(`${this.test!.title}-${i}`));
      busi.script('Flaky', ...gids.map(() => 500));
      for (const gid of gids)
        await new Saga(first.url, gid).add(`${busi.url}/Flaky`, `${busi.url}/FlakyRevert`, {}).submit();
      await first.service.drain();
      clock.advance(60_000);
      const [byFirst, bySecond] = await Promise.all([first.cron.runUntilIdle(100), second.cron.runUntilIdle(100)]);
      const mine = (list: string[]) => list.filter((g) => gids.includes(g));
      assert.equal(
        mine(byFirst).length + mine(bySecond).length,
        gids.length,
        'every transaction was leased exactly once',
      );
      assert.equal(new Set([...mine(byFirst), ...mine(bySecond)]).size, gids.length);
      for (const gid of gids) {
        assert.equal((await queryTrans(first.url, gid)).transaction?.status, 'succeed');
        assert.equal(
          busi.calls.filter((c) => c.query.gid === gid).length,
          2,
          `${gid}: one failed call, one recovery call`,
        );
      }
    });
  });
}
