import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as errors from '../../common/errors';
import { Limits } from '../../common/protocol/trans-body';

/** Every error class, built once, so the docs can be checked against the codes. */
const samples = [
  new errors.InvalidInput('x', { field: 'gid' }),
  new errors.NotFound('x'),
  new errors.BranchFailure('x'),
  new errors.BranchOngoing('x'),
  new errors.IllegalTransition('x'),
  new errors.Duplicated('x'),
  new errors.UpstreamError('x'),
  new errors.Conflict('x'),
  new errors.PayloadTooLarge('x'),
  new errors.UnsupportedMediaType('x'),
  new errors.Unavailable('x'),
  new errors.Unauthorized('x'),
];

describe('errors', () => {
  it('map to the protocol statuses', () => {
    assert.deepEqual(samples.map(errors.httpStatusOf), [400, 404, 409, 425, 409, 409, 502, 409, 413, 415, 503, 401]);
    assert.equal(errors.httpStatusOf(new Error('x')), 500);
  });

  it('carry dtm_result, code, message and field in the body', () => {
    assert.deepEqual(errors.errorBody(samples[0]), {
      dtm_result: 'ERROR',
      code: 'INVALID_INPUT',
      message: 'x',
      field: 'gid',
    });
    assert.equal(errors.errorBody(samples[2]).dtm_result, 'FAILURE');
    assert.equal(errors.errorBody(samples[3]).dtm_result, 'ONGOING');
  });

  it('are all listed in docs/errors.md with their status', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
    for (const e of samples) {
      assert.match(
        doc,
        new RegExp(`\\| \`${e.code}\` \\| ${errors.httpStatusOf(e)} \\|`),
        `docs/errors.md lacks a row for ${e.code}`,
      );
    }
    assert.match(doc, /\| `INTERNAL` \| 500 \|/);
  });

  it('docs/errors.md lists every limit with its value', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
    for (const [name, value] of Object.entries(Limits)) {
      const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${name}\``));
      assert.ok(row, `docs/errors.md lacks a limits row naming ${name}`);
      assert.ok(row.includes(String(value)), `the row of ${name} says ${value}: ${row}`);
    }
  });
});
