import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { Unauthorized } from '../errors';

/** The header that carries the examples' branch secret; the examples put it in every transaction's branch_headers. */
export const BRANCH_SECRET_HEADER = 'x-branch-secret';

/** The dashboard's login cookie: a digest of ADMIN_TOKEN, so the cookie is not the token itself. */
export const ADMIN_COOKIE = 'dtm_admin';

/** The cookie value that proves a dashboard login with `token`. */
export function adminCookieValue(token: string): string {
  return createHash('sha256').update(`dtm-admin-cookie:${token}`).digest('hex');
}

/** Equality of two secrets in time that does not depend on where they differ. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return plain === '::1' || /^127\.\d+\.\d+\.\d+$/.test(plain);
}

function isLoopbackName(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || isLoopbackAddress(name);
}

/**
 * Why the request does not come from this machine, or undefined when it does: the peer is a loopback
 * address, the Host header names this machine (a DNS-rebound name does not), and no browser marked it as
 * sent by another site (a page elsewhere could otherwise reach loopback through the visitor's browser).
 */
export function notLocal(req: Request): string | undefined {
  if (req.get('sec-fetch-site') === 'cross-site') return 'a request sent by a page of another site';
  if (!isLoopbackAddress(req.socket.remoteAddress)) return `a request from ${req.socket.remoteAddress ?? 'elsewhere'}`;
  if (!isLoopbackName(req.get('host'))) return `a request for host ${req.get('host') ?? '(none)'}`;
  return undefined;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * Whether the request may run an admin operation: with `token` set, it must carry it (`Authorization:
 * Bearer <token>`, or the dashboard's login cookie) and not come from a page of another site; without a
 * token, it must come from this machine.
 * @throws Unauthorized saying what is missing.
 */
export function assertAdmin(req: Request, token: string | undefined): void {
  if (token === undefined) {
    const why = notLocal(req);
    if (why) {
      throw new Unauthorized(
        `admin operations are allowed from this machine only (${why}); set ADMIN_TOKEN to allow them elsewhere`,
      );
    }
    return;
  }
  if (req.get('sec-fetch-site') === 'cross-site') {
    throw new Unauthorized('admin operations are refused to pages of another site');
  }
  const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (sameSecret(bearer, token) || sameSecret(cookie(req, ADMIN_COOKIE), adminCookieValue(token))) return;
  throw new Unauthorized(
    'this admin operation needs ADMIN_TOKEN: send "Authorization: Bearer <token>" or log in at /admin',
  );
}

/** Whether a gRPC peer (`ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000`) is this machine. */
function isLoopbackPeer(peer: string): boolean {
  const address = peer
    .replace(/^ipv[46]:/, '')
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  return isLoopbackAddress(address);
}

/**
 * The admin rule for a gRPC call: with `token` set, the `authorization` metadata must be
 * `Bearer <token>`; without one, the peer must be this machine (no browser speaks gRPC).
 * @throws Unauthorized saying what is missing.
 */
export function assertGrpcAdmin(peer: string, authorization: string | undefined, token: string | undefined): void {
  if (token === undefined) {
    if (isLoopbackPeer(peer)) return;
    throw new Unauthorized(
      `admin operations are allowed from this machine only (a call from ${peer}); set ADMIN_TOKEN`,
    );
  }
  const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!sameSecret(bearer, token)) {
    throw new Unauthorized('this admin operation needs ADMIN_TOKEN: send the metadata "authorization: Bearer <token>"');
  }
}

/** Middleware form of `assertAdmin`. */
export function adminOnly(token: string | undefined): RequestHandler {
  return (req, _res, next) => {
    assertAdmin(req, token);
    next();
  };
}

/**
 * Guards an endpoint only the coordinator may call (an example's branch): with `secret` set, the call
 * must carry it in the X-Branch-Secret header; without one, it must come from this machine.
 */
export function branchCallersOnly(secret: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (secret === undefined) {
      const why = notLocal(req);
      if (why)
        throw new Unauthorized(`branch endpoints accept calls from this machine only (${why}); set BRANCH_SECRET`);
    } else if (!sameSecret(req.get(BRANCH_SECRET_HEADER), secret)) {
      throw new Unauthorized(`branch endpoints need the ${BRANCH_SECRET_HEADER} header with BRANCH_SECRET`);
    }
    next();
  };
}

/** The branch_headers that carry `secret` to the examples' branch endpoints; none without a secret. */
export function branchSecretHeaders(secret: string | undefined): Record<string, string> {
  return secret === undefined ? {} : { [BRANCH_SECRET_HEADER]: secret };
}

/** The headers an SDK call to an admin endpoint (query) needs; none without a token. */
export function adminHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
