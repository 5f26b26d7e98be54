import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartItem } from '../../src/domain/cart';
import { maxQuantityOf } from '../../src/domain/catalog';
import { percentOf } from '../../src/domain/money';
import { priceCart } from '../../src/domain/pricing';
import { chooseBundles } from '../../src/domain/pricing-search';
import {
  bruteForceDiscount,
  crowdedScenarioArb,
  eligible,
  scenarioArb,
} from '../support/pricing-arbitraries';

/*
 * The engine against an independent exhaustive search on random small catalogs and carts
 * (test/support/pricing-arbitraries.ts).
 */

const shuffled = <T>(values: readonly T[], seed: number): T[] => {
  const copy = [...values];
  let state = seed || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

/** The same contents, split into one-unit lines and reordered. */
const scrambled = (items: readonly CartItem[], seed: number): CartItem[] =>
  shuffled(
    items.flatMap((item) => Array.from({ length: item.quantity }, () => ({ sku: item.sku, quantity: 1 }))),
    seed,
  );

const RUNS = { numRuns: 300 };

describe('priceCart on random catalogs and carts', () => {
  it('finds the same total discount as an exhaustive search over every assignment of units', () => {
    fc.assert(
      fc.property(scenarioArb, ({ catalog, items }) => {
        const priced = priceCart(catalog, items);
        expect(priced.search).toBe('exact');
        expect(priced.discount).toBe(bruteForceDiscount(catalog, items));
      }),
      RUNS,
    );
  });

  it('matches the exhaustive search on crowded carts where bundles compete for units', () => {
    fc.assert(
      fc.property(crowdedScenarioArb, ({ catalog, items }) => {
        expect(priceCart(catalog, items).discount).toBe(bruteForceDiscount(catalog, items));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the money consistent: line shares sum to the discount, totals subtract, shares within lines', () => {
    fc.assert(
      fc.property(scenarioArb, ({ catalog, items }) => {
        const priced = priceCart(catalog, items);
        expect(priced.lines.reduce((sum, line) => sum + line.discount, 0)).toBe(priced.discount);
        expect(priced.lines.reduce((sum, line) => sum + line.subtotal, 0)).toBe(priced.subtotal);
        expect(priced.total).toBe(priced.subtotal - priced.discount);
        for (const line of priced.lines) {
          expect(Number.isInteger(line.discount)).toBe(true);
          expect(line.discount).toBeGreaterThanOrEqual(0);
          expect(line.discount).toBeLessThanOrEqual(line.subtotal);
          expect(line.total).toBe(line.subtotal - line.discount);
        }
        expect(priced.appliedBundles.reduce((sum, b) => sum + b.discount, 0)).toBe(priced.discount);
      }),
      RUNS,
    );
  });

  it('gives the same answer whatever the order and splitting of the items', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 1_000_000 }), ({ catalog, items }, seed) => {
        expect(priceCart(catalog, scrambled(items, seed))).toEqual(priceCart(catalog, items));
      }),
      RUNS,
    );
  });

  it('never uses a unit twice: applications fit inside the cart and each is a valid, saving application', () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom(1, 3, 20_000), ({ catalog, items }, budget) => {
        const lines = items.map((item) => ({
          product: catalog.productsBySku.get(item.sku) ?? fail(item.sku),
          quantity: item.quantity,
        }));
        // Merge duplicates as priceCart would; chooseBundles expects normalised lines.
        const merged = [...new Map(lines.map((l) => [l.product.sku, l])).values()].map((l) => ({
          product: l.product,
          quantity: items.filter((i) => i.sku === l.product.sku).reduce((s, i) => s + i.quantity, 0),
        }));
        const choice = chooseBundles(catalog, merged, budget);
        const used = new Map<string, number>();
        const tieredSeen = new Set<number>();
        for (const application of choice.applications) {
          const bundle = catalog.activeBundles[application.bundleIndex] ?? fail('bundle');
          const skus = application.units.flatMap((u) => Array.from({ length: u.quantity }, () => u.sku));
          for (const sku of skus) {
            expect(eligible(bundle, catalog, sku)).toBe(true);
            used.set(sku, (used.get(sku) ?? 0) + 1);
          }
          const sum = skus.reduce((s, sku) => s + (catalog.productsBySku.get(sku)?.unitAmount ?? 0), 0);
          if (bundle.kind === 'tiered_percent') {
            expect(tieredSeen.has(application.bundleIndex)).toBe(false);
            tieredSeen.add(application.bundleIndex);
            const tier = bundle.tiers.filter((t) => skus.length >= t.minQuantity).pop() ?? fail('tier');
            expect(application.discount).toBe(percentOf(sum, tier.percentOff));
          } else if (bundle.kind === 'multi_buy') {
            expect(skus.length).toBe(bundle.quantity);
            expect(application.discount).toBe(sum - bundle.price);
          } else {
            for (const item of bundle.items) {
              expect(skus.filter((s) => s === item.sku).length).toBe(item.quantity);
            }
          }
          expect(application.discount).toBeGreaterThan(0);
        }
        for (const [sku, n] of used) {
          expect(n).toBeLessThanOrEqual(merged.find((l) => l.product.sku === sku)?.quantity ?? 0);
        }
        expect(choice.discount).toBeLessThanOrEqual(bruteForceDiscount(catalog, items));
      }),
      RUNS,
    );
  });

  it('falls back to the heuristic under a tiny budget and still prices consistently', () => {
    fc.assert(
      fc.property(scenarioArb, ({ catalog, items }) => {
        const priced = priceCart(catalog, items, { searchBudget: 1 });
        expect(priced.discount).toBeLessThanOrEqual(bruteForceDiscount(catalog, items));
        expect(priced.lines.reduce((sum, line) => sum + line.discount, 0)).toBe(priced.discount);
        expect(priced.total).toBe(priced.subtotal - priced.discount);
      }),
      RUNS,
    );
  });

  it('keeps hints true under a small search budget, where hint work runs out or the heuristic prices', () => {
    fc.assert(
      fc.property(crowdedScenarioArb, fc.integer({ min: 1, max: 60 }), ({ catalog, items }, searchBudget) => {
        const priced = priceCart(catalog, items, { searchBudget });
        for (const hint of priced.hints) {
          const after = priceCart(catalog, [...items, ...(hint.addition ?? [])], { searchBudget });
          expect(after.discount - priced.discount).toBe(hint.extraSaving);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('only gives hints that are positive, at most three, largest first, allowed, and true on re-pricing', () => {
    fc.assert(
      fc.property(scenarioArb, ({ catalog, items }) => {
        const priced = priceCart(catalog, items);
        expect(priced.hints.length).toBeLessThanOrEqual(3);
        priced.hints.forEach((hint, i) => {
          expect(hint.extraSaving).toBeGreaterThan(0);
          const previous = priced.hints[i - 1];
          if (previous) expect(hint.extraSaving).toBeLessThanOrEqual(previous.extraSaving);
          const addition = hint.addition ?? fail('addition');
          expect(addition.reduce((sum, a) => sum + a.quantity, 0)).toBe(hint.quantityToAdd);
          for (const { sku, quantity } of addition) {
            const product = catalog.productsBySku.get(sku) ?? fail(sku);
            expect(product.active).toBe(true);
            const inCart = items.filter((i) => i.sku === sku).reduce((s, i) => s + i.quantity, 0);
            expect(inCart + quantity).toBeLessThanOrEqual(maxQuantityOf(catalog, product));
          }
          const after = priceCart(catalog, [...items, ...addition]);
          expect(after.discount - priced.discount).toBe(hint.extraSaving);
        });
      }),
      RUNS,
    );
  });
});

function fail(what: string): never {
  throw new Error(`test setup: ${what} missing`);
}
