import assert from 'node:assert/strict';
import { Saga } from '../../common';
import { BusiServer } from '../helpers/busi-server';
import { gidFor } from '../helpers/coordinator-fixture';
import { freePort, ServiceProcess } from '../../scripts/service-process';
import { STORES, testEnv } from '../helpers/test-env';
import { branchStatuses, queryTrans, waitFor, waitForStatus } from '../helpers/wait';

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
        {
          ...testEnv,
          COORDINATOR_STORE: store,
          COORDINATOR_PORT: String(port),
          COORDINATOR_GRPC_PORT: String(await freePort()),
          RETRY_INTERVAL_MS: '1000',
          CRON_INTERVAL_MS: '100',
          // A pass holds its lease for a call's timeout (+1 s), so recovery after the crash waits that long.
          REQUEST_TIMEOUT_MS: '4000',
        },
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
      await new Saga(dtm, gid)
        .add(`${busi.url}/First`, `${busi.url}/FirstRevert`, {})
        .add(`${busi.url}/Second`, `${busi.url}/SecondRevert`, {})
        .add(`${busi.url}/Third`, `${busi.url}/ThirdRevert`, {})
        .submit();
      await waitFor('the second action to be called', async () =>
        busi.callsOf('Second').some((c) => c.query.gid === gid) ? true : undefined,
      );
      // Branch outcomes are written within 200 ms (or with the next status write); wait for the first.
      await waitFor('the first outcome to be recorded', async () =>
        branchStatuses(await queryTrans(dtm, gid))[1] === 'action:succeed' ? true : undefined,
      );
      await coordinator.crash();
      await coordinator.start();
      const answer = await waitForStatus(dtm, gid, 'succeed', 20_000);
      assert.deepEqual(branchStatuses(answer), [
        'compensate:prepared',
        'action:succeed',
        'compensate:prepared',
        'action:succeed',
        'compensate:prepared',
        'action:succeed',
      ]);
      const names = busi.calls.filter((c) => c.query.gid === gid).map((c) => c.name);
      assert.deepEqual(names, ['First', 'Second', 'Second', 'Third'], 'only the interrupted action is called again');
    });

    it('calls an action again when the coordinator died before recording its outcome, and the barrier absorbs it', async function () {
      const gid = gidFor(this.test!.title);
      busi.script('Slow', 'hang');
      await new Saga(dtm, gid)
        .add(`${busi.url}/Fast`, `${busi.url}/FastRevert`, {})
        .add(`${busi.url}/Slow`, `${busi.url}/SlowRevert`, {})
        .submit();
      await waitFor('the slow action to be called', async () =>
        busi.callsOf('Slow').some((c) => c.query.gid === gid) ? true : undefined,
      );
      await coordinator.crash();
      await coordinator.start();
      await waitForStatus(dtm, gid, 'succeed', 20_000);
      const names = busi.calls.filter((c) => c.query.gid === gid).map((c) => c.name);
      assert.ok(names.filter((n) => n === 'Fast').length <= 2, `Fast was called at most twice: ${names.join(',')}`);
      assert.deepEqual(names.slice(-1), ['Slow']);
    });
  });
}
