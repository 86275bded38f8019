import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../../conf/config';
import type { Logger } from '../../common/log';
import { createRedis, ensureConnected, logOutages } from '../../common/redis';
import { RedisScript } from '../../common/redis-script';
import type { BranchOutcome, BranchRecord, GlobalRecord, KvRecord } from '../model/records';
import { isFinished, type GlobalStatus } from '../../common/protocol/vocabulary';
import { UniqueConflict, type AddBranchesResult, type GlobalPage, type StatusPatch, type Store } from './store';

/** The coordinator store's client name in `CLIENT LIST`: the prefix tells coordinators on one Redis apart. */
export function redisClientName(prefix: string): string {
  return `dtm-coordinator:${prefix.replace(/[^\w:.-]/g, '_')}`;
}

const luaFile = (name: string) => join(__dirname, 'redis-scripts', `${name}.lua`);
const script = (name: string) => new RedisScript(luaFile(name));
/** A script that also records branch outcomes, through the shared apply-outcomes prelude. */
const scriptWithOutcomes = (name: string) => new RedisScript(luaFile('apply-outcomes'), luaFile(name));
const scripts = {
  saveNew: script('save-new'),
  changeStatus: scriptWithOutcomes('change-status'),
  addBranches: script('add-branches'),
  saveOutcomes: scriptWithOutcomes('save-outcomes'),
  touchCron: scriptWithOutcomes('touch-cron'),
  lockOneDue: script('lock-one-due'),
  kvPut: script('kv-put'),
};

/** Branch outcomes as the apply-outcomes prelude reads them: a count, then key, status, time for each. */
function outcomeArgs(outcomes: BranchOutcome[]): (string | number)[] {
  return [outcomes.length, ...outcomes.flatMap((o) => [branchKey(o.branchId, o.op), o.status, o.at.getTime()])];
}

/** The JSON a branch is stored as: the record with its times as epoch milliseconds. */
type StoredBranch = Omit<BranchRecord, 'createTime' | 'updateTime' | 'finishTime'> & {
  createTime: number;
  updateTime: number;
  finishTime: number | null;
};

