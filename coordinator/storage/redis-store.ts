import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../../conf/config';
import type { Logger } from '../../common/log';
import { createRedis, ensureConnected, logOutages } from '../../common/redis';
import { RedisScript } from '../../common/redis-script';
import {
  EVENTS_KEPT,
  eventDoc,
  eventFromJson,
  isEmpty,
  statusEvent,
  type Progress,
  type StoredEvent,
  type TransEvent,
} from '../model/events';
import type { BranchOutcome, BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import {
  branchKey,
  fromHash,
  fromStoredBranch,
  fromStoredKv,
  globalFields,
  scriptJson,
  toStoredBranch,
  type StoredBranch,
} from './redis-records';
import { isFinished, type GlobalStatus } from '../../common/protocol/vocabulary';
import {
  splitFailures,
  submitMoveEvent,
  type AddBranchesResult,
  type CronReset,
  type DueStats,
  type GlobalFilter,
  type GlobalPage,
  type SaveNewOptions,
  type SaveNewResult,
  type StatusPatch,
  type Store,
} from './store';

/** The coordinator store's client name in `CLIENT LIST`: the prefix tells coordinators on one Redis apart. */
export function redisClientName(prefix: string): string {
  return `dtm-coordinator:${prefix.replace(/[^\w:.-]/g, '_')}`;
}

const luaFile = (name: string) => join(__dirname, 'redis-scripts', `${name}.lua`);
const script = (name: string) => new RedisScript(luaFile(name));
/** A script that reads a request document and answers a transaction found stored, through the preludes. */
const scriptWithStoredAnswer = (name: string) =>
  new RedisScript(luaFile('request-document'), luaFile('stored-answer'), luaFile(name));
/** A script that also records branch outcomes and events, through the shared preludes. */
const scriptWithProgress = (name: string) =>
  new RedisScript(
    luaFile('request-document'),
    luaFile('progress-request'),
    luaFile('apply-outcomes'),
    luaFile('append-events'),
    luaFile(name),
  );
const scripts = {
  saveNew: scriptWithStoredAnswer('save-new'),
  findStored: scriptWithStoredAnswer('find-stored'),
  changeStatus: scriptWithProgress('change-status'),
  addBranches: script('add-branches'),
  saveProgress: scriptWithProgress('save-progress'),
  touchCron: scriptWithProgress('touch-cron'),
  lockOneDue: script('lock-one-due'),
  resetNextCron: script('reset-next-cron'),
  renewLease: script('renew-lease'),
  resetCronTimes: script('reset-cron-times'),
  scanGlobals: script('scan-globals'),
  kvPut: script('kv-put'),
};

/** Branch outcomes as the apply-outcomes prelude reads them: [key, status, time ms] each. */
function outcomeList(outcomes: BranchOutcome[]): [string, string, number][] {
  return outcomes.map((o) => [branchKey(o.branchId, o.op), o.status, o.at.getTime()]);
}

/**
 * A progress as the scripts that record one read it: outcomes, and events as their fields, which the
 * script encodes (JSON text inside the document would be escaped a second time).
 */
function progressFields(progress: Progress): { outcomes: [string, string, number][]; events: StoredEvent[] } {
  return { outcomes: outcomeList(progress.outcomes), events: progress.events.map(eventDoc) };
}

/** A time as the global hash keeps it: epoch ms as a string, '' when not set. */
function hashTime(at: Date | undefined): string {
  return at === undefined ? '' : String(at.getTime());
}

/** A hash as a script answers it (field, value, field, value…) as an object. */
function pairsToObject(pairs: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) o[pairs[i]!] = pairs[i + 1]!;
  return o;
}

/** The list a stored-answer document holds; cjson encodes an empty one as {}. */
function listOf(encoded: unknown): string[] {
  return Array.isArray(encoded) ? (encoded as string[]) : [];
}

/**
 * A transaction found stored, from the answer of save-new or find-stored: the JSON document [tag, hash,
 * order, data]. Tagged 'SUBMITTED' when the call moved it there; 'SUBMITTED_AS_GIVEN' when it moved it
 * holding exactly the `given` branches, which the document then leaves out.
 */
