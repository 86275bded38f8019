import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Msg, Saga, tccGlobalTransaction } from '../../common';

/** Pins the exact JSON the SDK sends, field for field, against DTM's wire names. */
describe('SDK wire format', () => {
  const seen: { path: string; body: Record<string, unknown>; query: Record<string, unknown> }[] = [];
  let server: Server;
  let dtm: string;
  before(async () => {
    const app = express();
    app.use(express.json());
    app.all('/{*path}', (req, res) => {
      seen.push({ path: req.path, body: req.body as Record<string, unknown>, query: { ...req.query } });
      res.json({ dtm_result: 'SUCCESS' });
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    dtm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/dtmsvr`;
  });
  beforeEach(() => (seen.length = 0));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a saga as DTM clients do', async () => {
    await new Saga(dtm, 'g-saga')
      .add('http://b/TransOut', 'http://b/TransOutRevert', { amount: 30 })
      .withOptions({
        waitResult: true,
        timeoutToFail: 60,
        retryInterval: 5,
        requestTimeout: 3,
        retryLimit: 4,
        branchHeaders: { h: 'v' },
      })
      .submit();
    assert.deepEqual(seen, [
      {
        path: '/api/dtmsvr/submit',
        query: {},
        body: {
          gid: 'g-saga',
          trans_type: 'saga',
          wait_result: true,
          timeout_to_fail: 60,
          request_timeout: 3,
          retry_interval: 5,
          branch_headers: { h: 'v' },
          concurrent: false,
          retry_limit: 4,
          protocol: '',
          steps: [{ action: 'http://b/TransOut', compensate: 'http://b/TransOutRevert' }],
          payloads: ['{"amount":30}'],
        },
      },
    ]);
  });

  it('sends branch orders of a concurrent saga in custom_data', async () => {
    await new Saga(dtm, 'g-c')
      .add('http://b/a', '', {})
      .add('http://b/b', '', {})
      .enableConcurrent()
      .addBranchOrder(1, [0])
      .submit();
    assert.equal(seen[0]?.body.custom_data, '{"orders":{"1":[0]},"concurrent":true}');
    assert.equal(seen[0]?.body.concurrent, true);
  });

  it('sends msg prepare and submit with query_prepared and delay', async () => {
    const msg = new Msg(dtm, 'g-msg').add('http://b/TransIn', { amount: 1 }).setDelay(10);
    await msg.prepare('http://b/QueryPrepared');
    await msg.submit();
    assert.deepEqual(
      seen.map((s) => s.path),
      ['/api/dtmsvr/prepare', '/api/dtmsvr/submit'],
    );
    assert.deepEqual(seen[1]?.body, {
      gid: 'g-msg',
      trans_type: 'msg',
      custom_data: '{"delay":10}',
      concurrent: false,
      protocol: '',
      steps: [{ action: 'http://b/TransIn' }],
      payloads: ['{"amount":1}'],
      query_prepared: 'http://b/QueryPrepared',
    });
  });

  it('sends tcc prepare, registerBranch, try and submit', async () => {
    await tccGlobalTransaction(dtm, 'g-tcc', async (tcc) => {
      await tcc.callBranch(
        { amount: 2 },
        `${dtm.replace('/api/dtmsvr', '')}/busi/Try`,
        'http://b/Confirm',
        'http://b/Cancel',
      );
    });
    assert.deepEqual(
      seen.map((s) => s.path),
      ['/api/dtmsvr/prepare', '/api/dtmsvr/registerBranch', '/busi/Try', '/api/dtmsvr/submit'],
    );
    assert.deepEqual(seen[1]?.body, {
      gid: 'g-tcc',
      trans_type: 'tcc',
      branch_id: '01',
      data: '{"amount":2}',
      confirm: 'http://b/Confirm',
      cancel: 'http://b/Cancel',
    });
    assert.deepEqual(seen[2]?.query, { dtm, gid: 'g-tcc', branch_id: '01', trans_type: 'tcc', op: 'try' });
    assert.deepEqual(seen[2]?.body, { amount: 2 });
  });
});