/**
 * The store on Redis. Per transaction: a hash of the global fields, a list of branch keys in order and
 * a hash of branch JSON; shared: a zset of unfinished gids by next_cron_time and one of every gid by id.
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

  async saveNew(g: GlobalRecord, branches: BranchRecord[]): Promise<void> {
    const fields = globalFields(g);
    const pairs = Object.entries(fields).flat();
    const branchArgs = branches.flatMap((b) => [branchKey(b.branchId, b.op), JSON.stringify(toStoredBranch(b))]);
    const answer = await scripts.saveNew.run(
      this.redis,
      [this.k('g', g.gid), this.k('bl', g.gid), this.k('bd', g.gid), `${this.p}due`, `${this.p}all`, `${this.p}seq`],
      [g.gid, g.nextCronTime.getTime(), pairs.length / 2, ...pairs, ...branchArgs],
    );
    if (answer === 'UNIQUE_CONFLICT') throw new UniqueConflict(`gid ${g.gid} exists`);
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
    return order.flatMap((key, i) => {
      const doc = docs[key];
      return doc ? [{ ...fromStoredBranch(JSON.parse(doc) as StoredBranch), id: String(i + 1) }] : [];
    });
  }

  async changeGlobalStatus(
    gid: string,
    from: GlobalStatus,
    to: GlobalStatus,
    patch: StatusPatch,
    outcomes: BranchOutcome[],
  ): Promise<boolean> {
    const answer = await scripts.changeStatus.run(
      this.redis,
      [this.k('g', gid), `${this.p}due`, this.k('bl', gid), this.k('bd', gid)],
      [
        from,
        to,
        patch.updateTime.getTime(),
        patch.finishTime?.getTime() ?? '',
        patch.rollbackTime?.getTime() ?? '',
        patch.rollbackReason ?? '',
        gid,
        isFinished(to) ? '1' : '0',
        this.finishedExpireMs,
        ...outcomeArgs(outcomes),
      ],
    );
    return answer === 'OK';
  }

  async addBranches(gid: string, whileStatus: GlobalStatus, branches: BranchRecord[]): Promise<AddBranchesResult> {
    const args = branches.flatMap((b) => [branchKey(b.branchId, b.op), JSON.stringify(toStoredBranch(b))]);
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

  async saveBranchOutcomes(gid: string, outcomes: BranchOutcome[]): Promise<void> {
    if (outcomes.length > 0) await scripts.saveOutcomes.run(this.redis, [this.k('bd', gid)], outcomeArgs(outcomes));
  }

  async touchCronTime(
    gid: string,
    nextCronIntervalMs: number,
    nextCronTime: Date,
    retryCount: number,
    outcomes: BranchOutcome[],
  ): Promise<void> {
    await scripts.touchCron.run(
      this.redis,
      [this.k('g', gid), `${this.p}due`, this.k('bd', gid)],
      [nextCronIntervalMs, nextCronTime.getTime(), retryCount, Date.now(), gid, ...outcomeArgs(outcomes)],
    );
  }

  async lockOneDue(now: Date, owner: string, leaseUntil: Date): Promise<GlobalRecord | undefined> {
    const gid = await scripts.lockOneDue.run(
      this.redis,
      [`${this.p}due`],
      [now.getTime(), owner, leaseUntil.getTime(), `${this.p}g:`],
    );
    return typeof gid === 'string' ? this.findGlobal(gid) : undefined;
  }

  async scanGlobals(position: string, limit: number): Promise<GlobalPage> {
    const max = position === '' ? '+inf' : `(${position}`;
    const gids = await this.redis.zrevrangebyscore(`${this.p}all`, max, '-inf', 'LIMIT', 0, limit);
    const found = await Promise.all(gids.map((gid) => this.findGlobal(gid)));
    const transactions = found.filter((g): g is GlobalRecord => g !== undefined);
    // Finished transactions expire (FINISHED_EXPIRE_MS); their gids leave the listing when met here.
    const expired = gids.filter((_, i) => found[i] === undefined);
    if (expired.length > 0) await this.redis.zrem(`${this.p}all`, ...expired);
    const last = transactions[transactions.length - 1];
    return { transactions, nextPosition: gids.length === limit && last?.id ? last.id : '' };
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

  private k(kind: 'g' | 'bl' | 'bd', gid: string): string {
    return `${this.p}${kind}:${gid}`;
  }
}

function branchKey(branchId: string, op: string): string {
  return `${branchId}|${op}`;
}

function globalFields(g: GlobalRecord): Record<string, string> {
  return {
    gid: g.gid,
    trans_type: g.transType,
    status: g.status,
    query_prepared: g.queryPrepared,
    protocol: g.protocol,
    options: JSON.stringify(g.options),
    custom_data: g.customData,
    headers: JSON.stringify(g.headers),
    create_time: String(g.createTime.getTime()),
    update_time: String(g.updateTime.getTime()),
    finish_time: g.finishTime ? String(g.finishTime.getTime()) : '',
    rollback_time: g.rollbackTime ? String(g.rollbackTime.getTime()) : '',
    rollback_reason: g.rollbackReason,
    next_cron_interval_ms: String(g.nextCronIntervalMs),
    next_cron_time: String(g.nextCronTime.getTime()),
    owner: g.owner,
    retry_count: String(g.retryCount),
  };
}

function fromHash(h: Record<string, string>): GlobalRecord {
  const time = (v: string | undefined) => (v ? new Date(Number(v)) : null);
  return {
    id: h.id,
    gid: h.gid ?? '',
    transType: h.trans_type ?? '',
    status: h.status as GlobalStatus,
    queryPrepared: h.query_prepared ?? '',
    protocol: h.protocol ?? 'http',
    options: JSON.parse(h.options ?? '{}') as GlobalRecord['options'],
    customData: h.custom_data ?? '',
    headers: JSON.parse(h.headers ?? '{}') as Record<string, string>,
    createTime: new Date(Number(h.create_time)),
    updateTime: new Date(Number(h.update_time)),
    finishTime: time(h.finish_time),
    rollbackTime: time(h.rollback_time),
    rollbackReason: h.rollback_reason ?? '',
    nextCronIntervalMs: Number(h.next_cron_interval_ms),
    nextCronTime: new Date(Number(h.next_cron_time)),
    owner: h.owner ?? '',
    retryCount: Number(h.retry_count ?? 0),
  };
}

function toStoredBranch(b: BranchRecord): StoredBranch {
  return {
    ...b,
    createTime: b.createTime.getTime(),
    updateTime: b.updateTime.getTime(),
    finishTime: b.finishTime?.getTime() ?? null,
  };
}

function fromStoredBranch(s: StoredBranch): BranchRecord {
  return {
    ...s,
    createTime: new Date(s.createTime),
    updateTime: new Date(s.updateTime),
    finishTime: s.finishTime === null ? null : new Date(s.finishTime),
  };
}

function fromStoredKv(cat: string, k: string, stored: string): KvRecord {
  const e = JSON.parse(stored) as { id: string; v: string; version: number; create_time: number; update_time: number };
  return {
    id: e.id,
    cat,
    k,
    v: e.v,
    version: e.version,
    createTime: new Date(e.create_time),
    updateTime: new Date(e.update_time),
  };
}