function storedOf(answer: unknown, given: BranchRecord[]): SaveNewResult {
  const [tag, stored, order, docs] = JSON.parse(String(answer)) as unknown[];
  const existing = fromHash(pairsToObject(listOf(stored)));
  if (tag === 'SUBMITTED_AS_GIVEN') return { created: false, submitted: true, existing, branches: given };
  return {
    created: false,
    submitted: tag === 'SUBMITTED',
    existing,
    branches: branchesInOrder(listOf(order), pairsToObject(listOf(docs))),
  };
}

/** Branch records from the order list and the data hash; ids number them in order, as MySQL's would. */
function branchesInOrder(order: string[], docs: Record<string, string>): BranchRecord[] {
  const branches: BranchRecord[] = [];
  order.forEach((key, i) => {
    const doc = docs[key];
    if (doc) branches.push({ ...fromStoredBranch(JSON.parse(doc) as StoredBranch), id: String(i + 1) });
  });
  return branches;
}

/** Entries one listing call examines at most, so a narrow filter over a large store cannot block Redis. */
const SCAN_BUDGET = 5000;

/**
 * The store on Redis. Per transaction: a hash of the global fields, a list of branch keys in order, a
 * hash of branch JSON and a list of events; shared: a zset of unfinished gids by next_cron_time and one
 * of every gid by id.
 * Every write is one Lua script, so each is atomic. Keys start with REDIS_PREFIX + "dtm:". A finished
 * transaction's keys expire after FINISHED_EXPIRE_MS, as DTM expires finished data in Redis.
 */
export class RedisStore implements Store {
  private readonly redis: Redis;
  private readonly p: string;
  private readonly finishedExpireMs: number;

  /** @param log receives a line when Redis goes away and when it is back. */
  constructor(
    private readonly conf: Config,
    private readonly log?: Logger,
  ) {
    this.redis = createRedis(conf, redisClientName(conf.redis.prefix));
    this.p = `${conf.redis.prefix}dtm:`;
    this.finishedExpireMs = conf.coordinator.finishedExpireMs;
  }

  /** @throws Unavailable naming Redis and where it was looked for when it does not answer. */
  async init(): Promise<void> {
    await ensureConnected(this.redis, this.conf);
    if (this.log) logOutages(this.redis, this.conf, this.log);
  }

  /**
   * save-new, which also makes the move of `options.submitPrepared`. A gid that is `likelyStored` is
   * looked up first, and moved, by find-stored, with a document that holds only what the move compares;
   * the full record goes, in a second call, only when that finds nothing.
   */
  async saveNew(g: GlobalRecord, branches: BranchRecord[], options: SaveNewOptions = {}): Promise<SaveNewResult> {
    const keys = [this.k('g', g.gid), this.k('bl', g.gid), this.k('bd', g.gid)];
    const events = this.k('ev', g.gid);
    const sameBranches = options.submitPrepared?.sameBranches === true;
    const move = options.submitPrepared && {
      trans_type: g.transType,
      same_branches: sameBranches,
      update_time: hashTime(g.updateTime),
      event: eventDoc(submitMoveEvent(g)),
      kept: EVENTS_KEPT,
    };
    if (options.likelyStored) {
      const given = sameBranches ? branches.map((b) => [branchKey(b.branchId, b.op), b.url, b.data]) : undefined;
      const found = await scripts.findStored.run(
        this.redis,
        [...keys, events],
        [scriptJson({ move, branches: given })],
      );
      if (found !== 'MISSING') return storedOf(found, branches);
    }
    const request = {
      gid: g.gid,
      due: g.nextCronTime.getTime(),
      fields: globalFields(g),
      branches: branches.flatMap((b) => [branchKey(b.branchId, b.op), toStoredBranch(b)]),
      move,
    };
    const answer = await scripts.saveNew.run(
      this.redis,
      [...keys, `${this.p}due`, `${this.p}all`, `${this.p}seq`, events],
      [scriptJson(request)],
    );
    return answer === 'OK' ? { created: true } : storedOf(answer, branches);
  }

  async findGlobal(gid: string): Promise<GlobalRecord | undefined> {
    const h = await this.redis.hgetall(this.k('g', gid));
    return h.gid ? fromHash(h) : undefined;
  }

