import assert from 'node:assert/strict';
import { IllegalTransition } from '../../common/errors';
import { classifyAnswer, isFinished } from '../../common/protocol/vocabulary';
import { firstIntervalMs, nextIntervalMs } from '../../coordinator/trans/backoff';
import { assertMove, canMove } from '../../coordinator/model/status';

describe('status transitions', () => {
  it('allows the protocol moves', () => {
    assert.ok(canMove('prepared', 'submitted'));
    assert.ok(canMove('submitted', 'aborting'));
    assert.ok(canMove('aborting', 'failed'));
    assert.ok(canMove('submitted', 'succeed'));
    assert.ok(canMove('prepared', 'succeed'), 'a workflow client reports its end');
  });
  it('refuses moves out of a final status, and backwards', () => {
    assert.ok(!canMove('succeed', 'failed'));
    assert.ok(!canMove('failed', 'submitted'));
    assert.ok(!canMove('aborting', 'succeed'));
    assert.throws(
      () => assertMove('g1', 'succeed', 'submitted'),
      (e: unknown) => e instanceof IllegalTransition && /g1 is 'succeed'/.test(e.message),
    );
  });
  it('knows the final statuses', () => {
    assert.deepEqual(
      ['prepared', 'submitted', 'aborting', 'succeed', 'failed'].map((s) => isFinished(s as never)),
      [false, false, false, true, true],
    );
  });
});

describe('back-off', () => {
  const defaults = { retryIntervalMs: 10_000, maxRetryIntervalMs: 60_000 };
  it('starts from retry_interval, a shorter timeout_to_fail, or the default', () => {
    assert.equal(firstIntervalMs({ retry_interval: 3 }, defaults), 3000);
    assert.equal(firstIntervalMs({ timeout_to_fail: 4 }, defaults), 4000);
    assert.equal(firstIntervalMs({ timeout_to_fail: 40 }, defaults), 10_000);
    assert.equal(firstIntervalMs({}, defaults), 10_000);
  });
  it("caps a caller's retry_interval at the configured maximum, as the doubling is capped", () => {
    assert.equal(firstIntervalMs({ retry_interval: 86_400 }, defaults), 60_000);
    assert.equal(
      nextIntervalMs('backoff', firstIntervalMs({ retry_interval: 86_400 }, defaults), {}, defaults),
      60_000,
    );
  });
  it('doubles on error up to the cap, keeps on ONGOING, resets on progress', () => {
    assert.equal(nextIntervalMs('backoff', 10_000, {}, defaults), 20_000);
    assert.equal(nextIntervalMs('backoff', 40_000, {}, defaults), 60_000);
    assert.equal(nextIntervalMs('keep', 40_000, {}, defaults), 40_000);
    assert.equal(nextIntervalMs('reset', 40_000, { retry_interval: 2 }, defaults), 2000);
  });
});

describe('reading an answer as DTM does', () => {
  it('maps status codes and result words', () => {
    assert.equal(classifyAnswer(200, '{"dtm_result":"SUCCESS"}'), 'SUCCESS');
    assert.equal(classifyAnswer(409, ''), 'FAILURE');
    assert.equal(classifyAnswer(200, '{"dtm_result":"FAILURE"}'), 'FAILURE');
    assert.equal(classifyAnswer(425, ''), 'ONGOING');
    assert.equal(classifyAnswer(200, 'ONGOING'), 'ONGOING');
    assert.equal(classifyAnswer(500, 'boom'), 'ERROR');
    assert.equal(classifyAnswer(400, 'bad'), 'ERROR');
  });
});
