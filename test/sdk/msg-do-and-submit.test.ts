import assert from 'node:assert/strict';
import { BranchFailure, Msg } from '../../common';
import { startCoordinatorFixture, gidFor, type CoordinatorFixture } from '../helpers/coordinator-fixture';
import { queryTrans } from '../helpers/wait';

/** The three outcomes of Msg.doAndSubmit, against a real coordinator. */
describe('SDK msg doAndSubmit', () => {
  let fx: CoordinatorFixture;
  before(async () => {
    fx = await startCoordinatorFixture('mysql');
  });
  after(async () => fx.close());
  afterEach(() => fx.busi.clearScripts());

  const msg = (gid: string) => new Msg(fx.dtm, gid).add(`${fx.busi.url}/Step`, { n: 1 });
  const statusOf = async (gid: string) => {
    await fx.coordinator.service.drain();
    return (await queryTrans(fx.dtm, gid)).transaction?.status;
  };

  it('submits when the local step succeeds', async function () {
    const gid = gidFor(this.test!.title);
    await msg(gid).doAndSubmit(`${fx.busi.url}/QueryPrepared`, async () => undefined);
    assert.equal(await statusOf(gid), 'succeed');
  });

  it('aborts, without asking back, when the local step answers FAILURE', async function () {
    const gid = gidFor(this.test!.title);
    await assert.rejects(
      msg(gid).doAndSubmit(`${fx.busi.url}/QueryPrepared`, async () => Promise.reject(new BranchFailure('sold out'))),
      BranchFailure,
    );
    assert.equal(await statusOf(gid), 'failed');
    assert.equal(fx.busi.calls.filter((c) => c.query.gid === gid).length, 0);
  });

  it('asks back after another error and submits when the step had committed', async function () {
    const gid = gidFor(this.test!.title);
    await assert.rejects(
      msg(gid).doAndSubmit(`${fx.busi.url}/QueryPrepared`, async () => Promise.reject(new Error('reply lost'))),
      /reply lost/,
    );
    assert.equal(await statusOf(gid), 'succeed');
    const ask = fx.busi.calls.find((c) => c.query.gid === gid && c.name === 'QueryPrepared')!;
    assert.deepEqual(ask.query, { dtm: fx.dtm, gid, branch_id: '00', trans_type: 'msg', op: 'msg' });
  });

  it('asks back after another error and aborts when the step had not committed', async function () {
    const gid = gidFor(this.test!.title);
    fx.busi.script('QueryPrepared', 409);
    await assert.rejects(
      msg(gid).doAndSubmit(`${fx.busi.url}/QueryPrepared`, async () => Promise.reject(new Error('crashed'))),
      /crashed/,
    );
    assert.equal(await statusOf(gid), 'failed');
  });

  it('leaves the message to the coordinator when the query-back does not answer clearly', async function () {
    const gid = gidFor(this.test!.title);
    fx.busi.script('QueryPrepared', 500);
    await assert.rejects(
      msg(gid).doAndSubmit(`${fx.busi.url}/QueryPrepared`, async () => Promise.reject(new Error('crashed'))),
      /crashed/,
    );
    assert.equal(await statusOf(gid), 'prepared');
  });
});
