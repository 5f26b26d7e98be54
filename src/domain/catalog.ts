import * as v from 'valibot';
import { checkVariants, pricingCatalogOf, type Sellable, sellablesOf } from './catalog-variants';
import { type Currency, SUPPORTED_CURRENCIES } from './money';

export type { Sellable } from './catalog-variants';

/** SKUs are short upper-case codes: letters, digits and dashes. */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,39}$/;
const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VERSION_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;
export const DEFAULT_MAX_QUANTITY = 10;

const Amount = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer number of cents'),
  v.minValue(0, 'must not be negative'),
);
const WholePercent = v.pipe(
  v.number(),
  v.integer('must be a whole percentage'),
  v.minValue(1),
  v.maxValue(100),
);
const Slug = v.pipe(v.string(), v.regex(SLUG_PATTERN, 'must be a lower-case slug'));
const Sku = v.pipe(v.string(), v.regex(SKU_PATTERN, 'must be an upper-case SKU (A–Z, 0–9, dashes)'));
const Text = (max: number) =>
  v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max));

/**
 * A product image: an https URL, or a path on the shop's own site (`/images/tee.png`), which checkout
 * resolves against the shop's origin (the success URL's) for Stripe.
 */
const ImageUrl = v.pipe(
  v.string(),
  v.regex(/^(https:\/\/[^\s]+|\/[^\s/][^\s]*)$/, 'must be an https URL or a path starting with /'),
  v.maxLength(2048),
);
const Images = v.pipe(v.array(ImageUrl), v.maxLength(8, 'may list at most 8 images (Stripe shows up to 8)'));

/** Whether a SKU's units are counted, and what checkout does when a cart wants more than are left. */
const InventorySchema = v.strictObject({
  tracked: v.boolean(),
  /** `refuse`: never sell more than on hand. `backorder`: sell anyway; the order is flagged short. */
  whenShort: v.optional(v.picklist(['refuse', 'backorder'], 'must be refuse or backorder'), 'refuse'),
});

const OptionSchema = v.strictObject({
  name: Text(40),
  values: v.pipe(v.array(Text(40)), v.minLength(1, 'needs at least one value'), v.maxLength(30)),
});

const VariantSchema = v.strictObject({
  sku: Sku,
  /** The variant's value of each of the product's options, e.g. `{ "Size": "M" }`. */
  options: v.record(v.string(), Text(40)),
  /** Overrides the product's price for this variant. */
  unitAmount: v.optional(Amount),
  stripePriceId: v.optional(v.pipe(v.string(), v.regex(/^price_[A-Za-z0-9]+$/, 'must look like price_…'))),
  active: v.optional(v.boolean(), true),
  images: v.optional(Images),
  inventory: v.optional(InventorySchema),
});

/** How a hint names the units of a bundle: "Add 1 more tee", "Add 2 more tees". */
const UnitLabel = v.strictObject({ one: Text(40), other: Text(40) });

const ProductSchema = v.strictObject({
  sku: Sku,
  name: Text(120),
  description: v.optional(Text(500)),
  unitAmount: Amount,
  currency: v.picklist(SUPPORTED_CURRENCIES, 'must be a supported currency'),
  active: v.boolean(),
  stripePriceId: v.optional(v.pipe(v.string(), v.regex(/^price_[A-Za-z0-9]+$/, 'must look like price_…'))),
  maxQuantity: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(99))),
  collections: v.array(Slug),
  tags: v.array(Slug),
  images: v.optional(Images, []),
  /** The choices a shopper makes (size, colour); each variant names one value of each. */
  options: v.optional(v.pipe(v.array(OptionSchema), v.maxLength(3, 'may have at most 3 options')), []),
  /** Sellable versions of the product, each its own SKU; none means the product itself is sold. */
  variants: v.optional(v.pipe(v.array(VariantSchema), v.maxLength(100)), []),
  /** Stock policy of the product's SKUs (a variant may override it); untracked when absent. */
  inventory: v.optional(InventorySchema),
});

const BundleBase = {
  id: Slug,
  name: Text(80),
  description: v.optional(Text(300)),
  active: v.optional(v.boolean(), true),
};

