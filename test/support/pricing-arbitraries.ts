import fc from 'fast-check';
import type { CartItem } from '../../src/domain/cart';
import { type Bundle, type Catalog, maxQuantityOf, parseCatalog } from '../../src/domain/catalog';
import { percentOf } from '../../src/domain/money';

/*
 * Random small catalogs and carts for the pricing engine's property tests, and the independent
 * exhaustive search they are checked against: every assignment of every unit to "no bundle" or to
 * one application of a bundle it is eligible for.
 */

export const COLLECTIONS = ['a', 'b'] as const;

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
export const catalogArb = fc
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
export const cartArb = (catalog: Catalog, minUnits = 0) => {
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

export const scenarioArb = catalogArb.chain((catalog) =>
  fc.record({ catalog: fc.constant(catalog), items: cartArb(catalog) }),
);

/** Carts of 5 to 8 units, where bundles compete for units most. */
export const crowdedScenarioArb = catalogArb
  .filter((catalog) => catalog.products.filter((p) => p.active).length >= 2)
  .chain((catalog) => fc.record({ catalog: fc.constant(catalog), items: cartArb(catalog, 5) }));

export function eligible(bundle: Bundle, catalog: Catalog, sku: string): boolean {
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
export function bruteForceDiscount(catalog: Catalog, items: readonly CartItem[]): number {
  return bruteForceBest(catalog, items, (bundleDiscount) => bundleDiscount);
}

/**
 * The largest `score(bundle discount)` over every assignment: with the identity, the largest bundle
 * discount; with a code's rule on top, the best the bundles and the code can do together.
 */
export function bruteForceBest(
  catalog: Catalog,
  items: readonly CartItem[],
  score: (bundleDiscount: number) => number,
): number {
  const units = items.flatMap((item) => Array.from({ length: item.quantity }, () => item.sku)).sort();
  const bundles = catalog.activeBundles;
  const opened = bundles.map(() => 0);
  // apps[j][k] = SKUs of application k of bundle j
  const apps: string[][][] = bundles.map(() => []);
  const labels: number[] = [];
  let best = score(0);

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
      best = Math.max(best, score(total));
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
