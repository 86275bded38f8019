import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait';

const ROOT = join(__dirname, '..', '..');

/** A free TCP port on loopback, for a child process that must be restarted on the same port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/** A TypeScript entry point run as a separate node process, as `npm run …` would run it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly healthUrl: string,
  ) {}

  async start(): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, this.entry)], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    await waitFor(
      () => `${this.entry} to answer ${this.healthUrl}; output so far:\n${this.output.slice(-2000)}`,
      async () => ((await fetch(this.healthUrl).catch(() => undefined))?.ok ? true : undefined),
      20_000,
      100,
    );
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

  get logs(): string {
    return this.output;
  }
}
