import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartItem } from '../../src/domain/cart';
import { type Bundle, type Catalog, maxQuantityOf, parseCatalog } from '../../src/domain/catalog';
import { percentOf } from '../../src/domain/money';
import { priceCart } from '../../src/domain/pricing';
import { chooseBundles } from '../../src/domain/pricing-search';

/*
 * The engine against an independent exhaustive search on random small catalogs and carts: every
 * assignment of every unit to "no bundle" or to one application of a bundle it is eligible for.
 */

const COLLECTIONS = ['a', 'b'] as const;

const productArb = (index: number) =>
  fc.record({
    sku: fc.constant(`P${index}`),
    name: fc.constant(`Product ${index}`),
    unitAmount: fc.oneof(
      fc.constantFrom(0, 100, 350, 400, 500, 1000, 1200),
      fc.integer({ min: 1, max: 3000 }),
    ),
    currency: fc.constant('usd' as const),
    active: fc.oneof(
      { arbitrary: fc.constant(true), weight: 5 },
      { arbitrary: fc.constant(false), weight: 1 },
    ),
    maxQuantity: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    collections: fc.subarray([...COLLECTIONS], { minLength: 1 }),
    tags: fc.constant([]),
  });

const tieredArb = fc
  .record({
    collection: fc.constantFrom(...COLLECTIONS),
    first: fc.record({
      minQuantity: fc.integer({ min: 1, max: 3 }),
      percentOff: fc.integer({ min: 1, max: 60 }),
    }),
    second: fc.option(
      fc.record({
        extraQuantity: fc.integer({ min: 1, max: 3 }),
        extraPercent: fc.integer({ min: 1, max: 40 }),
      }),
      { nil: undefined },
    ),
  })
  .map(({ collection, first, second }) => ({
    kind: 'tiered_percent' as const,
    collection,
    unit: { one: 'item', other: 'items' },
    tiers: second
      ? [
          first,
          {
            minQuantity: first.minQuantity + second.extraQuantity,
            percentOff: first.percentOff + second.extraPercent,
          },
        ]
      : [first],
  }));

const multiBuyArb = fc.record({
  kind: fc.constant('multi_buy' as const),
  collection: fc.constantFrom(...COLLECTIONS),
  unit: fc.constant({ one: 'item', other: 'items' }),
  quantity: fc.integer({ min: 2, max: 3 }),
  price: fc.integer({ min: 0, max: 2000 }),
});

const setArb = (productCount: number) =>
  fc
    .record({
      skus: fc.uniqueArray(fc.integer({ min: 0, max: productCount - 1 }), { minLength: 2, maxLength: 3 }),
      quantities: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
      saving: fc.oneof(
        fc.record({ price: fc.integer({ min: 0, max: 4000 }) }),
        fc.record({ percentOff: fc.integer({ min: 1, max: 100 }) }),
      ),
    })
    .map(({ skus, quantities, saving }) => ({
      kind: 'set' as const,
      items: skus.map((i, n) => ({ sku: `P${i}`, quantity: quantities[n] ?? 1 })),
      ...saving,
    }));

/** Raw catalog data; some draws are invalid (a collection with no active product) and are skipped. */
const catalogArb = fc
  .integer({ min: 2, max: 4 })
  .chain((count) =>
    fc.record({
      products: fc.tuple(...Array.from({ length: count }, (_, i) => productArb(i))),
      bundles: fc.array(fc.oneof(tieredArb, multiBuyArb, setArb(count)), { minLength: 2, maxLength: 4 }),
    }),
  )
  .map(({ products, bundles }) => {
    try {
      return parseCatalog({
        version: 'prop',
        currency: 'usd',
        defaultMaxQuantity: 10,
        products,
        bundles: bundles.map((b, i) => ({ ...b, id: `b${i}`, name: `Bundle ${i}` })),
      });
    } catch {
      return undefined;
    }
  })
  .filter((catalog): catalog is Catalog => catalog !== undefined);

/**
 * A cart of at most 8 units of the catalog's active products, within each product's maximum. With
 * `minUnits`, the draw is topped up (cheapest way: products in catalog order) to at least that many.
 */
const cartArb = (catalog: Catalog, minUnits = 0) => {
  const active = catalog.products.filter((p) => p.active);
  return fc
    .array(fc.record({ index: fc.nat(), quantity: fc.integer({ min: 1, max: 3 }) }), { maxLength: 8 })
    .map((draws) => {
      const items: CartItem[] = [];
      const taken = new Map<string, number>();
      let units = 0;
      const add = (sku: string, quantity: number) => {
        const product = catalog.productsBySku.get(sku);
        if (!product) return;
        const room = maxQuantityOf(catalog, product) - (taken.get(sku) ?? 0);
        const n = Math.min(quantity, room, 8 - units);
        if (n <= 0) return;
        items.push({ sku, quantity: n });
        taken.set(sku, (taken.get(sku) ?? 0) + n);
        units += n;
      };
      for (const { index, quantity } of draws) add(active[index % active.length]?.sku ?? '', quantity);
      for (const product of active) if (units < minUnits) add(product.sku, minUnits - units);
      return items;
    });
};

