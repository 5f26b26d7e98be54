import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartItem } from '../../src/domain/cart';
import type { Catalog } from '../../src/domain/catalog';
import type { StoredCode } from '../../src/domain/discount-code';
import { percentOf } from '../../src/domain/money';
import type { PricedCart } from '../../src/domain/priced-cart';
import { type HintPricings, priceCart } from '../../src/domain/pricing';
import { applyCode } from '../../src/domain/pricing-codes';
import { testStoredCode } from '../support/codes';
import {
  bruteForceBest,
  bruteForceDiscount,
  COLLECTIONS,
  crowdedScenarioArb,
  scenarioArb,
} from '../support/pricing-arbitraries';

/*
 * Codes on top of the bundle engine, against the exhaustive search of every bundle assignment
 * (test/support/pricing-arbitraries.ts). The code's own rule — a percentage of a base rounded half up,
 * or an amount capped at the base — is written out again here, independently of pricing-codes.ts.
 */

const NOW = 1_800_000_000;

const codeArb = (catalog: Catalog, scoped: 'all' | 'scoped' | 'any') => {
  const skus = catalog.products.map((p) => p.sku);
  const scopeArb = {
    all: fc.constant({ kind: 'all' as const }),
    scoped: fc.oneof(
      fc
        .subarray([...COLLECTIONS], { minLength: 1 })
        .map((collections) => ({ kind: 'collections' as const, collections })),
      fc.subarray(skus, { minLength: 1 }).map((list) => ({ kind: 'skus' as const, skus: list })),
    ),
  };
  return fc
    .record({
      discount: fc.oneof(
        fc.integer({ min: 1, max: 100 }).map((percentOff) => ({ kind: 'percent' as const, percentOff })),
        fc
          .integer({ min: 1, max: 6000 })
          .map((amountOff) => ({ kind: 'amount_off' as const, amountOff, currency: 'usd' as const })),
      ),
      scope: scoped === 'any' ? fc.oneof(scopeArb.all, scopeArb.scoped) : scopeArb[scoped],
      combination: fc.constantFrom('with_bundles' as const, 'best_of' as const),
      minSubtotal: fc.option(fc.integer({ min: 0, max: 8000 }), { nil: null }),
    })
    .map((parts) => testStoredCode('PROP10', { ...parts, createdAt: NOW - 60 }));
};

const withCode = (scoped: 'all' | 'scoped' | 'any', scenarios = scenarioArb) =>
  scenarios.chain(({ catalog, items }) =>
    fc.record({ catalog: fc.constant(catalog), items: fc.constant(items), code: codeArb(catalog, scoped) }),
  );

/** The code's rule on a base, written again: percent rounded half up, or the amount capped. */
function codeOn(code: StoredCode, base: number): number {
  if (base <= 0) return 0;
  return code.discount.kind === 'percent'
    ? percentOf(base, code.discount.percentOff)
    : Math.min(code.discount.amountOff, base);
}

function covers(catalog: Catalog, code: StoredCode, sku: string): boolean {
  const product = catalog.productsBySku.get(sku);
  if (!product) return false;
  if (code.scope.kind === 'all') return true;
  if (code.scope.kind === 'skus') return code.scope.skus.includes(sku);
  const { collections } = code.scope;
  return product.collections.some((c) => collections.includes(c));
}

/** As the quote route prices: the hints' own bundle choices kept for the code. */
function price(catalog: Catalog, items: readonly CartItem[], code: StoredCode): PricedCart {
  const hintPricings: HintPricings = new Map();
  return applyCode(
    catalog,
    items,
    priceCart(catalog, items, { hintPricings }),
    { code: code.code, found: code, now: NOW },
    { hintPricings },
  );
}

const RUNS = { numRuns: 300 };