const TieredPercentSchema = v.strictObject({
  ...BundleBase,
  kind: v.literal('tiered_percent'),
  collection: Slug,
  unit: UnitLabel,
  tiers: v.pipe(
    v.array(
      v.strictObject({
        minQuantity: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(99)),
        percentOff: WholePercent,
      }),
    ),
    v.minLength(1, 'needs at least one tier'),
  ),
});

const MultiBuySchema = v.strictObject({
  ...BundleBase,
  kind: v.literal('multi_buy'),
  collection: Slug,
  unit: UnitLabel,
  quantity: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(20)),
  price: Amount,
});

const SetSchema = v.strictObject({
  ...BundleBase,
  kind: v.literal('set'),
  items: v.pipe(
    v.array(
      v.strictObject({ sku: Sku, quantity: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)) }),
    ),
    v.minLength(2, 'needs at least two items'),
  ),
  price: v.optional(Amount),
  percentOff: v.optional(WholePercent),
});

const BundleSchema = v.variant(
  'kind',
  [TieredPercentSchema, MultiBuySchema, SetSchema],
  'kind must be tiered_percent, multi_buy or set',
);

const CatalogSchema = v.strictObject({
  $comment: v.optional(v.string()),
  version: v.pipe(v.string(), v.regex(VERSION_PATTERN, 'must be letters, digits, ., _ or -')),
  currency: v.picklist(SUPPORTED_CURRENCIES, 'must be a supported currency'),
  sampleData: v.optional(v.boolean()),
  defaultMaxQuantity: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(99)),
    DEFAULT_MAX_QUANTITY,
  ),
  /** "Only N left" shows at this many units or fewer. */
  lowStockAt: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)), 5),
  products: v.pipe(v.array(ProductSchema), v.minLength(1, 'needs at least one product')),
  bundles: v.array(BundleSchema),
});

export type Product = v.InferOutput<typeof ProductSchema>;
export type Variant = v.InferOutput<typeof VariantSchema>;
export type Inventory = v.InferOutput<typeof InventorySchema>;
export type TieredPercentBundle = v.InferOutput<typeof TieredPercentSchema>;
export type MultiBuyBundle = v.InferOutput<typeof MultiBuySchema>;
export type SetBundle = v.InferOutput<typeof SetSchema>;
export type Bundle = v.InferOutput<typeof BundleSchema>;
export type CatalogData = v.InferOutput<typeof CatalogSchema>;

/**
 * What the bundle engine prices: its products are pricing units — a product whose variants share its
 * price is one unit (three tees in any sizes make the tee stack); a variant with a price of its own is
 * a unit of its own, in the product's collections.
 */
export interface PricingCatalog {
  readonly version: string;
  readonly currency: Currency;
  readonly defaultMaxQuantity: number;
  readonly products: readonly Product[];
  /** Pricing units by SKU. */
  readonly productsBySku: ReadonlyMap<string, Product>;
  /** Active bundles only, in catalog order. */
  readonly activeBundles: readonly Bundle[];
}

/** A validated catalog with lookups. Build it with {@link parseCatalog}. */
export interface Catalog extends CatalogData {
  readonly currency: Currency;
  /** Products by their own SKU (a product with variants is found here, but is not sellable itself). */
  readonly productsBySku: ReadonlyMap<string, Product>;
  /** Active bundles only, in catalog order. */
  readonly activeBundles: readonly Bundle[];
  /** Everything a cart may name: each variant, and each product without variants, in catalog order. */
  readonly sellables: readonly Sellable[];
  readonly sellablesBySku: ReadonlyMap<string, Sellable>;
  /** The bundle engine's view (see {@link PricingCatalog}). */
  readonly pricing: PricingCatalog;
}

/** The catalog file failed validation; `problems` names each offending entry. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid catalog:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Maximum quantity of one product (all its variants together) in a cart. */
export function maxQuantityOf(catalog: Pick<Catalog, 'defaultMaxQuantity'>, product: Product): number {
  return product.maxQuantity ?? catalog.defaultMaxQuantity;
}

/** SKUs a collection bundle counts, in catalog order (active products only). */
export function skusInCollection(catalog: Pick<PricingCatalog, 'products'>, collection: string): string[] {
  return catalog.products.filter((p) => p.active && p.collections.includes(collection)).map((p) => p.sku);
}

/**
 * Validates raw catalog data (the parsed JSON file) and returns a {@link Catalog}. Rejects, with a
 * message naming the entry: schema violations, duplicate SKUs or bundle ids, bundles naming unknown
 * SKUs or empty collections, currencies that differ from the catalog's, tiers out of order.
 */
