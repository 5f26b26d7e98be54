import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CartItem } from '../../src/domain/cart';
import { type Catalog, type PricingCatalog, parseCatalog } from '../../src/domain/catalog';
import { percentOf } from '../../src/domain/money';
import { PricingError, PricingInvariantError, priceCart, priceUnits } from '../../src/domain/pricing';

/*
 * Behaviour of the pricing engine. Expected amounts are worked out from the bundle rules in each test
 * (docs/pricing.md), never copied from the engine's output.
 */

type RawProduct = Record<string, unknown> & { sku: string };
type RawBundle = Record<string, unknown> & { id: string };

const product = (sku: string, unitAmount: number, collections: string[], extra: object = {}): RawProduct => ({
  sku,
  name: sku,
  unitAmount,
  currency: 'usd',
  active: true,
  collections,
  tags: [],
  ...extra,
});

// A small shop: two tees, two stickers, a cap.
const TEE_A = 2000;
const TEE_B = 2500;
const STICKER = 400;
const CAP = 1500;

const baseProducts = (): RawProduct[] => [
  product('TEE-A', TEE_A, ['tees']),
  product('TEE-B', TEE_B, ['tees']),
  product('STK-A', STICKER, ['stickers']),
  product('STK-B', STICKER, ['stickers']),
  product('CAP', CAP, ['hats']),
];

const teeTiers: RawBundle = {
  id: 'tee-tiers',
  name: 'Tee stack',
  kind: 'tiered_percent',
  collection: 'tees',
  unit: { one: 'tee', other: 'tees' },
  tiers: [
    { minQuantity: 2, percentOff: 10 },
    { minQuantity: 4, percentOff: 20 },
  ],
};
const stickers3For10: RawBundle = {
  id: 'stickers-3-for-10',
  name: 'Any 3 stickers for $10',
  kind: 'multi_buy',
  collection: 'stickers',
  unit: { one: 'sticker', other: 'stickers' },
  quantity: 3,
  price: 1000,
};
const teeAndCap = (price: number): RawBundle => ({
  id: 'tee-and-cap',
  name: 'Tee and cap',
  kind: 'set',
  items: [
    { sku: 'TEE-A', quantity: 1 },
    { sku: 'CAP', quantity: 1 },
  ],
  price,
});

/** A catalog built from the small shop, with any part overridden. */
function makeCatalog(
  overrides: { products?: RawProduct[]; bundles?: RawBundle[]; defaultMaxQuantity?: number } = {},
): Catalog {
  return parseCatalog({
    version: 'test-1',
    currency: 'usd',
    defaultMaxQuantity: overrides.defaultMaxQuantity ?? 10,
    products: overrides.products ?? baseProducts(),
    bundles: overrides.bundles ?? [teeTiers, stickers3For10],
  });
}

const sampleCatalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../fixtures/catalog.json', import.meta.url), 'utf8')),
);

const cart = (...entries: [string, number][]): CartItem[] =>
  entries.map(([sku, quantity]) => ({ sku, quantity }));

const fail = (what: string): never => {
  throw new Error(`test fixture: no ${what}`);
};

const lineOf = (priced: ReturnType<typeof priceCart>, sku: string) => {
  const line = priced.lines.find((l) => l.sku === sku);
  if (!line) throw new Error(`no line for ${sku}`);
  return line;
};

describe('priceCart: tiered percent bundles', () => {
  const catalog = makeCatalog();

  it('gives no discount to a single tee', () => {
    const priced = priceCart(catalog, cart(['TEE-A', 1]));
    expect(priced.subtotal).toBe(TEE_A);
    expect(priced.discount).toBe(0);
    expect(priced.total).toBe(TEE_A);
    expect(priced.appliedBundles).toEqual([]);
  });

  it('takes 10% off two tees', () => {
    const priced = priceCart(catalog, cart(['TEE-A', 1], ['TEE-B', 1]));
    expect(priced.discount).toBe((TEE_A + TEE_B) / 10);
    expect(priced.total).toBe(((TEE_A + TEE_B) * 9) / 10);
  });

  it('takes 20% off four tees', () => {
    const priced = priceCart(catalog, cart(['TEE-A', 2], ['TEE-B', 2]));
    expect(priced.discount).toBe(((2 * TEE_A + 2 * TEE_B) * 20) / 100);
  });

  it('applies the tier once, to one group holding all the tees', () => {
    const priced = priceCart(catalog, cart(['TEE-A', 3], ['TEE-B', 3]));
    expect(priced.appliedBundles).toEqual([
      {
        id: 'tee-tiers',
        name: 'Tee stack',
        kind: 'tiered_percent',
        timesApplied: 1,
        unitsUsed: 6,
        discount: ((3 * TEE_A + 3 * TEE_B) * 20) / 100,
      },
    ]);
  });

  it('rounds each application half up to a whole cent', () => {
    const odd = makeCatalog({
      products: [product('TEE-A', 1005, ['tees']), product('TEE-B', 1000, ['tees'])],
      bundles: [teeTiers],
    });
    // 10% of 20.05 is 2.005: half a cent rounds up.
    expect(priceCart(odd, cart(['TEE-A', 1], ['TEE-B', 1])).discount).toBe(201);
  });
});

