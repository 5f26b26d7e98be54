/**
 * `npm run catalog -- pull`: the catalog built from the shop's Stripe catalog (its active products
 * and their active one-time prices in the catalog's currency), keeping what Stripe does not hold —
 * bundles, collections, tags, stock policy, quantity limits — from the current catalog. Reading
 * Stripe ({@link fetchStripeCatalog}) is apart from the mapping ({@link pullCatalog}), which is
 * pure and says what changed, what was kept, and what stops the result from being written.
 */
import type Stripe from 'stripe';
import { type Catalog, type CatalogData, CatalogError, type Product, parseCatalog } from '../domain/catalog';
import { catalogFileOf } from './catalog-file';
import {
  type BuiltProduct,
  buildProduct,
  changeOf,
  SkuRegistry,
  type Source,
  summaryOf,
} from './catalog-pull-products';
import { deriveSku, normalizeSku } from './catalog-pull-variants';

/** A Stripe product as the pull reads it. */
export interface StripeCatalogProduct {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly images: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly created: number;
}

/** A Stripe price as the pull reads it. */
export interface StripeCatalogPrice {
  readonly id: string;
  readonly productId: string;
  /** `null` for prices without a fixed amount (tiered, customer-chosen). */
  readonly unitAmount: number | null;
  readonly currency: string;
  readonly type: string;
  readonly nickname: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly created: number;
}

/** The shop's active Stripe products and active prices, oldest first. */
export interface StripeCatalog {
  readonly products: readonly StripeCatalogProduct[];
  readonly prices: readonly StripeCatalogPrice[];
}

/**
 * Lists every active product and every active price through the SDK's auto-pagination (100 a
 * page), oldest first (Stripe lists newest first).
 */
export async function fetchStripeCatalog(
  stripe: Pick<Stripe, 'products' | 'prices'>,
): Promise<StripeCatalog> {
  const products: StripeCatalogProduct[] = [];
  for await (const product of stripe.products.list({ active: true, limit: 100 })) {
    products.push({
      id: product.id,
      name: product.name,
      description: product.description,
      images: product.images,
      metadata: product.metadata,
      created: product.created,
    });
  }
  const prices: StripeCatalogPrice[] = [];
  for await (const price of stripe.prices.list({ active: true, limit: 100 })) {
    prices.push({
      id: price.id,
      productId: typeof price.product === 'string' ? price.product : price.product.id,
      unitAmount: price.unit_amount,
      currency: price.currency,
      type: price.type,
      nickname: price.nickname,
      metadata: price.metadata,
      created: price.created,
    });
  }
  return { products: oldestFirst(products), prices: oldestFirst(prices) };
}

function oldestFirst<T extends { created: number }>(newestFirst: readonly T[]): T[] {
  return [...newestFirst].reverse().sort((a, b) => a.created - b.created);
}

