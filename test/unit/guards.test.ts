import assert from 'node:assert/strict';
import type { Request } from 'express';
import { Unauthorized } from '../../common/errors';
import { ADMIN_COOKIE, adminCookieValue, assertAdmin, notLocal } from '../../common/http/guards';

/** A request as the guards read it: peer address and headers. */
function req(remoteAddress: string, headers: Record<string, string> = {}): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { socket: { remoteAddress }, get: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

const TOKEN = 'unit-admin-token-0123456789';

describe('admin and branch guards', () => {
  it('take loopback peers naming this machine as local', () => {
    for (const [peer, host] of [
      ['127.0.0.1', '127.0.0.1:36789'],
      ['::1', '[::1]:36789'],
      ['::ffff:127.0.0.1', 'localhost:36789'],
    ]) {
      assert.equal(notLocal(req(peer!, { host: host! })), undefined, `${peer} ${host}`);
    }
  });

  it('refuse other peers, rebound host names and pages of other sites', () => {
    assert.match(notLocal(req('10.1.2.3', { host: '127.0.0.1:36789' })) ?? '', /10\.1\.2\.3/);
    assert.match(notLocal(req('127.0.0.1', { host: 'evil.example:36789' })) ?? '', /evil\.example/);
    assert.match(
      notLocal(req('127.0.0.1', { host: 'localhost', 'sec-fetch-site': 'cross-site' })) ?? '',
      /another site/,
    );
    assert.equal(notLocal(req('127.0.0.1', { host: 'localhost', 'sec-fetch-site': 'same-origin' })), undefined);
  });

  it('with a token, accept the bearer or the login cookie from anywhere, and nothing else', () => {
    assert.doesNotThrow(() => assertAdmin(req('10.1.2.3', { authorization: `Bearer ${TOKEN}` }), TOKEN));
    assert.doesNotThrow(() =>
      assertAdmin(req('10.1.2.3', { cookie: `a=b; ${ADMIN_COOKIE}=${adminCookieValue(TOKEN)}` }), TOKEN),
    );
    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { cookie: `${ADMIN_COOKIE}=${TOKEN}` },
    ];
    for (const headers of wrong) {
      assert.throws(() => assertAdmin(req('127.0.0.1', { host: 'localhost', ...headers }), TOKEN), Unauthorized);
    }
    assert.throws(
      () => assertAdmin(req('10.1.2.3', { authorization: `Bearer ${TOKEN}`, 'sec-fetch-site': 'cross-site' }), TOKEN),
      Unauthorized,
    );
  });

  it('without a token, accept this machine only', () => {
    assert.doesNotThrow(() => assertAdmin(req('127.0.0.1', { host: 'localhost' }), undefined));
    assert.throws(() => assertAdmin(req('10.1.2.3', { host: 'localhost' }), undefined), /ADMIN_TOKEN/);
  });
});
