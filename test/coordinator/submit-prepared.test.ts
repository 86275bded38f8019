import assert from 'node:assert/strict';
import { Status } from '../../common/protocol/vocabulary';
import type { BranchRecord, GlobalRecord } from '../../coordinator/model/records';
import { createStore } from '../../coordinator/storage/create-store';
import type { SaveNewOptions, Store } from '../../coordinator/storage/store';
import { gidFor } from '../helpers/coordinator-fixture';
import { runId, STORES, testConfig } from '../helpers/test-env';

/**
 * A submit's save moves the prepared transaction it submits to submitted in the same store call, only
 * when the stored one is of the same type and (for branches made from steps) holds exactly the same
 * branches; anything else is answered untouched, for the service to judge.
 */
for (const store of STORES) {
  describe(`saveNew with submitPrepared (${store} store)`, () => {
    let db: Store;
    before(async () => {
      // A store of its own: the transactions saved here are never processed, and other suites' cron
      // passes must not find them.
      db = await createStore(
        testConfig(store, { COORDINATOR_DB: `save_dtm_${runId}`, REDIS_PREFIX: `test:${runId}:save:` }),
      );
    });
    after(async () => db.close());

    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
    const record = (gid: string, status: GlobalRecord['status'], time: Date, transType = 'msg'): GlobalRecord => ({
      gid,
      transType,
      status,
      queryPrepared: 'http://127.0.0.1:1/QueryPrepared',
      protocol: 'http',
      options: {},
      customData: '',
      headers: {},
      createTime: time,
      updateTime: time,
      finishTime: null,
      rollbackTime: null,
      rollbackReason: '',
      nextCronIntervalMs: 10_000,
      nextCronTime: new Date(time.getTime() + 10_000),
      owner: '',
      retryCount: 0,
    });
    const branch = (gid: string, branchId: string, url: string, data: string, time: Date): BranchRecord => ({
      gid,
      url,
      data,
      branchId,
      op: 'action',
      status: 'prepared',
      createTime: time,
      updateTime: time,
      finishTime: null,
    });
    const steps = (gid: string, time: Date, second = '{"amount":30,"user":"u1"}') => [
      branch(gid, '01', 'http://127.0.0.1:1/TransOut', '{"amount":30}', time),
      branch(gid, '02', 'http://127.0.0.1:1/TransIn', second, time),
    ];
    const same: SaveNewOptions = { likelyStored: true, submitPrepared: { sameBranches: true } };
    const statusEvents = async (gid: string) =>
      (await db.findEvents(gid)).flatMap((e) => (e.kind === 'status' ? [`${e.from}>${e.to}`] : []));

    /** Prepares `gid` at 1 ms, then saves its submit at 2 ms with `submitBranches`. */
    async function prepareThenSubmit(
      gid: string,
      submitBranches: BranchRecord[],
      options: SaveNewOptions = same,
      submitType = 'msg',
    ) {
      assert.deepEqual(await db.saveNew(record(gid, Status.prepared, at(1)), steps(gid, at(1))), { created: true });
      return db.saveNew(record(gid, Status.submitted, at(2), submitType), submitBranches, options);
    }

    for (const likelyStored of [true, false]) {
      it(`moves a prepared transaction holding the same branches to submitted${likelyStored ? '' : ' (insert first)'}`, async function () {
        const gid = gidFor(this.test!.title);
        const given = steps(gid, at(2));
        const saved = await prepareThenSubmit(gid, given, { ...same, likelyStored });
        assert.ok(!saved.created);
        assert.equal(saved.submitted, true);
        assert.equal(saved.existing.status, Status.submitted);
        assert.equal(saved.existing.updateTime.getTime(), at(2).getTime());
        assert.equal(saved.existing.createTime.getTime(), at(1).getTime(), 'the prepared record is kept');
        assert.equal(saved.branches, given, 'the branches stored as given are not read back');
        assert.deepEqual(
          (await db.findBranches(gid)).map((b) => [b.branchId, b.url, b.data, b.status, b.createTime.getTime()]),
          given.map((b) => [b.branchId, b.url, b.data, b.status, at(1).getTime()]),
        );
        assert.equal((await db.findGlobal(gid))?.status, Status.submitted);
        assert.deepEqual(await statusEvents(gid), ['prepared>submitted']);
      });
    }

    const refused: [string, (gid: string) => BranchRecord[], string?][] = [
      ['a payload serialized another way', (gid) => steps(gid, at(2), '{"user":"u1","amount":30}')],
      [
        'a URL differing in case only',
        (gid) => [
          steps(gid, at(2))[0]!,
          branch(gid, '02', 'http://127.0.0.1:1/transin', '{"amount":30,"user":"u1"}', at(2)),
        ],
      ],
      ['a branch fewer', (gid) => steps(gid, at(2)).slice(0, 1)],
      ['a branch more', (gid) => [...steps(gid, at(2)), branch(gid, '03', 'http://127.0.0.1:1/C', '{}', at(2))]],
      ['another type', (gid) => steps(gid, at(2)), 'saga'],
    ];
    for (const [what, submitBranches, submitType] of refused) {
      it(`leaves a prepared transaction as it is, and answers it, for a submit with ${what}`, async function () {
        const gid = gidFor(this.test!.title);
        const saved = await prepareThenSubmit(gid, submitBranches(gid), same, submitType);
        assert.ok(!saved.created);
        assert.equal(saved.submitted, false);
        assert.equal(saved.existing.status, Status.prepared);
        assert.equal(saved.branches.length, 2);
        assert.equal((await db.findGlobal(gid))?.status, Status.prepared);
        assert.deepEqual(await statusEvents(gid), []);
      });
    }

    for (const likelyStored of [true, false]) {
      it(`leaves a prepared transaction as it is when a branch of it has an outcome already${likelyStored ? '' : ' (insert first)'}`, async function () {
        const gid = gidFor(this.test!.title);
        assert.deepEqual(await db.saveNew(record(gid, Status.prepared, at(1)), steps(gid, at(1))), { created: true });
        await db.saveBranchOutcomes(gid, {
          outcomes: [{ branchId: '01', op: 'action', status: 'succeed', at: at(2) }],
          events: [],
        });
        const saved = await db.saveNew(record(gid, Status.submitted, at(3)), steps(gid, at(3)), {
          ...same,
          likelyStored,
        });
        assert.ok(!saved.created);
        assert.equal(saved.submitted, false);
        assert.deepEqual(
          saved.branches.map((b) => b.status),
          ['succeed', 'prepared'],
        );
        assert.equal((await db.findGlobal(gid))?.status, Status.prepared);
      });
    }

    it('without sameBranches, moves it whatever branches it holds, and answers those (registered ones)', async function () {
      const gid = gidFor(this.test!.title);
      const saved = await prepareThenSubmit(gid, [], { likelyStored: true, submitPrepared: { sameBranches: false } });
      assert.ok(!saved.created);
      assert.equal(saved.submitted, true);
      assert.deepEqual(
        saved.branches.map((b) => b.branchId),
        ['01', '02'],
      );
    });

    it('moves nothing that is not prepared, and nothing without submitPrepared', async function () {
      const gid = gidFor(this.test!.title);
      const first = await prepareThenSubmit(gid, steps(gid, at(2)));
      assert.ok(!first.created && first.submitted);
      const again = await db.saveNew(record(gid, Status.submitted, at(3)), steps(gid, at(3)), same);
      assert.ok(!again.created);
      assert.equal(again.submitted, false);
      assert.equal(again.existing.updateTime.getTime(), at(2).getTime());
      assert.deepEqual(await statusEvents(gid), ['prepared>submitted']);

      const other = gidFor(`${this.test!.title} plain`);
      const plain = await prepareThenSubmit(other, steps(other, at(2)), { likelyStored: true });
      assert.ok(!plain.created);
      assert.equal(plain.submitted, false);
      assert.equal((await db.findGlobal(other))?.status, Status.prepared);
    });

    it('inserts a submit whose gid is new, as submitted', async function () {
      const gid = gidFor(this.test!.title);
      assert.deepEqual(await db.saveNew(record(gid, Status.submitted, at(2)), steps(gid, at(2)), same), {
        created: true,
      });
      assert.equal((await db.findGlobal(gid))?.status, Status.submitted);
      assert.equal((await db.findBranches(gid)).length, 2);
    });
  });
}