const scenarioArb = catalogArb.chain((catalog) =>
  fc.record({ catalog: fc.constant(catalog), items: cartArb(catalog) }),
);

/** Carts of 5 to 8 units, where bundles compete for units most. */
const crowdedScenarioArb = catalogArb
  .filter((catalog) => catalog.products.filter((p) => p.active).length >= 2)
  .chain((catalog) => fc.record({ catalog: fc.constant(catalog), items: cartArb(catalog, 5) }));

function eligible(bundle: Bundle, catalog: Catalog, sku: string): boolean {
  const product = catalog.productsBySku.get(sku);
  if (!product?.active) return false;
  return bundle.kind === 'set'
    ? bundle.items.some((item) => item.sku === sku)
    : product.collections.includes(bundle.collection);
}

/**
 * The largest total discount over every assignment of units to bundle applications. Symmetries are
 * cut without losing any distinct assignment: applications of a bundle are numbered in order of first
 * use, and equal units (same SKU, adjacent) take labels in non-decreasing order.
 */
function bruteForceDiscount(catalog: Catalog, items: readonly CartItem[]): number {
  const units = items.flatMap((item) => Array.from({ length: item.quantity }, () => item.sku)).sort();
  const bundles = catalog.activeBundles;
  const opened = bundles.map(() => 0);
  // apps[j][k] = SKUs of application k of bundle j
  const apps: string[][][] = bundles.map(() => []);
  const labels: number[] = [];
  let best = 0;

  const applicationValue = (bundle: Bundle, skus: readonly string[]): number | undefined => {
    const sum = skus.reduce((s, sku) => s + (catalog.productsBySku.get(sku)?.unitAmount ?? 0), 0);
    switch (bundle.kind) {
      case 'tiered_percent': {
        const reached = bundle.tiers.filter((tier) => skus.length >= tier.minQuantity);
        const tier = reached[reached.length - 1];
        return tier ? percentOf(sum, tier.percentOff) : undefined;
      }
      case 'multi_buy':
        return skus.length === bundle.quantity ? sum - bundle.price : undefined;
      case 'set': {
        const exact = bundle.items.every(
          (item) => skus.filter((sku) => sku === item.sku).length === item.quantity,
        );
        if (!exact || skus.length !== bundle.items.reduce((s, item) => s + item.quantity, 0))
          return undefined;
        return bundle.price !== undefined ? sum - bundle.price : percentOf(sum, bundle.percentOff ?? 0);
      }
    }
  };

  const visit = (i: number) => {
    if (i === units.length) {
      let total = 0;
      for (const [j, bundle] of bundles.entries()) {
        for (const app of apps[j] ?? []) {
          const value = applicationValue(bundle, app);
          if (value === undefined) return;
          total += value;
        }
      }
      best = Math.max(best, total);
      return;
    }
    const sku = units[i] ?? '';
    const floor = i > 0 && units[i - 1] === sku ? (labels[i - 1] ?? -1) : -1;
    const tryLabel = (label: number, apply: () => () => void) => {
      if (label < floor) return;
      labels[i] = label;
      const undo = apply();
      visit(i + 1);
      undo();
    };
    tryLabel(-1, () => () => {});
    bundles.forEach((bundle, j) => {
      if (!eligible(bundle, catalog, sku)) return;
      const own = apps[j] ?? [];
      const limit = bundle.kind === 'tiered_percent' ? 1 : (opened[j] ?? 0) + 1;
      for (let k = 0; k < limit; k++) {
        const app = own[k];
        if (bundle.kind === 'multi_buy' && app && app.length >= bundle.quantity) continue;
        if (bundle.kind === 'set') {
          const wanted = bundle.items.find((item) => item.sku === sku)?.quantity ?? 0;
          if ((app?.filter((s) => s === sku).length ?? 0) >= wanted) continue;
        }
        tryLabel(j * 100 + k, () => {
          const isNew = !app;
          if (isNew) {
            own[k] = [sku];
            opened[j] = (opened[j] ?? 0) + 1;
          } else app.push(sku);
          return () => {
            if (isNew) {
              own.pop();
              opened[j] = (opened[j] ?? 0) - 1;
            } else app.pop();
          };
        });
      }
    });
  };
  visit(0);
  return best;
}

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
