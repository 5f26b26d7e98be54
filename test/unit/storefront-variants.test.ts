import { describe, expect, it } from 'vitest';
import { OutOfStockError } from '../../src/app/checkout-errors';
import { CartValidationError, validateCart } from '../../src/domain/cart-validation';
import { type Catalog, parseCatalog } from '../../src/domain/catalog';
import { priceCart } from '../../src/domain/pricing';
import { availabilityOf } from '../../src/domain/stock';
import { toHttpError } from '../../src/http/map-error';
import { publicCatalog } from '../../src/http/routes/catalog';
import type {
  Availability,
  CartItem,
  ErrorDetail,
  PublicCatalog,
  QuoteHint,
} from '../../storefront/src/api-types';
import {
  type AvailabilityOf,
  availabilityOfShortLine,
  catalogAvailability,
  clampProduct,
  describeShortLine,
  hintAction,
  indexCatalog,
  limitMessage,
  lineLimit,
  priceLabel,
  pruneShortLines,
  reconcileSavedCart,
  repairRefusedCart,
  shortLinesOf,
  stockCap,
} from '../../storefront/src/variants';
import { readSampleCatalogData } from '../support/catalog-factory';

/*
 * The storefront's sizes and stock rules, fed with what the API really answers: the public catalog
 * as the catalog route builds it (from the tests' catalog and given stock levels), and the error
 * details the cart validation and the stock refusal produce.
 */

/**
 * The tests' catalog (the logo hoodie's sizes tracked and refused when short, the zip hoodie's sold
 * on backorder, tees untracked) with the cap tracked too: a product without sizes that has stock.
 */
function trackedCatalog(): Catalog {
  const data = readSampleCatalogData();
  for (const product of data.products) {
    if (product.sku === 'CAP-DAD-BLK') product.inventory = { tracked: true, whenShort: 'refuse' };
  }
  return parseCatalog(data);
}

const STOCK: Record<string, number> = {
  'HOODIE-LOGO-BLK-S': 0,
  'HOODIE-LOGO-BLK-M': 12,
  'HOODIE-LOGO-BLK-L': 12,
  'HOODIE-LOGO-BLK-XL': 2,
  'HOODIE-LOGO-BLK-XXL': 3,
  'HOODIE-ZIP-GRY-S': 0,
  'HOODIE-ZIP-GRY-M': 12,
  'CAP-DAD-BLK': 25,
};

const catalog = trackedCatalog();
/** `GET /catalog` as a storefront receives it. */
const served = JSON.parse(
  JSON.stringify(publicCatalog(catalog, (s) => availabilityOf(catalog, s, STOCK[s.sku]))),
) as PublicCatalog;
const index = indexCatalog(served.products);
const fromCatalog: AvailabilityOf = (sku) => catalogAvailability(index, sku);

function product(sku: string) {
  const found = index.products.get(sku);
  if (!found) throw new Error(`${sku} is not in the catalog`);
  return found;
}

/** The details of the 422 the API answers for this cart (the cart validation's problems). */
function refusalOf(items: readonly CartItem[]): { code: string; details: readonly ErrorDetail[] } {
  try {
    validateCart(catalog, items);
  } catch (err: unknown) {
    if (err instanceof CartValidationError) {
      const http = toHttpError(err);
      return { code: http.code, details: http.options.details ?? [] };
    }
    throw err;
  }
  throw new Error('the cart was valid');
}

describe('storefront catalog index', () => {
  it('names each size as the API names quote lines, and a product without sizes by its own SKU', () => {
    expect(index.sellables.get('TEE-CLASSIC-BLK-M')?.name).toBe('Classic Tee — Black, M');
    expect(index.sellables.get('TEE-CLASSIC-BLK-M')?.product.sku).toBe('TEE-CLASSIC-BLK');
    expect(index.sellables.has('TEE-CLASSIC-BLK')).toBe(false);
    expect(index.sellables.get('CAP-DAD-BLK')?.name).toBe('Dad Cap — Black');
    // Every SKU the index offers is one the API sells.
    for (const sku of index.sellables.keys()) {
      expect(() => validateCart(catalog, [{ sku, quantity: 1 }]), sku).not.toThrow();
    }
  });

  it('prices a card by its chosen size, and from the lowest when sizes differ', () => {
    const zip = product('HOODIE-ZIP-GRY');
    expect(priceLabel(zip, null)).toBe('From $74.00');
    expect(priceLabel(zip, zip.variants.find((v) => v.sku === 'HOODIE-ZIP-GRY-XXL') ?? null)).toBe('$78.00');
    expect(priceLabel(product('HOODIE-LOGO-BLK'), null)).toBe('$68.00');
  });
});

