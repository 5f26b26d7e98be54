import { describe, expect, it } from 'vitest';
import type { OrderLife } from '../../src/app/order-life-ports';
import { CSV_COLUMNS, formatOrderLivesTable, ordersCsv } from '../../src/ops/orders-life';
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

  it('exports the code and what it took in their own columns, empty for an order without one', () => {
    const csv = ordersCsv([
      life({ sessionId: 'cs_test_withCode01', code: 'BABES10', codeDiscount: 576, amountTotal: 5184 }),
      life({ sessionId: 'cs_test_noCode0001' }),
    ]);
    const [header = '', ...rows] = csv.split('\r\n').filter(Boolean);
    const columns = header.split(',');
    expect(columns).toEqual([...CSV_COLUMNS]);
    const cell = (sessionId: string, column: string) =>
      rows.find((row) => row.includes(sessionId))?.split(',')[columns.indexOf(column)];
    expect(cell('cs_test_withCode01', 'code')).toBe('BABES10');
    expect(cell('cs_test_withCode01', 'code_discount')).toBe('5.76');
    expect(cell('cs_test_withCode01', 'amount_total')).toBe('51.84');
    expect(cell('cs_test_noCode0001', 'code')).toBe('');
    expect(cell('cs_test_noCode0001', 'code_discount')).toBe('');
  });
});
