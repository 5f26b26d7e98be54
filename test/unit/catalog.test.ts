import { describe, expect, it } from 'vitest';
import { hashCart, normaliseCart } from '../../src/domain/cart';
import { CatalogError, parseCatalog } from '../../src/domain/catalog';
import { loadSampleCatalog, readSampleCatalogData } from '../support/catalog-factory';

function problemsOf(data: unknown): readonly string[] {
  try {
    parseCatalog(data);
  } catch (err: unknown) {
    if (err instanceof CatalogError) return err.problems;
    throw err;
  }
  throw new Error('expected the catalog to be rejected');
}

describe('catalog validation', () => {
  it('accepts the sample catalog: 18 products, bundles of every kind, one currency', () => {
    const catalog = loadSampleCatalog();
    expect(catalog.products).toHaveLength(18);
    expect(new Set(catalog.bundles.map((b) => b.kind))).toEqual(
      new Set(['tiered_percent', 'multi_buy', 'set']),
    );
    expect(catalog.productsBySku.get('TEE-CLASSIC-BLK')?.unitAmount).toBe(3200);
    expect(catalog.sampleData).toBe(true);
  });

  it('names a duplicate SKU', () => {
    const data = readSampleCatalogData();
    data.products.push({ ...data.products[0] });
    expect(problemsOf(data)).toContain('products[18] (sku "TEE-CLASSIC-BLK"): duplicate SKU');
  });

  it('names a bundle that refers to an unknown SKU', () => {
    const data = readSampleCatalogData();
    data.bundles.push({
      id: 'ghost-set',
      name: 'Ghost set',
      kind: 'set',
      items: [
        { sku: 'TEE-CLASSIC-BLK', quantity: 1 },
        { sku: 'NOT-A-PRODUCT', quantity: 1 },
      ],
      price: 1000,
    });
    expect(problemsOf(data)).toEqual([`bundles[6] (id "ghost-set"): names unknown SKU "NOT-A-PRODUCT"`]);
  });

  it('names non-integer and negative amounts', () => {
    const data = readSampleCatalogData();
    data.products[2] = { ...data.products[2], unitAmount: 34.5 };
    data.products[3] = { ...data.products[3], unitAmount: -1 };
    const problems = problemsOf(data);
    expect(problems).toContain(
      'products[2] (sku "TEE-LOGO-PNK").unitAmount: must be an integer number of cents',
    );
    expect(problems).toContain('products[3] (sku "TEE-CROP-BLK").unitAmount: must not be negative');
  });

  it('names a product whose currency differs from the catalog', () => {
    const data = readSampleCatalogData();
    data.currency = 'usd';
    data.products[5] = { ...data.products[5], currency: 'eur' };
    expect(problemsOf(data)[0]).toMatch(/^products\[5\] \(sku "TEE-VINTAGE-WASH"\)\.currency/);
  });

  it('rejects tiers out of order, empty collections and sets priced twice', () => {
    const data = readSampleCatalogData();
    data.bundles[0] = {
      ...data.bundles[0],
      tiers: [
        { minQuantity: 4, percentOff: 20 },
        { minQuantity: 2, percentOff: 10 },
      ],
    };
    data.bundles[1] = { ...data.bundles[1], collection: 'nothing-here' };
    data.bundles[3] = { ...data.bundles[3], percentOff: 10 };
    const problems = problemsOf(data);
    expect(problems).toContain(
      'bundles[0] (id "tee-tiers"): tiers[1] must need more units and give more off than the tier before',
    );
    expect(problems).toContain(
      'bundles[1] (id "hoodie-pair"): collection "nothing-here" has no active product',
    );
    expect(problems).toContain('bundles[3] (id "cozy-set"): needs exactly one of price or percentOff');
  });

  it('rejects unknown fields so that typos do not silently change prices', () => {
    const data = readSampleCatalogData();
    data.products[0] = { ...data.products[0], unitAmmount: 100 };
    expect(problemsOf(data).join('\n')).toMatch(/products\[0\] \(sku "TEE-CLASSIC-BLK"\)/);
  });
});

describe('cart normalisation', () => {
  it('merges repeated SKUs and sorts, so order does not matter', () => {
    const a = normaliseCart([
      { sku: 'TEE-LOGO-PNK', quantity: 1 },
      { sku: 'CAP-DAD-BLK', quantity: 2 },
      { sku: 'TEE-LOGO-PNK', quantity: 3 },
    ]);
    expect(a).toEqual([
      { sku: 'CAP-DAD-BLK', quantity: 2 },
      { sku: 'TEE-LOGO-PNK', quantity: 4 },
    ]);
    const b = [
      { sku: 'TEE-LOGO-PNK', quantity: 4 },
      { sku: 'CAP-DAD-BLK', quantity: 2 },
    ];
    expect(hashCart(a)).toBe(hashCart(b));
  });

  it('gives different carts different hashes', () => {
    expect(hashCart([{ sku: 'CAP-DAD-BLK', quantity: 2 }])).not.toBe(
      hashCart([{ sku: 'CAP-DAD-BLK', quantity: 3 }]),
    );
    expect(hashCart([{ sku: 'A1', quantity: 12 }])).not.toBe(hashCart([{ sku: 'A11', quantity: 2 }]));
  });
});
