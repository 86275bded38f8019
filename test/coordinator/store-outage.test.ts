import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Unavailable } from '../../common/errors';
import type { Logger } from '../../common/log';
import type { StoreKind } from '../../conf/config';
import { startCoordinator, type Coordinator } from '../../coordinator/coordinator';
import { freePort } from '../../scripts/service-process';
import { BusiServer } from '../helpers/busi-server';
import { TestClock } from '../helpers/clock';
import { gidFor } from '../helpers/coordinator-fixture';
import { TcpProxy } from '../helpers/tcp-proxy';
import { STORES, testConfig, testEnv } from '../helpers/test-env';
import { queryTrans, waitFor, waitForStatus } from '../helpers/wait';

const ROOT = join(__dirname, '..', '..');

/** The variable that moves the store's server, and the port it normally listens on. */
const portOf = (store: StoreKind) =>
  store === 'redis'
    ? { variable: 'REDIS_PORT', port: testConfig().redis.port }
    : { variable: 'MYSQL_PORT', port: testConfig().mysql.port };

/** A logger whose lines the test can read. */
function capturingLogger(): { log: Logger; lines: () => { level: number; msg: string; event?: string }[] } {
  const text: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text.push(chunk.toString());
      done();
    },
  });
  return {
    log: pino({ level: 'info' }, sink),
    lines: () =>
      text
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string; event?: string }),
  };
}

/** Runs an entry point to its exit; returns the exit code and what it wrote to stderr. */
function runToExit(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

for (const store of STORES) {
  describe(`coordinator with its store unreachable (${store} store)`, function () {
    this.timeout(60_000);
    const { variable, port } = portOf(store);
    const name = store === 'redis' ? 'Redis' : 'MySQL';

    it('refuses to start with one line naming the service, host:port and the variable', async () => {
      const dead = await freePort();
      const conf = testConfig(store, { [variable]: String(dead) });
      const { log } = capturingLogger();
      await assert.rejects(startCoordinator(conf, log, { port: 0, autoCron: false }), (e: unknown) => {
        assert.ok(e instanceof Unavailable, String(e));
        assert.ok(!e.message.includes('\n'), e.message);
        assert.match(
          e.message,
          new RegExp(`^${name} is not reachable at .*127\\.0\\.0\\.1:${dead} \\(.*${variable}.*\\): `),
        );
        return true;
      });

      const run = await runToExit('coordinator/main.ts', {
        ...testEnv,
        COORDINATOR_STORE: store,
        COORDINATOR_PORT: String(await freePort()),
        [variable]: String(dead),
      });
      assert.equal(run.code, 1);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0]!,
        new RegExp(`coordinator failed to start: ${name} is not reachable at .*:${dead} .*${variable}`),
      );
      assert.doesNotMatch(run.stderr, /max retries per request/i);
    });

    it('reports an outage in the logs and the health endpoint, and resumes work when the store is back', async function () {
      const proxy = await new TcpProxy(port).start();
      const clock = new TestClock();
      const { log, lines } = capturingLogger();
      const conf = testConfig(store, { [variable]: String(proxy.port), CRON_INTERVAL_MS: '100' });
      const busi = await new BusiServer().start();
      let coordinator: Coordinator | undefined;
      try {
        coordinator = await startCoordinator(conf, log, { port: 0, autoCron: true, clock: clock.now });
        const health = () => fetch(`${coordinator!.url}/health`);
        assert.equal((await health()).status, 200);

        const gid = gidFor(this.test!.title);
        busi.script('A', 500);
        const submit = await fetch(`${coordinator.url}/submit`, {
          method: 'POST',
          body: JSON.stringify({
            gid,
            trans_type: 'saga',
            steps: [{ action: `${busi.url}/A`, compensate: `${busi.url}/ARevert` }],
            payloads: ['{}'],
          }),
        });
        assert.equal(submit.status, 200);
        await coordinator.service.drain();
        assert.equal((await queryTrans(coordinator.url, gid)).transaction?.status, 'submitted');

        await proxy.cut();
        const down = await health();
        assert.equal(down.status, 503);
        const body = (await down.json()) as { code: string; message: string };
        assert.equal(body.code, 'UNAVAILABLE');
        assert.ok(body.message.includes(`${store} store`) && body.message.includes(`:${proxy.port}`), body.message);
        assert.ok(body.message.includes(variable), body.message);
        await waitFor('an error line about the outage', async () =>
          lines().some((l) => l.level >= 50 && JSON.stringify(l).includes(String(proxy.port))) ? true : undefined,
        );
        const errorLines = lines().filter((l) => l.level >= 50).length;
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.ok(lines().filter((l) => l.level >= 50).length <= errorLines + 2, 'an outage is not one line per pass');

        await proxy.start();
        clock.advance(60_000);
        await waitForStatus(coordinator.url, gid, 'succeed', 30_000);
        await waitFor(
          'health to answer again',
          async () => ((await health()).status === 200 ? true : undefined),
          20_000,
        );
        const back = store === 'redis' ? 'redis.back' : 'cron.resumed';
        assert.ok(
          lines().some((l) => l.event === back),
          lines()
            .map((l) => l.msg)
            .join('\n'),
        );
      } finally {
        await coordinator?.close();
        await busi.close();
        await proxy.close();
      }
    });
  });
}

describe('example services with Redis unreachable', function () {
  this.timeout(60_000);
  it('refuse to start with one line naming Redis, host:port and the variable', async () => {
    const dead = await freePort();
    const run = await runToExit('scripts/examples-main.ts', {
      ...testEnv,
      BUSI_PORT: String(await freePort()),
      REDIS_PORT: String(dead),
    });
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `examples failed to start: Redis is not reachable at 127\\.0\\.0\\.1:${dead} \\(REDIS_HOST, REDIS_PORT\\)`,
      ),
    );
  });
});