/** One field that differs, as text for the report. */
export interface FieldChange {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

/** What happens to one variant. */
export interface VariantChange {
  readonly kind: 'added' | 'changed' | 'removed' | 'kept';
  readonly sku: string;
  /** "Size M", its price and Stripe price, for added and removed ones. */
  readonly label: string;
  readonly fields: readonly FieldChange[];
  readonly reason?: string;
}

/** What happens to one product of the catalog. */
export interface ProductChange {
  /** `kept`: not sold through a Stripe price, kept as it is. */
  readonly kind: 'added' | 'changed' | 'unchanged' | 'removed' | 'kept';
  readonly sku: string;
  readonly name: string;
  readonly label: string;
  readonly fields: readonly FieldChange[];
  readonly variants: readonly VariantChange[];
  readonly reason?: string;
}

/** What Stripe had that the catalog does not take. */
export interface SkippedAtStripe {
  readonly recurringPrices: number;
  readonly otherCurrencyPrices: number;
  readonly pricesWithoutAmount: number;
  /** Active products without a price the catalog can sell, by name. */
  readonly productsWithoutPrice: readonly string[];
}

export interface PullResult {
  /** The new catalog; valid when `problems` is empty. */
  readonly data: CatalogData;
  /** The catalog as its file holds it (what `--write` writes). */
  readonly file: Record<string, unknown>;
  /** Why the result must not be written (a bundle naming a product that is gone…). */
  readonly problems: readonly string[];
  readonly products: readonly ProductChange[];
  /** Catalog-level fields that change: `version`, `sampleData`, `$comment`. */
  readonly catalogFields: readonly FieldChange[];
  /** Things to know that are not refusals (a dropped image, a shortened description). */
  readonly notes: readonly string[];
  /** Stripe products and prices the catalog is built from. */
  readonly taken: { readonly products: number; readonly prices: number };
  readonly skipped: SkippedAtStripe;
  readonly bundlesKept: number;
  /** Ids of the sample's bundles left out: they name sample products or collections that are gone. */
  readonly bundlesDropped: readonly string[];
  /** Whether writing would change the catalog. */
  readonly changed: boolean;
}

/**
 * Builds the catalog from Stripe's (see the module comment and docs/deploy.md, step 3). Products
 * and variants are matched to the current catalog by Stripe price id, else by SKU; `today`
 * (`YYYY-MM-DD`) names the new version when anything changes.
 */
export function pullCatalog(current: Catalog, stripe: StripeCatalog, today: string): PullResult {
  const problems: string[] = [];
  const notes: string[] = [];
  const { sources, skipped } = sellableSources(current, stripe);

  const { bySource, claimed } = matchProducts(current, sources);
  const skus = new SkuRegistry(current, sources);
  const built = new Map<number, BuiltProduct>();
  const added: BuiltProduct[] = [];
  for (const source of sources) {
    const index = bySource.get(source.product.id);
    const previous = index === undefined ? undefined : current.products[index];
    const result = buildProduct(source, previous, current, skus, notes);
    if (typeof result === 'string') {
      problems.push(`Stripe product "${source.product.name}" (${source.product.id}): ${result}`);
      continue;
    }
    if (index === undefined) added.push(result);
    else built.set(index, result);
  }

  // The sample's products and bundles are placeholders: only what matches Stripe is taken from it.
  const fromSample = current.sampleData === true;
  const products: Product[] = [];
  const changes: ProductChange[] = [];
  const removed: ProductChange[] = [];
  current.products.forEach((previous, index) => {
    const pulled = built.get(index);
    if (pulled) {
      products.push(pulled.product);
      changes.push(changeOf(previous, pulled));
    } else if (fromSample && !claimed.has(index)) {
      removed.push({ ...summaryOf('removed', previous), reason: 'a sample product' });
    } else if (!soldThroughStripe(previous)) {
      products.push(previous);
      changes.push({ ...summaryOf('kept', previous), reason: 'sold without a Stripe price' });
    } else if (claimed.has(index)) {
      // Its Stripe product could not be mapped (a problem says why): nothing is written.
      products.push(previous);
    } else {
      removed.push({
        ...summaryOf('removed', previous),
        reason: 'archived at Stripe, or without an active one-time price there',
      });
    }
  });
  for (const pulled of added) {
    products.push(pulled.product);
    changes.push({ ...summaryOf('added', pulled.product), variants: pulled.variants });
  }
  for (const change of changes) {
    for (const field of [change.fields, ...change.variants.map((v) => v.fields)].flat()) {
      if (field.field === 'sku') {
        notes.push(
          `SKU ${field.from} becomes ${field.to} (its Stripe metadata says so): stock counts and past orders keep the old SKU`,
        );
      }
    }
  }

  const catalogFields: FieldChange[] = [];
  let comment = current.$comment;
  if (current.sampleData) {
    catalogFields.push({ field: 'sampleData', from: 'true', to: '(removed)' });
    if (comment !== undefined) {
      catalogFields.push({ field: '$comment', from: '(the sample note)', to: '(removed)' });
      comment = undefined;
    }
  }
  const changed =
    catalogFields.length > 0 ||
    removed.length > 0 ||
    changes.some((c) => c.kind === 'added' || c.kind === 'changed');
  const version = changed ? nextVersion(current.version, today) : current.version;
  if (version !== current.version)
    catalogFields.unshift({ field: 'version', from: current.version, to: version });

  const settings = {
    ...(comment === undefined ? {} : { $comment: comment }),
    version,
    currency: current.currency,
    defaultMaxQuantity: current.defaultMaxQuantity,
    lowStockAt: current.lowStockAt,
  };
  const bundlesDropped = fromSample
    ? current.bundles
        .filter((bundle) => !loads({ ...settings, products, bundles: [bundle] }))
        .map((b) => b.id)
    : [];
  const data: CatalogData = {
    ...settings,
    products,
    bundles: current.bundles.filter((bundle) => !bundlesDropped.includes(bundle.id)),
  };
  const file = catalogFileOf(data);
  if (products.length === 0) {
    problems.push(
      `Stripe has no active product with an active one-time price in ${current.currency} to sell`,
    );
  }
  const gone = new Set(removed.map((r) => r.sku));
  for (const bundle of data.bundles) {
    if (bundle.kind !== 'set') continue;
    for (const item of bundle.items) {
      if (gone.has(item.sku)) {
        problems.push(
          `bundle "${bundle.id}" names ${item.sku}, which Stripe no longer sells (archived there): ` +
            'take it out of the bundle (or the bundle out of the catalog), or sell it again at Stripe',
        );
      }
    }
  }
  if (problems.length === 0) {
    try {
      parseCatalog(file);
    } catch (err: unknown) {
      if (!(err instanceof CatalogError)) throw err;
      problems.push(...err.problems.map((p) => `the pulled catalog would not load: ${p}`));
    }
  }
  return {
    data,
    file,
    problems,
    products: [...changes, ...removed],
    catalogFields,
    notes,
    taken: { products: sources.length, prices: sources.reduce((n, s) => n + s.prices.length, 0) },
    skipped,
    bundlesKept: data.bundles.length,
    bundlesDropped,
    changed,
  };
}

/** `2026-11-27.1` → `2026-11-27.2` on the same day; `<today>.1` otherwise. */
export function nextVersion(previous: string, today: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})\.(\d+)$/.exec(previous);
  if (match && match[1] === today) return `${today}.${Number(match[2]) + 1}`;
  return `${today}.1`;
}