describe('discount codes on random catalogs and carts', () => {
  it('gives the cheapest total any bundle assignment and a whole-cart code allow', () => {
    fc.assert(
      fc.property(withCode('all'), ({ catalog, items, code }) => {
        const priced = price(catalog, items, code);
        const subtotal = priced.subtotal;
        const eligible = subtotal > 0 && (code.minSubtotal === null || subtotal >= code.minSubtotal);
        const bundlesOnly = bruteForceDiscount(catalog, items);
        const expected = !eligible
          ? bundlesOnly
          : code.combination === 'with_bundles'
            ? // Every assignment of units to bundles, with the code on what each leaves to pay.
              bruteForceBest(catalog, items, (b) => b + codeOn(code, subtotal - b))
            : Math.max(bundlesOnly, codeOn(code, subtotal));
        expect(priced.discount).toBe(expected);
      }),
      RUNS,
    );
  });

  it('best-of takes the larger of the best bundles and the code alone, whatever the code covers', () => {
    fc.assert(
      fc.property(withCode('any'), ({ catalog, items, code }) => {
        fc.pre(code.combination === 'best_of');
        const priced = price(catalog, items, code);
        const covered = priced.lines
          .filter((line) => covers(catalog, code, line.sku))
          .reduce((sum, line) => sum + line.subtotal, 0);
        const eligible = covered > 0 && (code.minSubtotal === null || covered >= code.minSubtotal);
        const bundles = bruteForceDiscount(catalog, items);
        const alone = eligible ? codeOn(code, covered) : 0;
        expect(priced.discount).toBe(Math.max(bundles, alone));
        // Either the bundles or the code, never both.
        if (priced.code?.status === 'applied') {
          expect(alone).toBeGreaterThan(bundles);
          expect(priced.appliedBundles).toEqual([]);
          expect(priced.code.discount).toBe(alone);
        } else {
          expect(priced.code?.discount).toBe(0);
        }
      }),
      RUNS,
    );
  });

  it('combined with bundles, takes the best bundles and then the code on what they leave of what it covers', () => {
    fc.assert(
      fc.property(withCode('any'), ({ catalog, items, code }) => {
        fc.pre(code.combination === 'with_bundles');
        const bundlesOnly = priceCart(catalog, items);
        const priced = price(catalog, items, code);
        expect(bundlesOnly.discount).toBe(bruteForceDiscount(catalog, items));
        expect(priced.appliedBundles).toEqual(bundlesOnly.appliedBundles);
        const coveredSubtotal = bundlesOnly.lines
          .filter((line) => covers(catalog, code, line.sku))
          .reduce((sum, line) => sum + line.subtotal, 0);
        const left = bundlesOnly.lines
          .filter((line) => covers(catalog, code, line.sku))
          .reduce((sum, line) => sum + line.total, 0);
        const eligible =
          coveredSubtotal > 0 && (code.minSubtotal === null || coveredSubtotal >= code.minSubtotal);
        const codeDiscount = eligible ? codeOn(code, left) : 0;
        expect(priced.discount).toBe(bundlesOnly.discount + codeDiscount);
        expect(priced.code?.discount).toBe(codeDiscount);
        // The code's shares fall on the lines it covers only.
        priced.lines.forEach((line, i) => {
          const before = bundlesOnly.lines[i];
          if (!covers(catalog, code, line.sku)) expect(line.discount).toBe(before?.discount);
        });
      }),
      RUNS,
    );
  });

  it('keeps the money consistent: shares sum to the discount, never above a line, no total below zero', () => {
    fc.assert(
      fc.property(withCode('any'), ({ catalog, items, code }) => {
        const priced = price(catalog, items, code);
        expect(priced.lines.reduce((sum, line) => sum + line.discount, 0)).toBe(priced.discount);
        expect(priced.total).toBe(priced.subtotal - priced.discount);
        expect(priced.total).toBeGreaterThanOrEqual(0);
        for (const line of priced.lines) {
          expect(Number.isInteger(line.discount)).toBe(true);
          expect(line.discount).toBeGreaterThanOrEqual(0);
          expect(line.discount).toBeLessThanOrEqual(line.subtotal);
          expect(line.total).toBe(line.subtotal - line.discount);
        }
        const bundles = priced.appliedBundles.reduce((sum, b) => sum + b.discount, 0);
        expect(bundles + (priced.code?.discount ?? 0)).toBe(priced.discount);
        if (priced.code?.status === 'applied') expect(priced.code.discount).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('never lets an amount-off code take more than the items it covers cost', () => {
    fc.assert(
      fc.property(withCode('any'), ({ catalog, items, code }) => {
        fc.pre(code.discount.kind === 'amount_off');
        const priced = price(catalog, items, code);
        const coveredTotal = priced.lines
          .filter((line) => covers(catalog, code, line.sku))
          .reduce((sum, line) => sum + line.total, 0);
        expect(coveredTotal).toBeGreaterThanOrEqual(0);
        expect(priced.code?.discount ?? 0).toBeLessThanOrEqual(code.discount.amountOff);
      }),
      RUNS,
    );
  });

  it('gives the same answer whatever the order and splitting of the items', () => {
    fc.assert(
      fc.property(withCode('any'), fc.nat(), ({ catalog, items, code }, turn) => {
        // One line per unit, rotated and reversed.
        const units = items.flatMap((item) =>
          Array.from({ length: item.quantity }, () => ({ sku: item.sku, quantity: 1 })),
        );
        const at = units.length === 0 ? 0 : turn % units.length;
        const reordered = [...units.slice(at), ...units.slice(0, at)].reverse();
        expect(price(catalog, reordered, code)).toEqual(price(catalog, items, code));
      }),
      RUNS,
    );
  });

  it('keeps hints true with the code: each extra saving is what the cart with its addition saves, code included', () => {
    fc.assert(
      fc.property(withCode('any', crowdedScenarioArb), ({ catalog, items, code }) => {
        const priced = price(catalog, items, code);
        for (const hint of priced.hints) {
          const after = price(catalog, [...items, ...(hint.addition ?? [])], code);
          expect(after.discount - priced.discount).toBe(hint.extraSaving);
          expect(hint.extraSaving).toBeGreaterThan(0);
          // The hint's bundle is part of the re-priced cart.
          expect(after.appliedBundles.map((b) => b.id)).toContain(hint.bundleId);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('prices a quote from the cache (no hint choices at hand, so hints are re-priced) exactly as a fresh one', () => {
    fc.assert(
      fc.property(withCode('scoped', crowdedScenarioArb), ({ catalog, items, code }) => {
        const fresh = price(catalog, items, code);
        const cached = applyCode(catalog, items, priceCart(catalog, items), {
          code: code.code,
          found: code,
          now: NOW,
        });
        expect(cached).toEqual(fresh);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves the cart as the bundles priced it when the code cannot apply, and says why', () => {
    const unusable = fc.constantFrom(
      { change: { enabled: false }, status: 'expired' },
      { change: { endsAt: NOW }, status: 'expired' },
      { change: { startsAt: NOW + 1 }, status: 'not_started' },
      { change: { limit: 3, used: 2, held: 1 }, status: 'limit_reached' },
    );
    fc.assert(
      fc.property(withCode('any'), unusable, ({ catalog, items, code }, { change, status }) => {
        const bundlesOnly = priceCart(catalog, items);
        const priced = applyCode(catalog, items, bundlesOnly, {
          code: code.code,
          found: { ...code, ...change },
          now: NOW,
        });
        expect(priced.code?.status).toBe(status);
        expect(priced.code?.discount).toBe(0);
        const { code: _, ...amounts } = priced;
        expect(amounts).toEqual(bundlesOnly);
      }),
      { numRuns: 100 },
    );
  });
});
