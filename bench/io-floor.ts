import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { Agent } from 'undici';
import { loadConfig } from '../conf/config';
import { createRedis } from '../common/redis';

/**
 * What a coordinator on Redis cannot cost less than in Node, as a reference for `bench/side-by-side.ts`:
 * a server on the coordinator's port that makes exactly the input and output the protocol asks of a
 * 2-step saga or msg, with the coordinator's libraries (node:http, ioredis, undici), and nothing else. A
 * prepare is a request parsed and one Redis script; a submit one script (a msg's moves the prepared
 * record), the steps' calls one after the other, one script for the end, then the answer. No validation,
 * no records, events, metrics or logs, no retries: it is not a coordinator, and it answers SUCCESS.
 */

const conf = loadConfig();
if (conf.coordinator.store !== 'redis') {
  throw new Error('io-floor stands for a coordinator on Redis: compare it with COORDINATOR_STORE=redis');
}
const prefix = `${conf.redis.prefix}floor:`;
const redis: Redis = createRedis(conf, 'io-floor');
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 256 });
const scripts = {
  save: `redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'status', ARGV[2]) return 'OK'`,
  move: `if redis.call('HGET', KEYS[1], 'status') ~= 'prepared' then return 'NO' end
redis.call('HSET', KEYS[1], 'status', 'submitted') return 'OK'`,
  end: `redis.call('HSET', KEYS[1], 'status', 'succeed') redis.call('PEXPIRE', KEYS[1], 60000) return 'OK'`,
};
for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 1, lua });
const run = (name: keyof typeof scripts, key: string, ...args: string[]) =>
  (redis as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[name]!(key, ...args);

interface Body {
  gid?: string;
  trans_type?: string;
  steps?: Record<string, string>[];
  payloads?: string[];
}

/** One POST to a step's action, answered when the whole answer has come. */
function callStep(url: string, body: Body, index: number): Promise<void> {
  const { origin, pathname } = new URL(url);
  const path = `${pathname}?branch_id=0${index + 1}&gid=${body.gid ?? ''}&op=action&trans_type=${body.trans_type ?? ''}`;
  const data = body.payloads?.[index] ?? '';
  return new Promise((resolve, reject) => {
    agent.dispatch(
      { origin, path, method: 'POST', body: data, headers: { 'content-type': 'application/json' } },
      {
        onConnect: () => undefined,
        onHeaders: () => true,
        onData: () => true,
        onComplete: () => resolve(),
        onError: reject,
      },
    );
  });
}

async function serve(path: string, body: Body): Promise<void> {
  const key = `${prefix}${body.gid ?? ''}`;
  if (path.endsWith('/prepare')) {
    await run('save', key, JSON.stringify(body), 'prepared');
    return;
  }
  if (!path.endsWith('/submit')) return;
  await (body.trans_type === 'msg' ? run('move', key) : run('save', key, JSON.stringify(body), 'submitted'));
  const steps = body.steps ?? [];
  for (let i = 0; i < steps.length; i++) await callStep(steps[i]?.action ?? '', body, i);
  await run('end', key);
}

const answer = JSON.stringify({ dtm_result: 'SUCCESS' });

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Body;
    try {
      body = (text === '' ? {} : JSON.parse(text)) as Body;
    } catch (err) {
      res.writeHead(400).end(String(err));
      return;
    }
    serve(req.url ?? '', body)
      .then(() => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
        res.end(answer);
      })
      .catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
  });
}

createServer(handle).listen(conf.coordinator.port, '127.0.0.1');
