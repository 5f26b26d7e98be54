import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/domain/money';

const intlUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

describe('formatMoney', () => {
  it('writes dollars exactly as Intl does, without loading locale data', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        expect(formatMoney(cents, 'usd')).toBe(intlUsd.format(cents / 100));
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([0, 5, 99, 100, 640, 100_000, 123_456_789, -640, -100_000])(
    'writes %i cents as Intl does',
    (cents) => {
      expect(formatMoney(cents, 'usd')).toBe(intlUsd.format(cents / 100));
    },
  );
});