describe('priceCart: multi-buy bundles', () => {
  const catalog = makeCatalog();
  const saving = 3 * STICKER - 1000;

  it('sells any 3 stickers for $10', () => {
    const priced = priceCart(catalog, cart(['STK-A', 2], ['STK-B', 1]));
    expect(priced.discount).toBe(saving);
    expect(priced.total).toBe(1000);
  });

  it('repeats the deal for 6 stickers', () => {
    const priced = priceCart(catalog, cart(['STK-A', 6]));
    expect(priced.discount).toBe(2 * saving);
    expect(priced.appliedBundles[0]?.timesApplied).toBe(2);
  });

  it('charges leftover stickers in full', () => {
    const priced = priceCart(catalog, cart(['STK-A', 4], ['STK-B', 3]));
    expect(priced.discount).toBe(2 * saving);
    expect(priced.total).toBe(2 * 1000 + STICKER);
    expect(priced.appliedBundles[0]?.unitsUsed).toBe(6);
  });

  it('never applies a deal that saves nothing', () => {
    const cheap = makeCatalog({
      products: [product('STK-A', 300, ['stickers']), product('STK-B', 350, ['stickers'])],
      bundles: [stickers3For10],
    });
    // 3 × $3.00 = $9.00 is less than $10.00; 2 × $3.00 + $3.50 = $9.50 too.
    const priced = priceCart(cheap, cart(['STK-A', 2], ['STK-B', 1]));
    expect(priced.discount).toBe(0);
    expect(priced.appliedBundles).toEqual([]);
  });
});

describe('priceCart: sets', () => {
  it('sells a set for its fixed price, as many times as it is complete', () => {
    const catalog = makeCatalog({ bundles: [teeAndCap(3000)] });
    const priced = priceCart(catalog, cart(['TEE-A', 2], ['CAP', 3]));
    expect(priced.discount).toBe(2 * (TEE_A + CAP - 3000));
    expect(priced.appliedBundles[0]).toMatchObject({ timesApplied: 2, unitsUsed: 4 });
  });

  it('takes a set percentage off the set', () => {
    const percentSet = { ...teeAndCap(0), price: undefined, percentOff: 15 };
    const catalog = makeCatalog({ bundles: [percentSet] });
    expect(priceCart(catalog, cart(['TEE-A', 1], ['CAP', 1])).discount).toBe(percentOf(TEE_A + CAP, 15));
  });

  it('does not apply an incomplete set', () => {
    const catalog = makeCatalog({ bundles: [teeAndCap(3000)] });
    expect(priceCart(catalog, cart(['TEE-A', 1])).discount).toBe(0);
  });

  it('ignores inactive bundles', () => {
    const catalog = makeCatalog({ bundles: [{ ...teeAndCap(3000), active: false }] });
    expect(priceCart(catalog, cart(['TEE-A', 1], ['CAP', 1])).discount).toBe(0);
  });
});