  async findBranches(gid: string): Promise<BranchRecord[]> {
    const [[, order], [, docs]] = (await this.redis
      .multi()
      .lrange(this.k('bl', gid), 0, -1)
      .hgetall(this.k('bd', gid))
      .exec()) as [[unknown, string[]], [unknown, Record<string, string>]];
    return branchesInOrder(order, docs);
  }

  async changeGlobalStatus(
    gid: string,
    from: GlobalStatus,
    to: GlobalStatus,
    patch: StatusPatch,
    progress: Progress,
  ): Promise<boolean> {
    const [failures, facts] = splitFailures(progress);
    const change = {
      from,
      to,
      update_time: hashTime(patch.updateTime),
      finish_time: hashTime(patch.finishTime),
      rollback_time: hashTime(patch.rollbackTime),
      rollback_reason: patch.rollbackReason ?? '',
      gid,
      final: isFinished(to),
      expire_ms: this.finishedExpireMs,
      event: eventDoc(statusEvent(patch.updateTime, from, to, patch.rollbackReason)),
      kept: EVENTS_KEPT,
      lease: patch.owner !== undefined,
      owner: patch.owner ?? '',
      ...progressFields(facts),
      failures: outcomeList(failures),
    };
    const answer = await scripts.changeStatus.run(
      this.redis,
      [this.k('g', gid), `${this.p}due`, this.k('bl', gid), this.k('bd', gid), this.k('ev', gid)],
      [scriptJson(change)],
    );
    return answer === 'OK';
  }

  async addBranches(gid: string, whileStatus: GlobalStatus, branches: BranchRecord[]): Promise<AddBranchesResult> {
    const args = branches.flatMap((b) => [branchKey(b.branchId, b.op), scriptJson(toStoredBranch(b))]);
    const answer = await scripts.addBranches.run(
      this.redis,
      [this.k('g', gid), this.k('bl', gid), this.k('bd', gid)],
      [whileStatus, ...args],
    );
    if (answer === 'OK') return { status: 'added' };
    if (answer === 'NOT_FOUND') return { status: 'missing' };
    const [branchId = '', op = ''] = String(answer).slice('CONFLICT:'.length).split('|');
    return { status: 'conflict', branchId, op };
  }

  async saveBranchOutcomes(gid: string, progress: Progress): Promise<void> {
    if (isEmpty(progress)) return;
    await scripts.saveProgress.run(
      this.redis,
      [this.k('bd', gid), this.k('ev', gid), this.k('g', gid)],
      [scriptJson({ kept: EVENTS_KEPT, ...progressFields(progress) })],
    );
  }

  async touchCronTime(
    gid: string,
    nextCronIntervalMs: number,
    nextCronTime: Date,
    retryCount: number,
    progress: Progress,
    owner?: string,
  ): Promise<boolean> {
    const schedule = {
      interval_ms: String(nextCronIntervalMs),
      due: String(nextCronTime.getTime()),
      retry_count: String(retryCount),
      update_time: String(Date.now()),
      gid,
      lease: owner !== undefined,
      owner: owner ?? '',
      kept: EVENTS_KEPT,
      ...progressFields(progress),
    };
    const answer = await scripts.touchCron.run(
      this.redis,
      [this.k('g', gid), `${this.p}due`, this.k('bd', gid), this.k('ev', gid)],
      [scriptJson(schedule)],
    );
    return answer !== 'LOST';
  }

  async renewLease(gid: string, owner: string, until: Date): Promise<boolean> {
    const answer = await scripts.renewLease.run(
      this.redis,
      [this.k('g', gid), `${this.p}due`],
      [owner, until.getTime(), gid],
    );
    return answer === 1;
  }

  async lockOneDue(now: Date, owner: string, leaseUntil: Date): Promise<GlobalRecord | undefined> {
    const gid = await scripts.lockOneDue.run(
      this.redis,
      [`${this.p}due`],
      [now.getTime(), owner, leaseUntil.getTime(), `${this.p}g:`],
    );
    return typeof gid === 'string' ? this.findGlobal(gid) : undefined;
  }

