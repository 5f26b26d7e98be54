/**
 * The catalog product each Stripe product becomes in `catalog pull` (its SKU, variants, description
 * and images, and what it keeps of the catalog product it matches), and what changed for the report.
 */
import type { Catalog, Product, Variant } from '../domain/catalog';
import { type Currency, formatMoney } from '../domain/money';
import type {
  FieldChange,
  ProductChange,
  StripeCatalogPrice,
  StripeCatalogProduct,
  VariantChange,
} from './catalog-pull';
import {
  deriveSku,
  normalizeSku,
  optionsOfPrices,
  orderValues,
  type PriceOptions,
  uniqueSku,
} from './catalog-pull-variants';

/** A Stripe product with its active one-time prices in the catalog's currency, oldest first. */
export interface Source {
  readonly product: StripeCatalogProduct;
  readonly prices: readonly StripeCatalogPrice[];
}

const MAX_DESCRIPTION = 500;
const MAX_IMAGES = 8;
const IMAGE_URL = /^(https:\/\/[^\s]+|\/[^\s/][^\s]*)$/;

/** SKUs given out so far; new ones never reuse a SKU the catalog had (orders and stock name them). */
export class SkuRegistry {
  private readonly reserved = new Set<string>();
  private readonly given = new Set<string>();

  constructor(current: Catalog, sources: readonly Source[]) {
    for (const product of current.products) {
      this.reserved.add(product.sku);
      for (const variant of product.variants) this.reserved.add(variant.sku);
    }
    for (const source of sources) {
      const own = normalizeSku(source.product.metadata.sku);
      if (own) this.reserved.add(own);
      for (const price of source.prices) {
        const sku = normalizeSku(price.metadata.sku);
        if (sku) this.reserved.add(sku);
      }
    }
  }

  /** A SKU the shop chose (Stripe metadata, or the catalog's); a string when it is taken twice. */
  own(sku: string): string | undefined {
    if (this.given.has(sku)) return `SKU ${sku} is used twice`;
    this.given.add(sku);
    return undefined;
  }

  /** A new SKU from `text`, unlike any other. */
  derive(text: string): string {
    const sku = uniqueSku(deriveSku(text), new Set([...this.reserved, ...this.given]));
    this.given.add(sku);
    return sku;
  }
}

export interface BuiltProduct {
  readonly product: Product;
  readonly variants: readonly VariantChange[];
}

/** The catalog product a Stripe product becomes; a string says why it cannot be made. */
export function buildProduct(
  source: Source,
  previous: Product | undefined,
  current: Catalog,
  skus: SkuRegistry,
  notes: string[],
): BuiltProduct | string {
  const { product: stripeProduct, prices } = source;
  const metadataSku = stripeProduct.metadata.sku;
  if (metadataSku !== undefined && normalizeSku(metadataSku) === undefined) {
    return `metadata sku "${metadataSku}" is not a SKU (A–Z, 0–9 and dashes, 2–40 characters)`;
  }
  const ownSku = normalizeSku(metadataSku) ?? previous?.sku;
  let sku: string;
  if (ownSku) {
    const taken = skus.own(ownSku);
    if (taken) return taken;
    sku = ownSku;
  } else {
    sku = skus.derive(stripeProduct.name);
  }

  const base = {
    sku,
    name: stripeProduct.name.trim(),
    description: descriptionOf(stripeProduct, previous, notes),
    currency: current.currency,
    active: true,
    maxQuantity: previous?.maxQuantity,
    collections: previous?.collections ?? [],
    tags: previous?.tags ?? [],
    images: imagesOf(stripeProduct, previous, notes),
    inventory: previous?.inventory,
  };

  for (const price of prices) {
    if (price.metadata.sku !== undefined && normalizeSku(price.metadata.sku) === undefined) {
      return `price ${price.id}: metadata sku "${price.metadata.sku}" is not a SKU (A–Z, 0–9 and dashes, 2–40 characters)`;
    }
  }
  const claimed = new Set<Variant>();
  const matchedById = prices.map((price) => {
    const explicit = normalizeSku(price.metadata.sku);
    const variant = previous?.variants.find(
      (v) =>
        !claimed.has(v) && (v.stripePriceId === price.id || (explicit !== undefined && v.sku === explicit)),
    );
    if (variant) claimed.add(variant);
    return variant;
  });
  const [only] = prices;
  if (prices.length === 1 && only && matchedById[0] === undefined) {
    return {
      product: {
        ...base,
        unitAmount: only.unitAmount ?? 0,
        stripePriceId: only.id,
        options: [],
        variants: [],
      },
      variants: previous
        ? previous.variants.map((v) => removedVariant(previous, v, 'the product has one price at Stripe'))
        : [],
    };
  }

  const options = optionsOfPrices(prices, previous, matchedById);
  if (typeof options === 'string') return options;
  return withVariants(base, prices, options, previous, matchedById, claimed, skus);
}