function sellableSources(
  current: Catalog,
  stripe: StripeCatalog,
): { sources: Source[]; skipped: SkippedAtStripe } {
  const active = new Set(stripe.products.map((p) => p.id));
  const byProduct = new Map<string, StripeCatalogPrice[]>();
  let recurringPrices = 0;
  let otherCurrencyPrices = 0;
  let pricesWithoutAmount = 0;
  for (const price of stripe.prices) {
    // A price of an archived product cannot be bought at Stripe either.
    if (!active.has(price.productId)) continue;
    if (price.type !== 'one_time') recurringPrices += 1;
    else if (price.currency !== current.currency) otherCurrencyPrices += 1;
    else if (price.unitAmount === null) pricesWithoutAmount += 1;
    else byProduct.set(price.productId, [...(byProduct.get(price.productId) ?? []), price]);
  }
  const sources = stripe.products.flatMap((product) => {
    const prices = byProduct.get(product.id);
    return prices ? [{ product, prices }] : [];
  });
  return {
    sources,
    skipped: {
      recurringPrices,
      otherCurrencyPrices,
      pricesWithoutAmount,
      productsWithoutPrice: stripe.products.filter((p) => !byProduct.has(p.id)).map((p) => p.name),
    },
  };
}

/** Whether a catalog with these products and bundles would load. */
function loads(data: CatalogData): boolean {
  try {
    parseCatalog(catalogFileOf(data));
    return true;
  } catch (err: unknown) {
    if (err instanceof CatalogError) return false;
    throw err;
  }
}

function soldThroughStripe(product: Product): boolean {
  return product.stripePriceId !== undefined || product.variants.some((v) => v.stripePriceId !== undefined);
}

/**
 * The current product each Stripe product is: first by any of its prices' ids, then by SKU (its
 * `metadata.sku`, else the one its name gives). Each catalog product is matched at most once.
 */
function matchProducts(
  current: Catalog,
  sources: readonly Source[],
): { bySource: Map<string, number>; claimed: Set<number> } {
  const byPrice = new Map<string, number>();
  current.products.forEach((product, index) => {
    if (product.stripePriceId) byPrice.set(product.stripePriceId, index);
    for (const variant of product.variants) {
      if (variant.stripePriceId) byPrice.set(variant.stripePriceId, index);
    }
  });
  const bySku = new Map(current.products.map((product, index) => [product.sku, index]));
  const bySource = new Map<string, number>();
  const claimed = new Set<number>();
  const claim = (source: Source, index: number | undefined) => {
    if (index === undefined || claimed.has(index) || bySource.has(source.product.id)) return;
    claimed.add(index);
    bySource.set(source.product.id, index);
  };
  for (const source of sources) {
    for (const price of source.prices) claim(source, byPrice.get(price.id));
  }
  for (const source of sources) {
    claim(source, bySku.get(normalizeSku(source.product.metadata.sku) ?? deriveSku(source.product.name)));
  }
  return { bySource, claimed };
}
