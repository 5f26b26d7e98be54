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

  it('shows a dispute’s status and evidence deadline, and what was refunded, in the payment column', () => {
    const payment = {
      state: 'disputed' as const,
      amountRefunded: 1000,
      refunds: [{ id: 're_1', amount: 1000, status: 'succeeded' }],
      dispute: {
        id: 'du_1',
        status: 'needs_response',
        amount: 6360,
        reason: 'fraudulent',
        evidenceDueBy: Date.UTC(2026, 11, 5, 23, 59) / 1000,
      },
      version: 2,
      updatedAt: 1_800_000_000,
    };
    const table = formatOrderLivesTable(
      [
        { ...life({ sessionId: 'cs_test_disputed01' }), payment },
        {
          ...life({ sessionId: 'cs_test_wonAfterRf' }),
          payment: {
            ...payment,
            state: 'refunded',
            dispute: { ...payment.dispute, status: 'won', evidenceDueBy: null },
          },
        },
      ],
      'No orders.',
    );
    const line = (id: string) => table.split('\n').find((l) => l.includes(id)) ?? '';
    expect(line('cs_test_disputed01')).toContain(
      'disputed (-$10.00; dispute needs_response, evidence by 2026-12-05)',
    );
    expect(line('cs_test_wonAfterRf')).toContain('refunded (-$10.00; dispute won)');
  });
});
