import type { OrderRecord } from '../../src/app/ports';

/** A paid order as fulfilment records it (two lines, a coupon, a US address), with overrides. */
export function makeOrder(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    sessionId: 'cs_test_a1B2c3D4e5F6g7H8',
    paidAt: '2026-11-26T18:04:05.000Z',
    paymentStatus: 'paid',
    currency: 'usd',
    amountSubtotal: 7600,
    amountDiscount: 840,
    amountShipping: 600,
    amountTax: 0,
    amountTotal: 7360,
    lines: [
      { sku: 'STICKER-HEART', name: 'Heart Sticker', quantity: 3, unitAmount: 400, total: 1000 },
      { sku: 'TEE-CLASSIC-BLK', name: 'Classic Tee — Black', quantity: 2, unitAmount: 3200, total: 5760 },
    ],
    customerEmail: 'jane.doe@example.com',
    customerName: 'Jane Doe',
    shippingAddress: {
      line1: '1 Main St',
      line2: null,
      city: 'Portland',
      state: 'OR',
      postal_code: '97201',
      country: 'US',
    },
    discountMode: 'coupon',
    problems: [],
    paymentIntentId: null,
    ...overrides,
  };
}
