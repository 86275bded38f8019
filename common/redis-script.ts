import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * A Lua script loaded from files (preludes defining shared functions, then the script) and run by its
 * SHA1, sent again in full only when the server answers NOSCRIPT (after a restart or SCRIPT FLUSH).
 */
export class RedisScript {
  readonly source: string;
  private readonly sha: string;

  constructor(...paths: [string, ...string[]]) {
    this.source = paths.map((path) => readFileSync(path, 'utf8')).join('\n');
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  /**
   * Runs the script atomically; whatever Redis answers is returned untouched. A promise chain rather
   * than an async function: every store write passes here, and the async frame cost a promise more.
   */
  run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    return redis.evalsha(this.sha, keys.length, ...keys, ...args).catch((err: unknown) => {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    });
  }
}