describe('priceCart: overlapping bundles', () => {
  // The set saves $19.00 on a tee and a cap; five tees at 20% save $20.00 on their own.
  const catalog = makeCatalog({ bundles: [teeTiers, teeAndCap(TEE_A + CAP - 1900)] });
  const items = cart(['TEE-A', 5], ['CAP', 1]);

  it('picks the best combination where taking the biggest single saving first would lose', () => {
    const tierOnFourTees = (4 * TEE_A * 20) / 100;
    const priced = priceCart(catalog, items);
    expect(priced.discount).toBe(1900 + tierOnFourTees);
    expect(priced.search).toBe('exact');
    expect(priced.appliedBundles.map((b) => [b.id, b.unitsUsed])).toEqual([
      ['tee-tiers', 4],
      ['tee-and-cap', 2],
    ]);
  });

  it('falls back to the greedy heuristic past the search budget, and says so', () => {
    const twoTeesFor15: RawBundle = {
      id: 'two-tees',
      name: 'Any 2 tees for $15',
      kind: 'multi_buy',
      collection: 'tees',
      unit: { one: 'tee', other: 'tees' },
      quantity: 2,
      price: 1500,
    };
    const catalog = makeCatalog({ bundles: [twoTeesFor15, teeAndCap(2000)] });
    const items = cart(['TEE-A', 2], ['CAP', 2]);
    const teeDeal = 2 * TEE_A - 1500;
    const set = TEE_A + CAP - 2000;
    // The tee deal beats one set both in saving and in saving per unit, so both greedy rules take
    // it first, and then no set can apply; two sets save more.
    expect(teeDeal).toBeGreaterThan(set);
    expect(2 * set).toBeGreaterThan(teeDeal);
    const exact = priceCart(catalog, items);
    expect(exact).toMatchObject({ search: 'exact', discount: 2 * set });
    const heuristic = priceCart(catalog, items, { searchBudget: 1 });
    expect(heuristic).toMatchObject({ search: 'heuristic', discount: teeDeal });
    expect(heuristic.lines.reduce((sum, line) => sum + line.discount, 0)).toBe(teeDeal);
  });

  it('splits hoodies between the Cozy set and the Hoodie pair on the sample catalog', () => {
    const logo = 6800;
    const zip = 7400;
    const joggers = 5800;
    const priced = priceCart(
      sampleCatalog,
      // Two logo hoodies in two sizes count as a pair and as the set's hoodie alike.
      cart(
        ['HOODIE-LOGO-BLK-M', 1],
        ['HOODIE-LOGO-BLK-L', 1],
        ['HOODIE-ZIP-GRY-S', 1],
        ['SWEAT-JOGGER-GRY-M', 1],
      ),
    );
    const allHoodiesPaired = percentOf(2 * logo + zip, 15);
    const cozyPlusPair = logo + joggers - 11000 + percentOf(logo + zip, 15);
    expect(cozyPlusPair).toBeGreaterThan(allHoodiesPaired);
    expect(priced.discount).toBe(cozyPlusPair);
  });

  it('prefers the Starter kit and a sticker deal over the Carry-all on the sample catalog', () => {
    const priced = priceCart(
      sampleCatalog,
      cart(['TEE-CLASSIC-BLK-S', 1], ['CAP-DAD-BLK', 1], ['TOTE-CANVAS', 1], ['STICKER-LOGO', 4]),
    );
    const starterKit = 3200 + 2800 + 400 - 5500;
    const stickerDeal = 3 * 400 - 1000;
    const carryAll = percentOf(2800 + 2200, 15);
    // With the Carry-all, the cap is gone and the kit cannot apply: 4 stickers give one deal.
    expect(starterKit + stickerDeal).toBeGreaterThan(carryAll + stickerDeal);
    expect(priced.discount).toBe(starterKit + stickerDeal);
    expect(priced.appliedBundles.map((b) => b.id)).toEqual(['stickers-3-for-10', 'starter-kit']);
  });
});