export function parseCatalog(data: unknown): Catalog {
  return catalogOf(validateCatalog(data));
}

/**
 * The validation of {@link parseCatalog} alone: the catalog's data with every default filled in, as
 * plain JSON. The bundling runs it at build time, so a function starts from its output (decision #187).
 */
export function validateCatalog(data: unknown): CatalogData {
  const result = v.safeParse(CatalogSchema, data);
  if (!result.success) {
    throw new CatalogError(
      result.issues.map((issue) => `${describePath(data, issue.path)}: ${issue.message}`),
    );
  }
  const catalog = result.output;
  const problems = [...checkProducts(catalog), ...checkVariants(catalog), ...checkBundles(catalog)];
  if (problems.length > 0) throw new CatalogError(problems);
  return catalog;
}

/** The lookups of catalog data that {@link validateCatalog} returned (it checks nothing itself). */
export function catalogOf(catalog: CatalogData): Catalog {
  const productsBySku = new Map(catalog.products.map((p) => [p.sku, p]));
  const activeBundles = catalog.bundles.filter((b) => b.active);
  const sellables = sellablesOf(catalog);
  return {
    ...catalog,
    productsBySku,
    activeBundles,
    sellables,
    sellablesBySku: new Map(sellables.map((s) => [s.sku, s])),
    pricing: pricingCatalogOf(catalog, activeBundles),
  };
}

function checkProducts(catalog: CatalogData): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  catalog.products.forEach((product, index) => {
    const where = `products[${index}] (sku "${product.sku}")`;
    if (seen.has(product.sku)) problems.push(`${where}: duplicate SKU`);
    seen.add(product.sku);
    if (product.currency !== catalog.currency) {
      problems.push(
        `${where}: currency "${product.currency}" differs from the catalog's "${catalog.currency}"`,
      );
    }
  });
  return problems;
}

function checkBundles(catalog: CatalogData): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const skus = new Set(catalog.products.map((p) => p.sku));
  catalog.bundles.forEach((bundle, index) => {
    const where = `bundles[${index}] (id "${bundle.id}")`;
    if (seen.has(bundle.id)) problems.push(`${where}: duplicate bundle id`);
    seen.add(bundle.id);
    switch (bundle.kind) {
      case 'tiered_percent': {
        if (skusInCollection(catalog, bundle.collection).length === 0) {
          problems.push(`${where}: collection "${bundle.collection}" has no active product`);
        }
        bundle.tiers.forEach((tier, t) => {
          const previous = bundle.tiers[t - 1];
          if (
            previous &&
            (tier.minQuantity <= previous.minQuantity || tier.percentOff <= previous.percentOff)
          ) {
            problems.push(
              `${where}: tiers[${t}] must need more units and give more off than the tier before`,
            );
          }
        });
        break;
      }
      case 'multi_buy':
        if (skusInCollection(catalog, bundle.collection).length === 0) {
          problems.push(`${where}: collection "${bundle.collection}" has no active product`);
        }
        break;
      case 'set': {
        const setSkus = new Set<string>();
        for (const item of bundle.items) {
          if (!skus.has(item.sku)) problems.push(`${where}: names unknown SKU "${item.sku}"`);
          if (setSkus.has(item.sku)) problems.push(`${where}: lists SKU "${item.sku}" twice`);
          setSkus.add(item.sku);
        }
        if ((bundle.price === undefined) === (bundle.percentOff === undefined)) {
          problems.push(`${where}: needs exactly one of price or percentOff`);
        }
        break;
      }
    }
  });
  return problems;
}

function describePath(data: unknown, path: v.BaseIssue<unknown>['path']): string {
  if (!path || path.length === 0) return 'catalog';
  let label = '';
  let node: unknown = data;
  for (const item of path) {
    const key = item.key;
    node =
      node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
    if (typeof key === 'number') {
      label += `[${key}]`;
      const entry = node as { sku?: unknown; id?: unknown } | undefined;
      if (entry && typeof entry === 'object') {
        if (typeof entry.sku === 'string') label += ` (sku "${entry.sku}")`;
        else if (typeof entry.id === 'string') label += ` (id "${entry.id}")`;
      }
    } else {
      label += label ? `.${String(key)}` : String(key);
    }
  }
  return label;
}