type ProductBase = Omit<Product, 'unitAmount' | 'stripePriceId' | 'options' | 'variants'>;

function withVariants(
  base: ProductBase,
  prices: readonly StripeCatalogPrice[],
  options: PriceOptions,
  previous: Product | undefined,
  matchedById: readonly (Variant | undefined)[],
  claimed: Set<Variant>,
  skus: SkuRegistry,
): BuiltProduct | string {
  const sameOptions = (variant: Variant, values: Readonly<Record<string, string>>) =>
    Object.keys(variant.options).length === options.names.length &&
    options.names.every((name) => variant.options[name] === values[name]);
  const derivedSkuOf = (values: Readonly<Record<string, string>>) =>
    deriveSku(`${base.sku}-${options.names.map((n) => values[n]).join('-')}`);
  const matched = matchedById.map((variant, i) => {
    if (variant) return variant;
    const values = options.values[i] ?? {};
    const found = previous?.variants.find(
      (v) => !claimed.has(v) && (sameOptions(v, values) || v.sku === derivedSkuOf(values)),
    );
    if (found) claimed.add(found);
    return found;
  });

  const unitAmount = commonAmount(prices.map((p) => p.unitAmount ?? 0));
  const previousAmount = (v: Variant) => v.unitAmount ?? previous?.unitAmount ?? unitAmount;
  const pulled: { variant: Variant; before: Variant | undefined }[] = [];
  for (const [i, price] of prices.entries()) {
    const before = matched[i];
    const explicit = normalizeSku(price.metadata.sku);
    const values = options.values[i] ?? {};
    let sku: string;
    if (explicit ?? before?.sku) {
      sku = explicit ?? before?.sku ?? '';
      const taken = skus.own(sku);
      if (taken) return taken;
    } else {
      sku = skus.derive(`${base.sku}-${options.names.map((n) => values[n]).join('-')}`);
    }
    const amount = price.unitAmount ?? 0;
    pulled.push({
      before,
      variant: {
        sku,
        options: { ...values },
        unitAmount: amount === unitAmount ? undefined : amount,
        stripePriceId: price.id,
        active: true,
        images: before?.images,
        inventory: before?.inventory,
      },
    });
  }

  const removed: VariantChange[] = [];
  const kept: Variant[] = [];
  for (const variant of previous?.variants ?? []) {
    if (claimed.has(variant)) continue;
    const fits =
      Object.keys(variant.options).length === options.names.length &&
      options.names.every((name) => variant.options[name] !== undefined);
    if (variant.stripePriceId !== undefined) {
      removed.push(
        removedVariant(previous, variant, `price ${variant.stripePriceId} is archived or gone at Stripe`),
      );
    } else if (!fits) {
      removed.push(
        removedVariant(
          previous,
          variant,
          `its options are not the product's at Stripe (${options.names.join(', ')})`,
        ),
      );
    } else {
      const amount = previousAmount(variant);
      kept.push({ ...variant, unitAmount: amount === unitAmount ? undefined : amount });
    }
  }

  const optionList = options.names.map((name) => ({
    name,
    values: orderValues(
      [...pulled.map((p) => p.variant), ...kept].map((v) => v.options[name] ?? ''),
      previous?.options.find((o) => o.name === name)?.values ?? [],
    ),
  }));
  const position = (variant: Variant) =>
    optionList
      .map((option) => String(option.values.indexOf(variant.options[option.name] ?? '')).padStart(3, '0'))
      .join('.');
  const variants = [...pulled.map((p) => p.variant), ...kept].sort((a, b) =>
    position(a).localeCompare(position(b)),
  );
  const product: Product = { ...base, unitAmount, stripePriceId: undefined, options: optionList, variants };

  const changes: VariantChange[] = [];
  for (const { variant, before } of pulled) {
    if (!before) {
      changes.push({ kind: 'added', sku: variant.sku, label: variantLabel(product, variant), fields: [] });
      continue;
    }
    const fields = variantFields(previous, before, product, variant);
    if (fields.length > 0)
      changes.push({ kind: 'changed', sku: variant.sku, label: variantLabel(product, variant), fields });
  }
  return { product, variants: [...changes, ...removed] };
}