describe('priceCart: allocation, order and ties', () => {
  it('splits a discount over lines in proportion, the shares summing to the discount exactly', () => {
    const catalog = makeCatalog({
      products: [
        product('TEE-A', 1000, ['tees']),
        product('TEE-B', 1001, ['tees']),
        product('TEE-C', 1002, ['tees']),
      ],
      bundles: [{ ...teeTiers, tiers: [{ minQuantity: 3, percentOff: 15 }] }],
    });
    const priced = priceCart(catalog, cart(['TEE-A', 1], ['TEE-B', 1], ['TEE-C', 1]));
    const discount = percentOf(1000 + 1001 + 1002, 15);
    expect(priced.discount).toBe(discount);
    expect(priced.lines.reduce((sum, line) => sum + line.discount, 0)).toBe(discount);
    for (const line of priced.lines) {
      const exactShare = (discount * line.subtotal) / priced.subtotal;
      expect(Math.abs(line.discount - exactShare)).toBeLessThan(1);
    }
  });

  it('gives each line only the discounts of applications that used its units', () => {
    const priced = priceCart(makeCatalog(), cart(['TEE-A', 1], ['TEE-B', 1], ['CAP', 1]));
    expect(lineOf(priced, 'CAP').discount).toBe(0);
    expect(lineOf(priced, 'TEE-A').discount + lineOf(priced, 'TEE-B').discount).toBe(priced.discount);
  });

  it('prices the same contents the same in any order, with duplicates merged and lines sorted by SKU', () => {
    const catalog = makeCatalog();
    const a = priceCart(catalog, cart(['STK-B', 1], ['TEE-B', 1], ['STK-A', 2], ['TEE-A', 1], ['STK-B', 1]));
    const b = priceCart(catalog, cart(['TEE-A', 1], ['STK-A', 1], ['STK-B', 2], ['TEE-B', 1], ['STK-A', 1]));
    expect(a).toEqual(b);
    expect(a.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['STK-A', 2],
      ['STK-B', 2],
      ['TEE-A', 1],
      ['TEE-B', 1],
    ]);
  });

  it('on equal savings, uses fewer units', () => {
    const catalog = makeCatalog({
      products: [...baseProducts(), product('TEE-FREE', 0, ['tees'])],
    });
    // The free tee adds nothing to 10% of the paid tees, so it stays out of the application.
    const priced = priceCart(catalog, cart(['TEE-A', 1], ['TEE-B', 1], ['TEE-FREE', 1]));
    expect(priced.discount).toBe((TEE_A + TEE_B) / 10);
    expect(priced.appliedBundles[0]?.unitsUsed).toBe(2);
  });

  it('on equal savings between bundles, prefers the combination that uses fewer units', () => {
    const bigSet: RawBundle = {
      id: 'tee-cap-stickers',
      name: 'Tee, cap and sticker',
      kind: 'set',
      items: [
        { sku: 'TEE-A', quantity: 1 },
        { sku: 'CAP', quantity: 1 },
        { sku: 'STK-A', quantity: 1 },
      ],
      // Saves exactly what the two-item set saves ($5.00), with one unit more.
      price: TEE_A + CAP + STICKER - 500,
    };
    const catalog = makeCatalog({ bundles: [bigSet, teeAndCap(TEE_A + CAP - 500)] });
    const priced = priceCart(catalog, cart(['TEE-A', 1], ['CAP', 1], ['STK-A', 1]));
    expect(priced.discount).toBe(500);
    expect(priced.appliedBundles.map((b) => [b.id, b.unitsUsed])).toEqual([['tee-and-cap', 2]]);
  });

  it('on equal savings and units, gives the unit to the set listed first in the catalog', () => {
    const capSet = teeAndCap(3000);
    const stickerSet: RawBundle = {
      id: 'tee-and-stickers',
      name: 'Tee and stickers',
      kind: 'set',
      items: [
        { sku: 'TEE-A', quantity: 1 },
        { sku: 'STK-A', quantity: 1 },
      ],
      price: TEE_A + STICKER - (TEE_A + CAP - 3000),
    };
    const items = cart(['TEE-A', 1], ['CAP', 1], ['STK-A', 1]);
    const capFirst = priceCart(makeCatalog({ bundles: [capSet, stickerSet] }), items);
    const stickerFirst = priceCart(makeCatalog({ bundles: [stickerSet, capSet] }), items);
    expect(capFirst.discount).toBe(stickerFirst.discount);
    expect(capFirst.appliedBundles.map((b) => b.id)).toEqual(['tee-and-cap']);
    expect(stickerFirst.appliedBundles.map((b) => b.id)).toEqual(['tee-and-stickers']);
  });
});

