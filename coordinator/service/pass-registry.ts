/**
 * The pass running in this process for each gid, so that a second request for the same transaction (a
 * client retrying a slow submit, or the cron loop) joins it instead of racing it, and shutdown can wait
 * for every pass. A registered pass never rejects: it resolves to the error it ended with, if any.
 */
export class PassRegistry {
  private readonly running = new Map<string, Promise<unknown>>();

  /** The pass running for `gid`, if any. */
  get(gid: string): Promise<unknown> | undefined {
    return this.running.get(gid);
  }

  /** Starts `pass` for `gid` and keeps it registered until it settles. */
  start(gid: string, pass: () => Promise<unknown>): Promise<unknown> {
    const settled = pass().catch((err: unknown) => err);
    this.running.set(gid, settled);
    void settled.then(() => this.running.delete(gid));
    return settled;
  }

  /** Waits until no pass runs. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }
}
