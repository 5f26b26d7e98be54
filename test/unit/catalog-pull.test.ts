import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/domain/catalog';
import {
  nextVersion,
  pullCatalog,
  type StripeCatalog,
  type StripeCatalogPrice,
  type StripeCatalogProduct,
} from '../../src/ops/catalog-pull';
import { formatPullReport } from '../../src/ops/catalog-pull-report';
import { deriveSku, orderValues, uniqueSku } from '../../src/ops/catalog-pull-variants';

const TODAY = '2026-12-01';

function product(id: string, name: string, fields: Partial<StripeCatalogProduct> = {}): StripeCatalogProduct {
  return { id, name, description: null, images: [], metadata: {}, created: 1, ...fields };
}

function price(
  id: string,
  productId: string,
  unitAmount: number,
  fields: Partial<StripeCatalogPrice> = {},
): StripeCatalogPrice {
  return {
    id,
    productId,
    unitAmount,
    currency: 'usd',
    type: 'one_time',
    nickname: null,
    metadata: {},
    created: 1,
    ...fields,
  };
}

/** A catalog of the given products (the fields the schema requires filled in). */
function catalogOf(products: Record<string, unknown>[], bundles: unknown[] = []) {
  return parseCatalog({
    version: '2026-11-30.4',
    currency: 'usd',
    products: products.map((p) => ({
      unitAmount: 1000,
      currency: 'usd',
      active: true,
      collections: [],
      tags: [],
      ...p,
    })),
    bundles,
  });
}

const PLACEHOLDER = { sku: 'PLACEHOLDER', name: 'Placeholder' };

describe('catalog pull: naming', () => {
  it('numbers versions by day, counting up within a day', () => {
    expect(nextVersion('2026-12-01.1', TODAY)).toBe('2026-12-01.2');
    expect(nextVersion('2026-12-01.9', TODAY)).toBe('2026-12-01.10');
    expect(nextVersion('2026-11-27.3', TODAY)).toBe('2026-12-01.1');
    expect(nextVersion('sample', TODAY)).toBe('2026-12-01.1');
  });

  it('derives SKUs from names: upper case, A–Z 0–9 and dashes, at most 40, unique', () => {
    expect(deriveSku('Café Crème — Large')).toBe('CAFE-CREME-LARGE');
    expect(deriveSku('  Tee (2-pack) ')).toBe('TEE-2-PACK');
    const long = deriveSku('The extraordinarily long name of a hooded sweatshirt');
    expect(long).toBe('THE-EXTRAORDINARILY-LONG-NAME-OF-A-HOODE');
    // Cut at 40 where a dash falls: the dash goes too.
    expect(deriveSku('abcdefghij abcdefghij abcdefghij abcdef ghij')).toBe(
      'ABCDEFGHIJ-ABCDEFGHIJ-ABCDEFGHIJ-ABCDEF',
    );
    expect(long.length).toBeLessThanOrEqual(40);
    expect(deriveSku('!!')).toBe('ITEM');
    expect(deriveSku('A')).toBe('ITEM-A');
    expect(uniqueSku('TEE', new Set(['TEE', 'TEE-2']))).toBe('TEE-3');
    expect(uniqueSku(long, new Set([long])).length).toBeLessThanOrEqual(40);
    expect(uniqueSku(long, new Set([long]))).toMatch(/-2$/);
  });

  it('orders option values as a shop would: sizes, numbers, else the catalog order then new ones', () => {
    expect(orderValues(['XL', 'S', '2XL', 'm'], [])).toEqual(['S', 'm', 'XL', '2XL']);
    expect(orderValues(['10', '8', '9.5'], [])).toEqual(['8', '9.5', '10']);
    expect(orderValues(['Red', 'Blue', 'Green'], ['Green', 'Red'])).toEqual(['Green', 'Red', 'Blue']);
  });
});