/** The amount most prices have (the fewest variants then carry a price of their own); ties: the lowest. */
function commonAmount(amounts: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const amount of amounts) counts.set(amount, (counts.get(amount) ?? 0) + 1);
  let best = amounts[0] ?? 0;
  for (const [amount, count] of counts) {
    const bestCount = counts.get(best) ?? 0;
    if (count > bestCount || (count === bestCount && amount < best)) best = amount;
  }
  return best;
}

function descriptionOf(
  source: StripeCatalogProduct,
  previous: Product | undefined,
  notes: string[],
): string | undefined {
  const text = source.description?.trim();
  if (!text) return previous?.description;
  if (text.length <= MAX_DESCRIPTION) return text;
  notes.push(`"${source.name}": its description was shortened to ${MAX_DESCRIPTION} characters`);
  const cut = text.slice(0, MAX_DESCRIPTION - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_DESCRIPTION / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function imagesOf(source: StripeCatalogProduct, previous: Product | undefined, notes: string[]): string[] {
  const usable = source.images.filter((url) => IMAGE_URL.test(url) && url.length <= 2048);
  if (usable.length < source.images.length) {
    notes.push(
      `"${source.name}": ${source.images.length - usable.length} image(s) left out (not https URLs)`,
    );
  }
  if (usable.length > MAX_IMAGES) {
    notes.push(`"${source.name}": only its first ${MAX_IMAGES} images are kept`);
  }
  return usable.length > 0 ? usable.slice(0, MAX_IMAGES) : [...(previous?.images ?? [])];
}

function removedVariant(product: Product | undefined, variant: Variant, reason: string): VariantChange {
  return {
    kind: 'removed',
    sku: variant.sku,
    label: product ? variantLabel(product, variant) : '',
    fields: [],
    reason,
  };
}

function variantLabel(product: Product, variant: Variant): string {
  const options = product.options.map((o) => `${o.name} ${variant.options[o.name] ?? '?'}`).join(', ');
  const amount = variant.unitAmount ?? product.unitAmount;
  return [options, money(amount, product.currency), variant.stripePriceId ?? 'no Stripe price'].join(', ');
}

function variantFields(
  before: Product | undefined,
  old: Variant,
  after: Product,
  now: Variant,
): FieldChange[] {
  const fields: FieldChange[] = [];
  const add = (field: string, from: string, to: string) => {
    if (from !== to) fields.push({ field, from, to });
  };
  add('sku', old.sku, now.sku);
  add('options', optionsText(old.options), optionsText(now.options));
  add(
    'price',
    money(old.unitAmount ?? before?.unitAmount ?? 0, after.currency),
    money(now.unitAmount ?? after.unitAmount, after.currency),
  );
  add('stripePriceId', old.stripePriceId ?? '(none)', now.stripePriceId ?? '(none)');
  add('active', String(old.active), String(now.active));
  return fields;
}

export function changeOf(previous: Product, pulled: BuiltProduct): ProductChange {
  const next = pulled.product;
  const fields: FieldChange[] = [];
  const add = (field: string, from: string, to: string) => {
    if (from !== to) fields.push({ field, from, to });
  };
  add('sku', previous.sku, next.sku);
  add('name', previous.name, next.name);
  add('description', previous.description ?? '(none)', next.description ?? '(none)');
  add('unitAmount', money(previous.unitAmount, next.currency), money(next.unitAmount, next.currency));
  add('active', String(previous.active), String(next.active));
  add('stripePriceId', previous.stripePriceId ?? '(none)', next.stripePriceId ?? '(none)');
  add('images', previous.images.join(' ') || '(none)', next.images.join(' ') || '(none)');
  add(
    'options',
    previous.options.map((o) => `${o.name}: ${o.values.join(' ')}`).join('; ') || '(none)',
    next.options.map((o) => `${o.name}: ${o.values.join(' ')}`).join('; ') || '(none)',
  );
  const kind = fields.length > 0 || pulled.variants.length > 0 ? 'changed' : 'unchanged';
  return { ...summaryOf(kind, next), fields, variants: pulled.variants };
}

export function summaryOf(kind: ProductChange['kind'], product: Product): ProductChange {
  const sold =
    product.variants.length > 0
      ? `${product.variants.length} variant(s) (${product.options.map((o) => `${o.name}: ${o.values.join(' ')}`).join('; ')})`
      : (product.stripePriceId ?? 'no Stripe price');
  return {
    kind,
    sku: product.sku,
    name: product.name,
    label: `${money(product.unitAmount, product.currency)}, ${sold}`,
    fields: [],
    variants: [],
  };
}

function optionsText(options: Readonly<Record<string, string>>): string {
  return Object.entries(options)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
}

/** Amounts in the report, in the catalog's currency (`$32.00`). */
function money(cents: number, currency: Currency): string {
  return formatMoney(cents, currency);
}
