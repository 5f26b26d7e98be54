import { describe, expect, it } from 'vitest';
import type { OrderLife } from '../../src/app/order-life-ports';
import { formatOrderLivesTable } from '../../src/ops/orders-life';
import { makeOrder } from '../support/orders';

function life(overrides: Parameters<typeof makeOrder>[0] = {}): OrderLife {
  return {
    order: makeOrder(overrides),
    payment: null,
    history: [],
    shipment: null,
    alertedSeq: 0,
    shipMailedVersion: 0,
  };
}

describe('the orders list (npm run orders -- list)', () => {
  it('names the discount code after the total of an order paid with one, and nothing for one without', () => {
    const table = formatOrderLivesTable(
      [
        life({ sessionId: 'cs_test_withCode01', code: 'BABES10', codeDiscount: 576, amountTotal: 5184 }),
        life({ sessionId: 'cs_test_noCode0001' }),
      ],
      'No orders.',
    );
    const [withCode, without] = ['cs_test_withCode01', 'cs_test_noCode0001'].map(
      (id) => table.split('\n').find((line) => line.includes(id)) ?? '',
    );
    expect(withCode).toContain('$51.84 (code BABES10)');
    expect(without).toContain('$73.60');
    expect(without).not.toContain('(code');
  });
});