describe('priceCart: next-tier hints', () => {
  it('suggests the cheapest tee that reaches the next tier, with the real extra saving', () => {
    const priced = priceCart(makeCatalog(), cart(['TEE-B', 1]));
    const extra = (TEE_A + TEE_B) / 10;
    expect(priced.hints).toEqual([
      {
        bundleId: 'tee-tiers',
        bundleName: 'Tee stack',
        skus: ['TEE-A'],
        quantityToAdd: 1,
        extraSaving: extra,
        message: 'Add 1 more tee to get 10% off — save $4.50 more',
        addition: [{ sku: 'TEE-A', quantity: 1 }],
      },
    ]);
  });

  it('leaves the hints out on request, with the same amounts', () => {
    const items = cart(['TEE-B', 1], ['STK-A', 1]);
    const full = priceCart(makeCatalog(), items);
    const amountsOnly = priceCart(makeCatalog(), items, { hints: false });
    expect(full.hints.length).toBeGreaterThan(0);
    expect(amountsOnly.hints).toEqual([]);
    expect({ ...amountsOnly, hints: full.hints }).toEqual(full);
  });

  it('counts the extra saving from the current discount, not from zero', () => {
    const priced = priceCart(makeCatalog(), cart(['TEE-B', 3]));
    const now = (3 * TEE_B) / 10;
    const after = ((3 * TEE_B + TEE_A) * 20) / 100;
    expect(priced.hints[0]).toMatchObject({
      quantityToAdd: 1,
      extraSaving: after - now,
      message: `Add 1 more tee to get 20% off — save $${((after - now) / 100).toFixed(2)} more`,
    });
  });

  it('words multi-buy hints with the deal and the unit labels', () => {
    const priced = priceCart(makeCatalog(), cart(['STK-A', 1]));
    expect(priced.hints.map((h) => h.message)).toEqual([
      'Add 2 more stickers to get 3 for $10.00 — save $2.00 more',
    ]);
    // Both stickers cost the same and belong to the same bundles: either one gives the same saving.
    expect(priced.hints[0]?.skus).toEqual(['STK-A', 'STK-B']);
  });

  it('names the missing product of a started set on the sample catalog', () => {
    const priced = priceCart(sampleCatalog, cart(['TEE-CLASSIC-BLK-XL', 1], ['STICKER-LOGO', 1]));
    const kitSaving = 3200 + 2800 + 400 - 5500;
    expect(priced.hints.find((h) => h.bundleId === 'starter-kit')).toEqual({
      bundleId: 'starter-kit',
      bundleName: 'Starter kit',
      skus: ['CAP-DAD-BLK'],
      quantityToAdd: 1,
      extraSaving: kitSaving,
      message: 'Add Dad Cap — Black to complete the Starter kit — save $9.00 more',
      addition: [{ sku: 'CAP-DAD-BLK', quantity: 1 }],
    });
  });

  it('respects the maximum quantity of the product it suggests', () => {
    const catalog = makeCatalog({
      products: [product('TEE-A', TEE_A, ['tees'], { maxQuantity: 1 }), ...baseProducts().slice(1)],
    });
    const priced = priceCart(catalog, cart(['TEE-A', 1]));
    expect(priced.hints[0]).toMatchObject({
      skus: ['TEE-B'],
      addition: [{ sku: 'TEE-B', quantity: 1 }],
      extraSaving: (TEE_A + TEE_B) / 10,
    });
  });

  it('gives no hint when no qualifying product has room left', () => {
    const catalog = makeCatalog({
      products: [product('TEE-A', TEE_A, ['tees'], { maxQuantity: 1 }), ...baseProducts().slice(2)],
    });
    expect(priceCart(catalog, cart(['TEE-A', 1])).hints).toEqual([]);
  });

  it('drops the hint once the top tier is reached', () => {
    const catalog = makeCatalog();
    expect(priceCart(catalog, cart(['TEE-A', 3])).hints.map((h) => h.bundleId)).toEqual(['tee-tiers']);
    expect(priceCart(catalog, cart(['TEE-A', 4])).hints).toEqual([]);
  });

  it('keeps at most three hints, largest saving first', () => {
    const MUG = 800;
    const pairOf = (collection: string, percentOff: number): RawBundle => ({
      id: `${collection}-pair`,
      name: `${collection} pair`,
      kind: 'tiered_percent',
      collection,
      unit: { one: collection.slice(0, -1), other: collection },
      tiers: [{ minQuantity: 2, percentOff }],
    });
    const catalog = makeCatalog({
      products: [...baseProducts(), product('MUG', MUG, ['mugs'])],
      bundles: [stickers3For10, teeAndCap(3000), pairOf('hats', 50), pairOf('mugs', 10)],
    });
    const priced = priceCart(catalog, cart(['TEE-A', 1], ['STK-A', 1], ['MUG', 1]));
    const savings = {
      set: TEE_A + CAP - 3000,
      stickers: 3 * STICKER - 1000,
      mugs: percentOf(2 * MUG, 10),
    };
    expect(savings.mugs).toBeLessThan(savings.stickers);
    expect(priced.hints.map((h) => [h.bundleId, h.extraSaving])).toEqual([
      ['tee-and-cap', savings.set],
      ['stickers-3-for-10', savings.stickers],
      ['mugs-pair', savings.mugs],
    ]);
    const withCap = priceCart(catalog, cart(['TEE-A', 1], ['STK-A', 1], ['MUG', 1], ['CAP', 1]));
    // The set now applies; a second cap makes the hat pair (50% of two caps) beat it, so that hint
    // saves the difference. Four bundles could go further; the mug pair is cut.
    expect(withCap.discount).toBe(savings.set);
    expect(withCap.hints.map((h) => [h.bundleId, h.extraSaving])).toEqual([
      ['hats-pair', percentOf(2 * CAP, 50) - savings.set],
      ['stickers-3-for-10', savings.stickers],
      ['mugs-pair', savings.mugs],
    ]);
  });

  it('drops a hint whose addition would end up in another bundle', () => {
    const catalog = makeCatalog({ bundles: [teeTiers, teeAndCap(3000)] });
    // The cheapest tee to add is TEE-A; with it the set ($5.00) beats 10% off two tees ($4.50), so
    // adding it would not give the tee discount the hint would promise.
    const priced = priceCart(catalog, cart(['TEE-B', 1], ['CAP', 1]));
    expect(TEE_A + CAP - 3000).toBeGreaterThan((TEE_A + TEE_B) / 10);
    expect(priced.hints.map((h) => h.bundleId)).toEqual(['tee-and-cap']);
  });

  it('gives no hint for a collection the cart has not started', () => {
    expect(priceCart(makeCatalog(), cart(['CAP', 1])).hints).toEqual([]);
  });
});

