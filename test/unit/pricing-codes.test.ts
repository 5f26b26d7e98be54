import { describe, expect, it } from 'vitest';
import type { CartItem } from '../../src/domain/cart';
import { normaliseCode, type StoredCode } from '../../src/domain/discount-code';
import { priceCart } from '../../src/domain/pricing';
import { applyCode, refuseCode } from '../../src/domain/pricing-codes';
import { loadSampleCatalog } from '../support/catalog-factory';
import { testStoredCode } from '../support/codes';

/*
 * Codes on the sample catalog. Expected amounts are worked out by hand from the rules in
 * docs/pricing.md ("Discount codes"): tees are $32.00 (TEE-CROP-BLK $30.00), "Tee stack" takes 10%
 * off two tees, stickers are 3 for $10.
 */

const catalog = loadSampleCatalog();
const NOW = Date.parse('2026-11-26T12:00:00Z') / 1000;

function code(overrides: Partial<StoredCode> = {}): StoredCode {
  return testStoredCode('BABES10', { createdAt: NOW - 3_600, ...overrides });
}

function price(items: CartItem[], found: StoredCode | null, typed = 'BABES10') {
  return applyCode(catalog, items, priceCart(catalog, items), { code: typed, found, now: NOW });
}

const TWO_TEES = [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }];

describe('a code on a priced cart', () => {
  it('on top of bundles takes its percentage of what the bundles leave', () => {
    const priced = price(TWO_TEES, code());
    // $64.00 − 10% (Tee stack) = $57.60; 10% of that is $5.76.
    expect(priced.appliedBundles.map((b) => [b.id, b.discount])).toEqual([['tee-tiers', 640]]);
    expect(priced.code).toEqual({
      code: 'BABES10',
      status: 'applied',
      discount: 576,
      message: 'BABES10 applied: 10% off — you save $5.76.',
    });
    expect(priced.discount).toBe(1_216);
    expect(priced.total).toBe(5_184);
    expect(priced.lines[0]?.discount).toBe(1_216);
  });

  it('best-of keeps the bundles on a tie, spending no use of the code', () => {
    // 10% alone is $6.40, exactly what the Tee stack saves.
    const priced = price(TWO_TEES, code({ combination: 'best_of' }));
    expect(priced.code?.status).toBe('worse_than_bundles');
    expect(priced.code?.discount).toBe(0);
    expect(priced.code?.message).toContain('$6.40 are just as good');
    expect(priced.discount).toBe(640);
  });

  it('best-of takes the code alone, without the bundles, when it saves more', () => {
    const priced = price(
      TWO_TEES,
      code({ combination: 'best_of', discount: { kind: 'percent', percentOff: 15 } }),
    );
    expect(priced.code?.status).toBe('applied');
    expect(priced.code?.discount).toBe(960);
    expect(priced.appliedBundles).toEqual([]);
    expect(priced.total).toBe(6_400 - 960);
  });

  it('caps an amount off at what is left to pay: the total is never below zero', () => {
    const priced = price(
      TWO_TEES,
      code({ discount: { kind: 'amount_off', amountOff: 10_000, currency: 'usd' } }),
    );
    expect(priced.code?.discount).toBe(5_760);
    expect(priced.total).toBe(0);
    expect(priced.lines[0]?.total).toBe(0);
  });

  it('applies only to what it covers, after that line’s bundle', () => {
    const items = [
      { sku: 'STICKER-HEART', quantity: 3 },
      { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
    ];
    const priced = price(
      items,
      code({
        scope: { kind: 'skus', skus: ['STICKER-HEART'] },
        discount: { kind: 'percent', percentOff: 50 },
      }),
    );
    // Three stickers for $10 leave $10.00 on the sticker line; half of it is $5.00.
    expect(priced.code?.discount).toBe(500);
    expect(priced.lines.find((l) => l.sku === 'TEE-CLASSIC-BLK-M')?.discount).toBe(640);
    expect(priced.lines.find((l) => l.sku === 'STICKER-HEART')?.discount).toBe(200 + 500);
    expect(priced.code?.message).toBe('BABES10 applied: 50% off selected items — you save $5.00.');
  });

  it('says how much more to spend below its minimum', () => {
    const priced = price(TWO_TEES, code({ minSubtotal: 10_000 }));
    expect(priced.code).toMatchObject({ status: 'min_subtotal_not_met', discount: 0 });
    expect(priced.code?.message).toBe('Spend $100.00 to use this code — add $36.00 more.');
    expect(priced.total).toBe(6_400 - 640);
  });

  it('does not apply to a cart of nothing it covers', () => {
    const priced = price(TWO_TEES, code({ scope: { kind: 'collections', collections: ['hoodies'] } }));
    expect(priced.code?.status).toBe('not_applicable');
    expect(priced.discount).toBe(640);
  });

  it('names each reason a code cannot apply, and still prices the cart', () => {
    const cases: [StoredCode | null, string, string][] = [
      [null, 'unknown', 'We don’t recognise this code. Check the spelling and try again.'],
      [code({ enabled: false }), 'expired', 'This code is no longer valid.'],
      [code({ endsAt: NOW }), 'expired', 'This code has expired.'],
      [
        code({ startsAt: Date.parse('2026-12-01T00:00:00Z') / 1000 }),
        'not_started',
        'This code can be used from 1 December 2026, 00:00 UTC.',
      ],
      [code({ limit: 10, used: 7, held: 3 }), 'limit_reached', 'This code has been used up.'],
    ];
    for (const [found, status, message] of cases) {
      const priced = price(TWO_TEES, found);
      expect(priced.code).toEqual({ code: 'BABES10', status, discount: 0, message });
      expect(priced.total).toBe(5_760);
    }
    // One use left (7 paid, 2 held of 10): still applies.
    expect(price(TWO_TEES, code({ limit: 10, used: 7, held: 2 })).code?.status).toBe('applied');
  });

  it('re-prices hints with the code: the saving said is the saving got', () => {
    const priced = price([{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }], code());
    const hint = priced.hints.find((h) => h.bundleId === 'tee-tiers');
    expect(hint?.addition).toEqual([{ sku: 'TEE-CROP-BLK', quantity: 1 }]);
    // Now: 10% of $32.00 = $3.20. With a $30.00 crop tee: Tee stack $6.20, then 10% of $55.80 = $5.58;
    // $11.78 in all, $8.58 more.
    expect(hint?.extraSaving).toBe(858);
    expect(hint?.message).toBe('Add 1 more tee to get 10% off — save $8.58 more');
  });

  it('refused before a look-up, the cart prices as it is and the shopper hears why', () => {
    const priced = refuseCode(priceCart(catalog, TWO_TEES), 'BABES10', 'too_many_attempts', 1_500);
    expect(priced.code).toEqual({
      code: 'BABES10',
      status: 'too_many_attempts',
      discount: 0,
      message: 'Too many codes were tried. Please wait 25 minutes and try again.',
    });
    expect(priced.total).toBe(5_760);
  });
});

describe('normaliseCode', () => {
  it('reads a code however it is typed, and refuses what cannot be one', () => {
    expect(normaliseCode('  babes10 ')).toBe('BABES10');
    expect(normaliseCode('Summer-Sale_2026')).toBe('SUMMER-SALE_2026');
    expect(normaliseCode('ab')).toBeNull();
    expect(normaliseCode('-LEADING')).toBeNull();
    expect(normaliseCode('WITH SPACE')).toBeNull();
    expect(normaliseCode('X'.repeat(33))).toBeNull();
  });
});
