import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pollUntil } from '../common/poll';

const ROOT = join(__dirname, '..');

/** Ports this process handed out: the system may offer a just-closed port again before anyone binds it. */
const handedOut = new Set<number>();

function portOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/**
 * A free TCP port on loopback, for a child process that must be restarted on the same port; never one
 * this process handed out before, so several taken in a row are distinct.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await portOnce();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * A TypeScript (or compiled JavaScript) entry point run as a separate node process, as `npm run …` would run it: started until
 * its health URL answers, stopped or killed on demand. Its output is kept (the last 64 KiB) and, if
 * `onLine` is given, handed over line by line.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string | undefined>,
    /** A URL that answers 200 once the service is up, or a probe that resolves true then (a gRPC service). */
    private readonly healthUrl: string | (() => Promise<boolean>),
    private readonly onLine?: (line: string) => void,
  ) {}

  /** @throws Error with the process's last output when it exits or stays silent for `timeoutMs`. */
  async start(timeoutMs = 20_000): Promise<void> {
    this.output = '';
    const entry = join(ROOT, this.entry);
    // A TypeScript entry runs through tsx; a compiled one (npm run build) runs on plain node.
    const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : ['--enable-source-maps', entry];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-65_536)));
      if (stream && this.onLine) createInterface({ input: stream }).on('line', this.onLine);
    }
    const healthy = await pollUntil(
      async () => {
        const health = this.healthUrl;
        if (typeof health !== 'string') return health().catch(() => false);
        return (await fetch(health).catch(() => undefined))?.ok === true;
      },
      (ok) => ok || child.exitCode !== null,
      timeoutMs,
    );
    if (!healthy) {
      throw new Error(
        `${this.entry} did not answer ${typeof this.healthUrl === 'string' ? this.healthUrl : 'its health probe'} (exit code ${child.exitCode}); its output:\n${this.output.slice(-2000)}`,
      );
    }
  }

  /**
   * The started process's id, e.g. to read its CPU time.
   * @throws Error when no process was started, as its CPU could not be read.
   */
  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`${this.entry} has no process: start it first`);
    return pid;
  }

  /** Resolves when the process exits on its own (not through stop or crash). */
  exited(): Promise<number | null> {
    const child = this.child;
    if (!child) return Promise.resolve(null);
    return child.exitCode !== null
      ? Promise.resolve(child.exitCode)
      : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Kills the process with SIGKILL: no shutdown hook runs, as in a crash. */
  async crash(): Promise<void> {
    await this.stop('SIGKILL');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