describe('storefront line limits', () => {
  it('counts every size of a product against its maximum', () => {
    const tee = product('TEE-CLASSIC-BLK');
    const cart = [
      { sku: 'TEE-CLASSIC-BLK-M', quantity: tee.maxQuantity - 3 },
      { sku: 'TEE-CLASSIC-BLK-L', quantity: 1 },
    ];
    expect(lineLimit(cart, 'TEE-CLASSIC-BLK-L', index, fromCatalog)).toEqual({
      max: 3,
      reason: 'product_max',
    });
    expect(lineLimit(cart, 'TEE-CLASSIC-BLK-S', index, fromCatalog)).toEqual({
      max: 2,
      reason: 'product_max',
    });
    // The API agrees: one more unit than the limit is refused, the limit itself is not.
    expect(() => validateCart(catalog, [...cart, { sku: 'TEE-CLASSIC-BLK-S', quantity: 2 }])).not.toThrow();
    expect(refusalOf([...cart, { sku: 'TEE-CLASSIC-BLK-S', quantity: 3 }]).code).toBe(
      'quantity_out_of_range',
    );
  });

  it('holds a size to what is left of it, never a sold-out size, and backorder or untracked stock to the product maximum', () => {
    const hoodie = product('HOODIE-LOGO-BLK');
    expect(lineLimit([], 'HOODIE-LOGO-BLK-XL', index, fromCatalog)).toEqual({ max: 2, reason: 'stock' });
    expect(lineLimit([], 'HOODIE-LOGO-BLK-S', index, fromCatalog)).toEqual({ max: 0, reason: 'sold_out' });
    expect(lineLimit([], 'HOODIE-LOGO-BLK-M', index, fromCatalog)).toEqual({
      max: hoodie.maxQuantity,
      reason: 'product_max',
    });
    expect(fromCatalog('HOODIE-ZIP-GRY-S')?.status).toBe('backorder');
    expect(lineLimit([], 'HOODIE-ZIP-GRY-S', index, fromCatalog).max).toBe(
      product('HOODIE-ZIP-GRY').maxQuantity,
    );
    expect(fromCatalog('TEE-CLASSIC-BLK-M')).toEqual({
      status: 'in_stock',
      available: null,
      message: null,
      backorder: false,
    });
    // Stock that could not be read: checkout's hold decides.
    expect(stockCap(null)).toBe(Number.POSITIVE_INFINITY);
  });

  it('says why nothing was added', () => {
    const xl = index.sellables.get('HOODIE-LOGO-BLK-XL');
    const cap = index.sellables.get('CAP-DAD-BLK');
    if (!xl || !cap) throw new Error('sample products missing');
    expect(limitMessage({ max: 2, reason: 'stock' }, xl)).toBe(
      'Only 2 of Logo Hoodie — Black, XL left, and your cart has them all.',
    );
    expect(limitMessage({ max: 0, reason: 'sold_out' }, xl)).toBe('Logo Hoodie — Black, XL is sold out.');
    expect(limitMessage({ max: 5, reason: 'product_max' }, xl)).toBe(
      'You already have the most we sell at once of Logo Hoodie — Black (all sizes together).',
    );
    expect(limitMessage({ max: 10, reason: 'product_max' }, cap)).toBe(
      'You already have the most we sell at once of Dad Cap — Black.',
    );
  });
});