  async findEvents(gid: string): Promise<TransEvent[]> {
    return (await this.redis.lrange(this.k('ev', gid), 0, -1)).map(eventFromJson);
  }

  async resetNextCronTime(gid: string, at: Date): Promise<boolean> {
    const answer = await scripts.resetNextCron.run(this.redis, [this.k('g', gid), `${this.p}due`], [at.getTime(), gid]);
    return answer === 1;
  }

  async resetCronTimes(after: Date, now: Date, limit: number): Promise<CronReset> {
    const [count, remaining] = (await scripts.resetCronTimes.run(
      this.redis,
      [`${this.p}due`],
      [after.getTime(), now.getTime(), limit, `${this.p}g:`],
    )) as [number, number];
    return { succeedCount: count, hasRemaining: remaining === 1 };
  }

  async dueStats(now: Date): Promise<DueStats> {
    const [[, count], [, first]] = (await this.redis
      .multi()
      .zcount(`${this.p}due`, '-inf', now.getTime())
      .zrange(`${this.p}due`, '0', '0', 'WITHSCORES')
      .exec()) as [[unknown, number], [unknown, string[]]];
    const oldest = first[1] !== undefined && Number(first[1]) <= now.getTime() ? new Date(Number(first[1])) : undefined;
    return { count, oldest };
  }

  /** Filtering runs in one script per page; finished transactions that expired leave the listing on the way. */
  async scanGlobals(position: string, limit: number, filter: GlobalFilter = {}): Promise<GlobalPage> {
    const [nextPosition = '', ...gids] = (await scripts.scanGlobals.run(
      this.redis,
      [`${this.p}all`],
      [
        position === '' ? '+inf' : `(${position}`,
        limit,
        filter.status ?? '',
        filter.transType ?? '',
        filter.createTimeStart?.getTime() ?? '',
        filter.createTimeEnd?.getTime() ?? '',
        `${this.p}g:`,
        SCAN_BUDGET,
      ],
    )) as string[];
    const found = await Promise.all(gids.map((gid) => this.findGlobal(gid)));
    return { transactions: found.filter((g): g is GlobalRecord => g !== undefined), nextPosition };
  }

  async kvGet(cat: string, key: string): Promise<KvRecord | undefined> {
    const stored = await this.redis.hget(this.kv(cat), key);
    return stored === null ? undefined : fromStoredKv(cat, key, stored);
  }

  async kvScan(cat: string, position: string, limit: number): Promise<{ entries: KvRecord[]; nextPosition: string }> {
    const max = position === '' ? '+inf' : `(${position}`;
    const keys = await this.redis.zrevrangebyscore(`${this.kv(cat)}:ids`, max, '-inf', 'LIMIT', 0, limit);
    const stored = keys.length === 0 ? [] : await this.redis.hmget(this.kv(cat), ...keys);
    const entries = keys.flatMap((key, i) => {
      const doc = stored[i];
      return doc ? [fromStoredKv(cat, key, doc)] : [];
    });
    return { entries, nextPosition: keys.length === limit ? (entries[entries.length - 1]?.id ?? '') : '' };
  }

  async kvPut(cat: string, key: string, value: string, expectedVersion: number): Promise<boolean> {
    const written = await scripts.kvPut.run(
      this.redis,
      [this.kv(cat), `${this.kv(cat)}:ids`, `${this.p}kvseq`],
      [key, value, expectedVersion, Date.now()],
    );
    return written === 1;
  }

  async kvDelete(cat: string, key: string): Promise<boolean> {
    const [[, removed]] = (await this.redis
      .multi()
      .hdel(this.kv(cat), key)
      .zrem(`${this.kv(cat)}:ids`, key)
      .exec()) as [[unknown, number], [unknown, number]];
    return removed === 1;
  }

  private kv(cat: string): string {
    return `${this.p}kv:${cat}`;
  }

  async close(): Promise<void> {
    // QUIT would wait for a Redis that is gone; then there is nothing to close politely.
    if (this.redis.status === 'ready') await this.redis.quit();
    else this.redis.disconnect();
  }

  private k(kind: 'g' | 'bl' | 'bd' | 'ev', gid: string): string {
    return `${this.p}${kind}:${gid}`;
  }
}