describe('priceCart: defensive checks', () => {
  it('rejects a SKU that is not in the catalog with a typed error', () => {
    const attempt = () => priceCart(makeCatalog(), cart(['NOPE-1', 1]));
    expect(attempt).toThrow(PricingError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'unknown_sku', sku: 'NOPE-1' }));
  });

  it('rejects a quantity that is not a positive integer', () => {
    expect(() => priceCart(makeCatalog(), cart(['TEE-A', 0]))).toThrow(
      expect.objectContaining({ code: 'quantity_out_of_range' }),
    );
    expect(() => priceCart(makeCatalog(), cart(['TEE-A', 1.5]))).toThrow(PricingError);
  });

  it('refuses a catalog object that files a product under another SKU instead of pricing the wrong line', () => {
    const catalog = makeCatalog();
    const teeA = catalog.productsBySku.get('TEE-A') ?? fail('TEE-A');
    // Not one parseCatalog builds: TEE-ALIAS resolves to TEE-A's product.
    const aliased: PricingCatalog = {
      ...catalog.pricing,
      productsBySku: new Map([...catalog.pricing.productsBySku, ['TEE-ALIAS', teeA]]),
    };
    const attempt = () => priceUnits(aliased, cart(['TEE-ALIAS', 1], ['TEE-B', 1]));
    expect(attempt).toThrow(PricingInvariantError);
    expect(attempt).toThrow(
      expect.objectContaining({ name: 'PricingInvariantError', code: 'catalog_inconsistent' }),
    );
  });

  it('refuses a complete set that has neither a price nor a percentage instead of pricing it as no saving', () => {
    const catalog = makeCatalog({ bundles: [teeAndCap(3000)] });
    const set = catalog.activeBundles[0];
    if (set?.kind !== 'set') return fail('set');
    // Not one parseCatalog builds: it requires exactly one of price and percentOff.
    const dealless: PricingCatalog = { ...catalog.pricing, activeBundles: [{ ...set, price: undefined }] };
    expect(() => priceUnits(dealless, cart(['TEE-A', 1], ['CAP', 1]))).toThrow(
      expect.objectContaining({ code: 'catalog_inconsistent' }),
    );
    // Without the set's items in the cart there is nothing to price it at, and nothing is wrong.
    expect(priceUnits(dealless, cart(['TEE-B', 1])).discount).toBe(0);
  });
});
