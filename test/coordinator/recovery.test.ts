import assert from 'node:assert/strict';
import { Saga } from '../../common';
import { BusiServer } from '../helpers/busi-server';
import { gidFor } from '../helpers/coordinator-fixture';
import { freePort, ServiceProcess } from '../helpers/processes';
import { STORES, testEnv } from '../helpers/test-env';
import { branchStatuses, waitFor, waitForStatus } from '../helpers/wait';

for (const store of STORES) {
  describe(`coordinator crash recovery (${store} store)`, function () {
    this.timeout(60_000);
    let busi: BusiServer;
    let coordinator: ServiceProcess;
    let dtm: string;

    before(async () => {
      busi = await new BusiServer().start();
      const port = await freePort();
      dtm = `http://127.0.0.1:${port}/api/dtmsvr`;
      coordinator = new ServiceProcess(
        'coordinator/main.ts',
        { ...testEnv, COORDINATOR_STORE: store, COORDINATOR_PORT: String(port), RETRY_INTERVAL_MS: '1000', CRON_INTERVAL_MS: '100', REQUEST_TIMEOUT_MS: '30000' },
        `${dtm}/health`,
      );
      await coordinator.start();
    });
    after(async () => {
      await coordinator.stop();
      await busi.close();
    });

    it('finishes a saga after the coordinator is SIGKILLed in the middle of it', async function () {
      const gid = gidFor(this.test!.title);
      busi.script('Second', 'hang');
      await new Saga(dtm, gid).add(`${busi.url}/First`, `${busi.url}/FirstRevert`, {}).add(`${busi.url}/Second`, `${busi.url}/SecondRevert`, {}).add(`${busi.url}/Third`, `${busi.url}/ThirdRevert`, {}).submit();
      await waitFor('the second action to be called', async () => (busi.callsOf('Second').some((c) => c.query.gid === gid) ? true : undefined));
      await coordinator.crash();
      await coordinator.start();
      const answer = await waitForStatus(dtm, gid, 'succeed', 20_000);
      assert.deepEqual(branchStatuses(answer), ['compensate:prepared', 'action:succeed', 'compensate:prepared', 'action:succeed', 'compensate:prepared', 'action:succeed']);
      const names = busi.calls.filter((c) => c.query.gid === gid).map((c) => c.name);
      assert.deepEqual(names, ['First', 'Second', 'Second', 'Third'], 'only the interrupted action is called again');
    });
  });
}
