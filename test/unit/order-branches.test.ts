import assert from 'node:assert/strict';
import { ORDER_SAGA_STEPS, TCC_RESOURCES } from '../../order/order-request';

describe('the order example’s branch ids', () => {
  it('a TCC’s branches run in the saga’s order, so one branch id names the stock branch of both', () => {
    // The checker finds the stock a transaction holds by that one branch id (check/order-balance.ts).
    assert.deepEqual(
      ORDER_SAGA_STEPS.map((step) => TCC_RESOURCES.find((resource) => step.startsWith(resource))),
      [...TCC_RESOURCES],
    );
  });
});
