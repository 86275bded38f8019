import assert from 'node:assert/strict';
import { InvalidInput } from '../../common/errors';
import { isFinished, Status } from '../../common/protocol/vocabulary';
import { transTypeNames, transTypeOf } from '../../coordinator/trans-types/registry';

/** Every registered type against the TransType contract, so a new type is checked the day it is added. */
describe('transaction type registry', () => {
  it('knows saga, msg, tcc, xa and workflow', () => {
    for (const name of ['saga', 'msg', 'tcc', 'xa', 'workflow']) assert.ok(transTypeNames.includes(name), name);
  });

  for (const name of transTypeNames) {
    describe(`type ${name}`, () => {
      const type = transTypeOf(name);

      it('is registered under its own name', () => assert.equal(type.name, name));

      it('aborts only from unfinished statuses', () => {
        for (const from of type.abort?.from ?? []) assert.ok(!isFinished(from), `abort from ${from}`);
      });

      it('refuses input it cannot run with InvalidInput naming a field', () => {
        const bad = {
          gid: 'g',
          transType: name,
          steps: [{ action: 'not a url' }],
          payloads: ['{}'],
          customData: '[',
          queryPrepared: '',
        };
        try {
          type.validate(bad, 'submit');
        } catch (err) {
          assert.ok(err instanceof InvalidInput && err.field, String(err));
          return;
        }
        // A type that reads nothing from the body (tcc) registers its branches later instead.
        assert.ok(type.registerBranch, `${name} accepted a body it cannot run`);
      });

      it('stores new branches as prepared, with ids and ops', () => {
        const input = {
          gid: 'g',
          transType: name,
          steps: [{ action: 'http://h/a', compensate: 'http://h/c' }],
          payloads: ['{}'],
          customData: '',
          queryPrepared: 'http://h/q',
        };
        for (const b of type.genBranches(input, new Date())) {
          assert.equal(b.status, Status.prepared);
          assert.match(b.branchId, /^\d\d/);
          assert.ok(b.op);
        }
      });

      if (type.registerBranch) {
        it('registers branches from the fields it needs, naming a missing one', () => {
          assert.throws(
            () => type.registerBranch!({ gid: 'g', branchId: '01', data: '', fields: {} }, new Date()),
            (e: unknown) => e instanceof InvalidInput && e.field !== undefined,
          );
        });
      }
    });
  }
});
