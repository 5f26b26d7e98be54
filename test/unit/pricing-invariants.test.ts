import { describe, expect, it } from 'vitest';
import { type Catalog, parseCatalog } from '../../src/domain/catalog';
import { allocateDiscounts } from '../../src/domain/pricing-allocation';
import { searchExactly } from '../../src/domain/pricing-exact-search';
import { at, countOf, get, numberAt, PricingInvariantError } from '../../src/domain/pricing-invariant';
import { buildModel, type Model } from '../../src/domain/pricing-model';
import { readPlan } from '../../src/domain/pricing-plan';
import { chooseBundles, type OptimiserLine } from '../../src/domain/pricing-search';
import { buildStages, splitComponents } from '../../src/domain/pricing-stages';

/*
 * The pricing engine's internal state, corrupted on purpose: each broken invariant must throw a
 * PricingInvariantError with its code, never come out as a price. priceCart-level cases (an
 * inconsistent catalog object) are in pricing.test.ts.
 */

const STICKER = 400;
const TEE = 2000;

/** Stickers at 400 with a "2 for 1000" deal that never saves, and tees with a 10 % pair tier. */
const catalog: Catalog = parseCatalog({
  version: 'invariants-1',
  currency: 'usd',
  products: [
    {
      sku: 'STK',
      name: 'Sticker',
      unitAmount: STICKER,
      currency: 'usd',
      active: true,
      collections: ['stickers'],
      tags: [],
    },
    {
      sku: 'TEE',
      name: 'Tee',
      unitAmount: TEE,
      currency: 'usd',
      active: true,
      collections: ['tees'],
      tags: [],
    },
  ],
  bundles: [
    {
      id: 'stickers-2',
      name: 'Two stickers',
      kind: 'multi_buy',
      collection: 'stickers',
      unit: { one: 'sticker', other: 'stickers' },
      quantity: 2,
      price: 1000,
    },
    {
      id: 'tee-pair',
      name: 'Tee pair',
      kind: 'tiered_percent',
      collection: 'tees',
      unit: { one: 'tee', other: 'tees' },
      tiers: [{ minQuantity: 2, percentOff: 10 }],
    },
  ],
});

const lineOf = (sku: string, quantity: number): OptimiserLine => ({
  product: get(catalog.productsBySku, sku, 'fixture product'),
  quantity,
});

/** The search model of the component holding `sku`'s bundle. */
function modelFor(lines: readonly OptimiserLine[], sku: string): Model {
  const stages = buildStages(catalog, lines);
  const index = lines.findIndex((line) => line.product.sku === sku);
  const component = splitComponents(stages, lines.length).find((c) => c.lines.includes(index));
  if (!component) throw new Error(`test fixture: no component for ${sku}`);
  return buildModel(component, stages, lines);
}

const invariant = (code: string) => expect.objectContaining({ name: 'PricingInvariantError', code });

describe('pricing invariants: allocation of discounts to lines', () => {
  it('splits an application over the lines whose units it used, to the cent', () => {
    const lines = [lineOf('STK', 1), lineOf('TEE', 2)];
    const discounts = allocateDiscounts(lines, [
      { bundleIndex: 1, units: [{ sku: 'TEE', quantity: 2 }], discount: 400 },
    ]);
    expect(discounts).toEqual([0, 400]);
  });

  it('throws instead of dropping the share of a unit that no cart line holds', () => {
    const lines = [lineOf('TEE', 2)];
    const attempt = () =>
      allocateDiscounts(lines, [
        {
          bundleIndex: 1,
          units: [
            { sku: 'TEE', quantity: 1 },
            { sku: 'GHOST', quantity: 1 },
          ],
          discount: 240,
        },
      ]);
    expect(attempt).toThrow(PricingInvariantError);
    expect(attempt).toThrow(invariant('unit_outside_cart'));
  });

  it('throws when applications together use more units of a line than the cart has', () => {
    const lines = [lineOf('TEE', 1)];
    const once = { bundleIndex: 1, units: [{ sku: 'TEE', quantity: 1 }], discount: 100 };
    expect(allocateDiscounts(lines, [once])).toEqual([100]);
    expect(() => allocateDiscounts(lines, [once, once])).toThrow(invariant('unit_outside_cart'));
  });

  it('throws when two lines share a SKU, which would send both shares to one line', () => {
    expect(() => allocateDiscounts([lineOf('TEE', 1), lineOf('TEE', 1)], [])).toThrow(
      invariant('lines_not_normalised'),
    );
  });
});

describe('pricing invariants: the optimiser', () => {
  it('refuses lines that repeat a SKU or hold a quantity that is not a positive integer', () => {
    expect(() => chooseBundles(catalog, [lineOf('TEE', 1), lineOf('TEE', 1)], 1000)).toThrow(
      invariant('lines_not_normalised'),
    );
    expect(() => chooseBundles(catalog, [lineOf('TEE', 1.5)], 1000)).toThrow(
      invariant('lines_not_normalised'),
    );
    expect(() => chooseBundles(catalog, [lineOf('TEE', 0)], 1000)).toThrow(invariant('lines_not_normalised'));
    expect(chooseBundles(catalog, [lineOf('TEE', 2)], 1000).discount).toBe((2 * TEE) / 10);
  });

  it('throws when the exact search cannot reach the floor it was promised is reachable', () => {
    const model = modelFor([lineOf('TEE', 2)], 'TEE');
    expect(searchExactly(model, 1000, 0)).toEqual([
      { bundleIndex: 1, units: [{ sku: 'TEE', quantity: 2 }], discount: 400 },
    ]);
    expect(() => searchExactly(model, 1000, 401)).toThrow(invariant('search_below_floor'));
  });

  it('throws when the memo has no result on the best path instead of returning a partial plan', () => {
    const model = modelFor([lineOf('TEE', 2)], 'TEE');
    expect(() => readPlan(model, () => undefined)).toThrow(invariant('plan_unreadable'));
  });

  it('throws when the plan takes more units from a group than it holds', () => {
    const model = modelFor([lineOf('TEE', 2)], 'TEE');
    const tooMany = { d: 600, u: 3, take: [3], v: [600] };
    expect(() => readPlan(model, () => tooMany)).toThrow(invariant('plan_unreadable'));
  });

  it('throws on a plan whose multi-buy application saves nothing rather than charge more', () => {
    // Two stickers cost 800; the deal sells them for 1000. The search never picks it; a corrupt memo could.
    const model = modelFor([lineOf('STK', 2)], 'STK');
    expect(searchExactly(model, 1000, 0)).toEqual([]);
    const unsaving = { d: -200, u: 2, take: [2], v: [-200] };
    expect(() => readPlan(model, () => unsaving)).toThrow(invariant('application_without_saving'));
  });
});

describe('pricing invariants: lookups', () => {
  it('throws a typed error naming the invariant where a read misses, never a default', () => {
    expect(at(['a'], 0, 'a letter')).toBe('a');
    expect(() => at(['a'], 1, 'a letter')).toThrow(/a letter: nothing at 1/);
    expect(() => numberAt([0], -1, 'a count')).toThrow(invariant('missing_entry'));
    expect(() => get(new Map([['k', 0]]), 'x', 'a tally')).toThrow(invariant('missing_entry'));
    expect(get(new Map([['k', 0]]), 'k', 'a tally')).toBe(0);
  });

  it('counts a key nobody has counted as 0, which is what a tally means', () => {
    expect(countOf(new Map([['k', 3]]), 'k')).toBe(3);
    expect(countOf(new Map<string, number>(), 'k')).toBe(0);
  });
});