describe('storefront saved carts and refusals', () => {
  it('takes out a saved line of a product that now has sizes, and names it for the customer to choose', () => {
    const repair = reconcileSavedCart(
      [
        { sku: 'TEE-LOGO-PNK', quantity: 2 },
        { sku: 'CAP-DAD-BLK', quantity: 1 },
        { sku: 'RETIRED-SKU', quantity: 1 },
        { sku: 'TEE-CLASSIC-BLK-M', quantity: 8 },
        { sku: 'TEE-CLASSIC-BLK-L', quantity: 8 },
      ],
      index,
    );
    expect(repair.cart).toEqual([
      { sku: 'CAP-DAD-BLK', quantity: 1 },
      { sku: 'TEE-CLASSIC-BLK-M', quantity: 8 },
      { sku: 'TEE-CLASSIC-BLK-L', quantity: 2 },
    ]);
    expect(repair.needsSize.map((p) => p.sku)).toEqual(['TEE-LOGO-PNK']);
    expect(repair.removed).toEqual(['RETIRED-SKU']);
    expect(repair.lowered.map((p) => p.sku)).toEqual(['TEE-CLASSIC-BLK']);
    // The API would have refused the old line for want of a size, and takes what is left.
    expect(refusalOf([{ sku: 'TEE-LOGO-PNK', quantity: 2 }]).code).toBe('variant_required');
    expect(() => validateCart(catalog, repair.cart)).not.toThrow();
  });

  it('leaves a saved cart the catalog sells as it is', () => {
    const cart = [{ sku: 'HOODIE-LOGO-BLK-M', quantity: 2 }];
    expect(reconcileSavedCart(cart, index)).toEqual({ cart, removed: [], needsSize: [], lowered: [] });
  });

  it('corrects the lines each 422 of the API names, so the next quote is accepted', () => {
    const cases: CartItem[][] = [
      [
        { sku: 'HOODIE-LOGO-BLK', quantity: 1 },
        { sku: 'CAP-DAD-BLK', quantity: 1 },
      ],
      [
        { sku: 'NOT-A-SKU', quantity: 1 },
        { sku: 'CAP-DAD-BLK', quantity: 1 },
      ],
      [
        { sku: 'TEE-CLASSIC-BLK-M', quantity: 9 },
        { sku: 'TEE-CLASSIC-BLK-L', quantity: 4 },
      ],
    ];
    const codes: string[] = [];
    for (const cart of cases) {
      const { code, details } = refusalOf(cart);
      codes.push(code);
      const repair = repairRefusedCart(cart, code, details, index);
      expect(repair, code).not.toBeNull();
      expect(() => validateCart(catalog, repair?.cart ?? []), code).not.toThrow();
    }
    expect(codes).toEqual(['variant_required', 'unknown_sku', 'quantity_out_of_range']);
    const sized = refusalOf(cases[0] ?? []);
    expect(
      repairRefusedCart(cases[0] ?? [], sized.code, sized.details, index)?.needsSize.map((p) => p.sku),
    ).toEqual(['HOODIE-LOGO-BLK']);
    expect(repairRefusedCart([], 'rate_limited', [], index)).toBeNull();
  });

  it('lowers a product first lines first when its sizes together are above the maximum', () => {
    const cart = [
      { sku: 'TEE-CLASSIC-BLK-M', quantity: 4 },
      { sku: 'CAP-DAD-BLK', quantity: 1 },
      { sku: 'TEE-CLASSIC-BLK-L', quantity: 4 },
      { sku: 'TEE-CLASSIC-BLK-S', quantity: 4 },
    ];
    expect(clampProduct(cart, 'TEE-CLASSIC-BLK', 6, index)).toEqual([
      { sku: 'TEE-CLASSIC-BLK-M', quantity: 4 },
      { sku: 'CAP-DAD-BLK', quantity: 1 },
      { sku: 'TEE-CLASSIC-BLK-L', quantity: 2 },
    ]);
    expect(clampProduct(cart, 'TEE-CLASSIC-BLK', 12, index)).toBe(cart);
  });
});

describe('storefront stock refusals', () => {
  it('marks the lines a 409 out_of_stock names, with what is left, until the line asks for no more', () => {
    const http = toHttpError(
      new OutOfStockError([
        { sku: 'HOODIE-LOGO-BLK-S', name: 'Logo Hoodie — Black, S', requested: 1, available: 0 },
        { sku: 'HOODIE-LOGO-BLK-XL', name: 'Logo Hoodie — Black, XL', requested: 3, available: 2 },
      ]),
    );
    expect(http.code).toBe('out_of_stock');
    const short = shortLinesOf(http.options.details ?? []);
    expect([...short]).toEqual([
      ['HOODIE-LOGO-BLK-S', 0],
      ['HOODIE-LOGO-BLK-XL', 2],
    ]);
    const cart = [
      { sku: 'HOODIE-LOGO-BLK-S', quantity: 1 },
      { sku: 'HOODIE-LOGO-BLK-XL', quantity: 3 },
    ];
    expect([...pruneShortLines(short, cart).keys()]).toEqual(['HOODIE-LOGO-BLK-S', 'HOODIE-LOGO-BLK-XL']);
    // Lowered to what is left, and the sold-out line removed: nothing is marked any more.
    expect(pruneShortLines(short, [{ sku: 'HOODIE-LOGO-BLK-XL', quantity: 2 }]).size).toBe(0);
    expect(describeShortLine('Logo Hoodie — Black, XL', 2)).toBe('Only 2 of Logo Hoodie — Black, XL left.');
    expect(describeShortLine('Logo Hoodie — Black, S', 0)).toBe('Logo Hoodie — Black, S is sold out.');
  });

  it('reads what a refusal says is left as the SKU availability the catalog would give', () => {
    const lowStockAt = catalog.lowStockAt;
    const refuse = { inventory: { tracked: true, whenShort: 'refuse' as const } };
    const same = (n: number): [Availability, Availability] => [
      availabilityOfShortLine(n),
      availabilityOf(catalog, refuse, n),
    ];
    for (const n of [0, 1, lowStockAt]) {
      const [ours, theirs] = same(n);
      expect(ours, String(n)).toEqual(theirs);
    }
  });
});

