import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Limits } from '../../common/protocol/trans-body';
import {
  startCoordinatorFixture,
  gidFor,
  oneStepSagaBody,
  type CoordinatorFixture,
} from '../helpers/coordinator-fixture';
import { STORES } from '../helpers/test-env';
import { queryTrans } from '../helpers/wait';

/** Posts `chunks` with chunked transfer encoding (no content-length) and answers the status and body. */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; body: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, string> }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/**
 * The endpoints every transaction calls are served without express when the body is plain JSON; what
 * the fast lane leaves to express (another spelling of the path) gets the same answer, and what it
 * refuses is refused as express refuses it, with nothing stored.
 */
describe('coordinator fast lane', () => {
  let fx: CoordinatorFixture;
  before(async () => {
    fx = await startCoordinatorFixture(STORES[0]!);
  });
  after(async () => fx.close());

  const saga = (gid: string) => ({
    ...oneStepSagaBody(fx, gid),
    wait_result: true,
    passthrough_headers: ['x-tenant'],
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${fx.coordinator.url.replace(/\/api\/dtmsvr$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('runs a submit on the fast lane and through express alike, passthrough headers included', async function () {
    const [fast, viaExpress] = [gidFor(`${this.test!.title}-fast`), gidFor(`${this.test!.title}-express`)];
    const a = await post('/api/dtmsvr/submit', JSON.stringify(saga(fast)), { 'x-tenant': '7' });
    const b = await post('/api/dtmsvr/Submit/', JSON.stringify(saga(viaExpress)), { 'x-tenant': '7' });
    assert.deepEqual([a.status, await a.json()], [200, { dtm_result: 'SUCCESS' }]);
    assert.deepEqual([b.status, await b.json()], [200, { dtm_result: 'SUCCESS' }]);
    for (const gid of [fast, viaExpress]) {
      const t = (await queryTrans(fx.dtm, gid)).transaction!;
      assert.equal(t.status, 'succeed');
      assert.deepEqual(JSON.parse(String(t.ext_data)), { headers: { 'x-tenant': '7' } });
      const call = fx.busi.callsOf('A').find((c) => c.query.gid === gid)!;
      assert.equal(call.headers['x-tenant'], '7');
    }
  });

  it('reads a body that starts with a byte order mark, as express does', async function () {
    const gid = gidFor(this.test!.title);
    const res = await post('/api/dtmsvr/submit', `\uFEFF${JSON.stringify(saga(gid))}`);
    assert.equal(res.status, 200, await res.text());
    assert.equal((await queryTrans(fx.dtm, gid)).transaction?.status, 'succeed');
  });

  it('answers 400 naming the body to broken JSON and to JSON that is not an object, storing nothing', async function () {
    const gid = gidFor(this.test!.title);
    const broken = await post('/api/dtmsvr/submit', `{"gid":"${gid}",`);
    const scalar = await post('/api/dtmsvr/prepare', '"just a string"');
    for (const res of [broken, scalar]) {
      assert.equal(res.status, 400);
      const body = (await res.json()) as Record<string, string>;
      assert.deepEqual([body.code, body.field, body.dtm_result], ['INVALID_INPUT', 'body', 'ERROR']);
    }
    const empty = await post('/api/dtmsvr/submit', '');
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as Record<string, string>).field, 'gid');
    assert.equal((await queryTrans(fx.dtm, gid)).transaction, null);
  });

  it('answers 413 to a chunked body that grows over the limit without a content-length', async function () {
    const gid = gidFor(this.test!.title);
    const head = JSON.stringify(saga(gid)).slice(0, -1);
    const filler = 'x'.repeat(64 * 1024);
    const chunks = [
      `${head},"custom_data":"`,
      ...Array.from({ length: Limits.bodyBytes / filler.length + 1 }, () => filler),
      '"}',
    ];
    const res = await postChunked(`${fx.dtm}/submit`, chunks);
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE');
    assert.equal((await queryTrans(fx.dtm, gid)).transaction, null);
  });

  it('counts fast-lane requests in the request metrics under the endpoint name', async function () {
    const gid = gidFor(this.test!.title);
    const before = await fx.coordinator.metrics.registry.getSingleMetricAsString('dtm_server_process_total');
    await post('/api/dtmsvr/registerBranch', JSON.stringify({ gid, trans_type: 'tcc', branch_id: '01' }));
    const after = await fx.coordinator.metrics.registry.getSingleMetricAsString('dtm_server_process_total');
    assert.notEqual(after, before);
    assert.match(after, /api="registerbranch"/);
  });
});