describe('catalog pull: mapping Stripe products', () => {
  it('adds new products after the catalog, oldest first, with derived SKUs and variants from metadata', () => {
    const stripe: StripeCatalog = {
      products: [
        product('prod_A', 'Logo Hoodie', { created: 1 }),
        product('prod_B', 'Logo Hoodie', { created: 2, description: 'Second of the name.' }),
      ],
      prices: [
        price('price_1', 'prod_A', 6800, { metadata: { size: 'L', color: 'Black' } }),
        price('price_2', 'prod_A', 6800, { metadata: { size: 'S', color: 'Black' } }),
        price('price_3', 'prod_A', 7200, { metadata: { size: 'L', color: 'Grey' } }),
        price('price_4', 'prod_B', 5000),
      ],
    };
    const result = pullCatalog(catalogOf([PLACEHOLDER]), stripe, TODAY);
    expect(result.problems).toEqual([]);
    expect(result.data.products.map((p) => p.sku)).toEqual(['PLACEHOLDER', 'LOGO-HOODIE', 'LOGO-HOODIE-2']);
    const hoodie = result.data.products[1];
    expect(hoodie?.unitAmount).toBe(6800);
    expect(hoodie?.options).toEqual([
      { name: 'Size', values: ['S', 'L'] },
      { name: 'Color', values: ['Black', 'Grey'] },
    ]);
    expect(hoodie?.variants.map((v) => [v.sku, v.options, v.unitAmount, v.stripePriceId])).toEqual([
      ['LOGO-HOODIE-S-BLACK', { Size: 'S', Color: 'Black' }, undefined, 'price_2'],
      ['LOGO-HOODIE-L-BLACK', { Size: 'L', Color: 'Black' }, undefined, 'price_1'],
      ['LOGO-HOODIE-L-GREY', { Size: 'L', Color: 'Grey' }, 7200, 'price_3'],
    ]);
    expect(result.data.products[2]).toMatchObject({
      stripePriceId: 'price_4',
      unitAmount: 5000,
      description: 'Second of the name.',
      variants: [],
    });
    expect(result.data.version).toBe('2026-12-01.1');
    const report = formatPullReport(result, 'usd');
    expect(report).toContain('Added (2):');
    expect(report).toContain('+ variant LOGO-HOODIE-L-GREY  Size L, Color Grey, $72.00, price_3');
    expect(report).toContain('New products have no collections or tags yet');
  });

  it('names a variant by its price nickname when no metadata tells the prices apart, and refuses when nothing does', () => {
    const nicknamed: StripeCatalog = {
      products: [product('prod_A', 'Poster')],
      prices: [
        price('price_1', 'prod_A', 2000, { nickname: 'A3' }),
        price('price_2', 'prod_A', 3000, { nickname: 'A2' }),
        price('price_3', 'prod_A', 3000, { nickname: 'A1' }),
      ],
    };
    const poster = pullCatalog(catalogOf([PLACEHOLDER]), nicknamed, TODAY).data.products[1];
    expect(poster?.options).toEqual([{ name: 'Option', values: ['A3', 'A2', 'A1'] }]);
    // The price most variants have is the product's; a tie would go to the lower.
    expect(poster?.unitAmount).toBe(3000);
    expect(poster?.variants.map((v) => [v.sku, v.unitAmount])).toEqual([
      ['POSTER-A3', 2000],
      ['POSTER-A2', undefined],
      ['POSTER-A1', undefined],
    ]);

    const tie: StripeCatalog = {
      products: [product('prod_A', 'Poster')],
      prices: [
        price('price_1', 'prod_A', 3000, { nickname: 'A2' }),
        price('price_2', 'prod_A', 2000, { nickname: 'A3' }),
      ],
    };
    expect(pullCatalog(catalogOf([PLACEHOLDER]), tie, TODAY).data.products[1]?.unitAmount).toBe(2000);

    const ambiguous: StripeCatalog = {
      products: [product('prod_A', 'Poster')],
      prices: [price('price_1', 'prod_A', 2000), price('price_2', 'prod_A', 3000, { nickname: 'A2' })],
    };
    const refused = pullCatalog(catalogOf([PLACEHOLDER]), ambiguous, TODAY);
    expect(refused.problems).toEqual([
      'Stripe product "Poster" (prod_A): nothing tells its 2 prices apart: give each price metadata such as size=M (or a nickname of its own)',
    ]);
  });

  it('matches by SKU, keeps the stock policy and images of matching variants, and keeps the price of variants sold without Stripe', () => {
    const current = catalogOf([
      {
        sku: 'TEE',
        name: 'Tee',
        unitAmount: 3000,
        collections: ['tees'],
        images: ['/images/tee.svg'],
        options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
        variants: [
          { sku: 'TEE-S', options: { Size: 'S' }, images: ['/images/tee-s.svg'] },
          { sku: 'TEE-M', options: { Size: 'M' }, inventory: { tracked: true, whenShort: 'backorder' } },
          { sku: 'TEE-L', options: { Size: 'L' } },
        ],
        inventory: { tracked: true },
      },
    ]);
    const stripe: StripeCatalog = {
      products: [
        product('prod_T', 'Tee', { description: 'x'.repeat(600), images: ['http://plain.example/t.png'] }),
      ],
      prices: [
        price('price_S', 'prod_T', 3200, { metadata: { size: 'S' } }),
        price('price_M', 'prod_T', 3200, { metadata: { size: 'M' } }),
      ],
    };
    const result = pullCatalog(current, stripe, TODAY);
    expect(result.problems).toEqual([]);
    const [tee] = result.data.products;
    expect(tee).toMatchObject({
      sku: 'TEE',
      unitAmount: 3200,
      collections: ['tees'],
      images: ['/images/tee.svg'],
    });
    expect(tee?.description?.length).toBe(500);
    expect(tee?.variants.map((v) => [v.sku, v.stripePriceId, v.unitAmount, v.images, v.inventory])).toEqual([
      ['TEE-S', 'price_S', undefined, ['/images/tee-s.svg'], undefined],
      ['TEE-M', 'price_M', undefined, undefined, { tracked: true, whenShort: 'backorder' }],
      // Sold without a Stripe price: kept, at the 30.00 it had, now its own price.
      ['TEE-L', undefined, 3000, undefined, undefined],
    ]);
    expect(result.notes).toEqual([
      '"Tee": its description was shortened to 500 characters',
      '"Tee": 1 image(s) left out (not https URLs)',
    ]);
  });

  it('keeps a single price that is a size of the catalog product a variant, not a product of its own', () => {
    const current = catalogOf([
      {
        sku: 'CAP',
        name: 'Cap',
        options: [{ name: 'Size', values: ['One size'] }],
        variants: [{ sku: 'CAP-OS', options: { Size: 'One size' }, stripePriceId: 'price_Cap' }],
      },
    ]);
    const stripe: StripeCatalog = {
      products: [product('prod_C', 'Cap')],
      prices: [price('price_Cap', 'prod_C', 2500)],
    };
    const [cap] = pullCatalog(current, stripe, TODAY).data.products;
    expect(cap?.stripePriceId).toBeUndefined();
    expect(cap?.variants.map((v) => [v.sku, v.options, v.stripePriceId])).toEqual([
      ['CAP-OS', { Size: 'One size' }, 'price_Cap'],
    ]);
  });

  it('refuses when a collection bundle would be left without a product', () => {
    const current = catalogOf(
      [
        { sku: 'MUG', name: 'Mug', stripePriceId: 'price_Mug', collections: ['home'] },
        { sku: 'TEE', name: 'Tee', stripePriceId: 'price_Tee', collections: ['tees'] },
      ],
      [
        {
          id: 'home-deal',
          name: 'Home deal',
          kind: 'multi_buy',
          collection: 'home',
          unit: { one: 'mug', other: 'mugs' },
          quantity: 2,
          price: 3000,
        },
      ],
    );
    const stripe: StripeCatalog = {
      products: [product('prod_T', 'Tee')],
      prices: [price('price_Tee', 'prod_T', 1000)],
    };
    const result = pullCatalog(current, stripe, TODAY);
    expect(result.products.map((p) => [p.kind, p.sku])).toEqual([
      ['unchanged', 'TEE'],
      ['removed', 'MUG'],
    ]);
    expect(result.problems).toEqual([
      'the pulled catalog would not load: bundles[0] (id "home-deal"): collection "home" has no active product',
    ]);
  });

  it('refuses a SKU in Stripe metadata that is not one, and a SKU two products claim', () => {
    const stripe: StripeCatalog = {
      products: [
        product('prod_A', 'Tee', { metadata: { sku: 'tee one' } }),
        product('prod_B', 'Cap', { metadata: { sku: 'CAP' } }),
        product('prod_C', 'Other cap', { metadata: { sku: 'cap' } }),
      ],
      prices: [
        price('price_A', 'prod_A', 1000),
        price('price_B', 'prod_B', 1000),
        price('price_C', 'prod_C', 1000),
      ],
    };
    const result = pullCatalog(catalogOf([PLACEHOLDER]), stripe, TODAY);
    expect(result.problems).toEqual([
      'Stripe product "Tee" (prod_A): metadata sku "tee one" is not a SKU (A–Z, 0–9 and dashes, 2–40 characters)',
      'Stripe product "Other cap" (prod_C): SKU CAP is used twice',
    ]);
  });
});