describe('storefront hints', () => {
  const hint = (addition: CartItem[]): QuoteHint => ({
    bundleId: 'b',
    bundleName: 'Deal',
    skus: addition.map((a) => a.sku),
    quantityToAdd: addition.reduce((n, a) => n + a.quantity, 0),
    extraSaving: 100,
    message: 'Add more to save',
    addition,
  });

  it('adds a product without sizes as it is, and one more of the only size of a sized product in the cart', () => {
    expect(hintAction(hint([{ sku: 'CAP-DAD-BLK', quantity: 1 }]), [], index, fromCatalog)).toEqual({
      kind: 'add',
      items: [{ sku: 'CAP-DAD-BLK', quantity: 1 }],
      label: 'Add Dad Cap — Black',
    });
    const cart = [{ sku: 'HOODIE-LOGO-BLK-M', quantity: 1 }];
    expect(hintAction(hint([{ sku: 'HOODIE-LOGO-BLK', quantity: 2 }]), cart, index, fromCatalog)).toEqual({
      kind: 'add',
      items: [{ sku: 'HOODIE-LOGO-BLK-M', quantity: 2 }],
      label: 'Add 2 × Logo Hoodie — Black, M',
    });
  });

  it('asks for a size rather than guessing one: a product not in the cart, in two sizes, short of stock or priced apart', () => {
    const choose = (cart: CartItem[], sku = 'HOODIE-LOGO-BLK') =>
      hintAction(hint([{ sku, quantity: 1 }]), cart, index, fromCatalog)?.kind;
    expect(choose([])).toBe('choose');
    expect(
      choose([
        { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
        { sku: 'HOODIE-LOGO-BLK-L', quantity: 1 },
      ]),
    ).toBe('choose');
    expect(choose([{ sku: 'HOODIE-LOGO-BLK-XL', quantity: 2 }])).toBe('choose');
    expect(choose([{ sku: 'HOODIE-ZIP-GRY-XXL', quantity: 1 }], 'HOODIE-ZIP-GRY')).toBe('choose');
    expect(hintAction(hint([{ sku: 'HOODIE-LOGO-BLK', quantity: 1 }]), [], index, fromCatalog)).toMatchObject(
      {
        label: 'Choose a size of Logo Hoodie — Black',
      },
    );
    expect(hintAction(hint([]), [], index, fromCatalog)).toBeNull();
  });

  it('never puts a product SKU of a sized product in the cart, whatever hints the pricing gives', () => {
    const carts: CartItem[][] = [
      [{ sku: 'TEE-LOGO-PNK-M', quantity: 2 }],
      [{ sku: 'HOODIE-LOGO-BLK-M', quantity: 1 }],
      [
        { sku: 'STICKER-HEART', quantity: 2 },
        { sku: 'CAP-DAD-BLK', quantity: 1 },
      ],
      [
        { sku: 'TEE-LOGO-PNK-M', quantity: 2 },
        { sku: 'STICKER-HEART', quantity: 2 },
        { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
        { sku: 'CAP-DAD-BLK', quantity: 1 },
      ],
    ];
    let offered = 0;
    for (const cart of carts) {
      for (const h of priceCart(catalog, cart).hints) {
        const action = hintAction(h, cart, index, fromCatalog);
        if (action?.kind !== 'add') continue;
        offered += 1;
        const next = [...cart, ...action.items];
        expect(() => validateCart(catalog, next), action.label).not.toThrow();
      }
    }
    expect(offered).toBeGreaterThan(0);
  });
});
