import type { Bundle, CatalogData, Inventory, PricingCatalog, Product, Variant } from './catalog';
import type { Cents, Currency } from './money';

/** Stock policy of a SKU nobody tracks: always available. */
export const UNTRACKED: Inventory = { tracked: false, whenShort: 'refuse' };

/**
 * One thing a cart may name: a variant of a product (its own SKU), or a product without variants.
 * Prices, names and stock go by the sellable; bundles go by its pricing unit.
 */
export interface Sellable {
  readonly sku: string;
  /** The product's SKU (equal to `sku` for a product without variants). */
  readonly productSku: string;
  /** The SKU the bundle engine prices this under: the product's, or the variant's own when it has its own price. */
  readonly pricingSku: string;
  /** "Classic Tee — Black, M": the product's name and the variant's option values. */
  readonly name: string;
  /** The variant's option values in the product's option order ("M"); empty for a product without variants. */
  readonly label: string;
  readonly options: Readonly<Record<string, string>>;
  readonly unitAmount: Cents;
  readonly currency: Currency;
  /** The Stripe Price of exactly this SKU, when the catalog names one. */
  readonly stripePriceId: string | undefined;
  readonly images: readonly string[];
  readonly inventory: Inventory;
  /** Sold now: the product and the variant are both active. */
  readonly active: boolean;
}

/** Every sellable of the catalog, in catalog order. */
export function sellablesOf(catalog: Pick<CatalogData, 'products'>): Sellable[] {
  return catalog.products.flatMap((product) =>
    product.variants.length === 0
      ? [
          {
            sku: product.sku,
            productSku: product.sku,
            pricingSku: product.sku,
            name: product.name,
            label: '',
            options: {},
            unitAmount: product.unitAmount,
            currency: product.currency,
            stripePriceId: product.stripePriceId,
            images: product.images,
            inventory: product.inventory ?? UNTRACKED,
            active: product.active,
          },
        ]
      : product.variants.map((variant) => sellableOfVariant(product, variant)),
  );
}

function sellableOfVariant(product: Product, variant: Variant): Sellable {
  const label = product.options.map((o) => variant.options[o.name] ?? '').join(' / ');
  const unitAmount = variant.unitAmount ?? product.unitAmount;
  return {
    sku: variant.sku,
    productSku: product.sku,
    pricingSku: unitAmount === product.unitAmount ? product.sku : variant.sku,
    name: `${product.name}, ${label}`,
    label,
    options: variant.options,
    unitAmount,
    currency: product.currency,
    // A product's Stripe Price names the product only: the hosted page would not show the size.
    stripePriceId: variant.stripePriceId,
    images: variant.images ?? product.images,
    inventory: variant.inventory ?? product.inventory ?? UNTRACKED,
    active: product.active && variant.active,
  };
}

/**
 * The bundle engine's catalog: each product is a unit, and so is each variant with a price of its
 * own (in the product's collections and tags, named like the variant).
 */
export function pricingCatalogOf(catalog: CatalogData, activeBundles: readonly Bundle[]): PricingCatalog {
  const products: Product[] = [];
  for (const product of catalog.products) {
    products.push(product);
    for (const variant of product.variants) {
      if (variant.unitAmount === undefined || variant.unitAmount === product.unitAmount) continue;
      const sellable = sellableOfVariant(product, variant);
      products.push({
        ...product,
        sku: variant.sku,
        name: sellable.name,
        unitAmount: variant.unitAmount,
        active: sellable.active,
        stripePriceId: variant.stripePriceId,
        variants: [],
      });
    }
  }
  return {
    version: catalog.version,
    currency: catalog.currency,
    defaultMaxQuantity: catalog.defaultMaxQuantity,
    products,
    productsBySku: new Map(products.map((p) => [p.sku, p])),
    activeBundles,
  };
}

/**
 * Variants name each of their product's options with one of its values, once per combination; their
 * SKUs are unique across products and variants; a set bundle names products, and a product in a set
 * keeps one price for every size (the set counts any of them).
 */
export function checkVariants(catalog: CatalogData): string[] {
  const problems: string[] = [];
  const productSkus = new Set(catalog.products.map((p) => p.sku));
  const seen = new Set<string>();
  const setProducts = new Set(
    catalog.bundles.flatMap((b) => (b.kind === 'set' ? b.items.map((i) => i.sku) : [])),
  );
  catalog.products.forEach((product, index) => {
    const where = `products[${index}] (sku "${product.sku}")`;
    if (product.variants.length > 0 && product.options.length === 0) {
      problems.push(`${where}: has variants but no options to tell them apart`);
    }
    const combinations = new Set<string>();
    product.variants.forEach((variant, v) => {
      const at = `${where}.variants[${v}] (sku "${variant.sku}")`;
      if (productSkus.has(variant.sku) || seen.has(variant.sku)) problems.push(`${at}: duplicate SKU`);
      seen.add(variant.sku);
      const names = Object.keys(variant.options);
      for (const name of names) {
        const option = product.options.find((o) => o.name === name);
        if (!option) problems.push(`${at}: option "${name}" is not one of the product's options`);
        else if (!option.values.includes(variant.options[name] ?? '')) {
          problems.push(`${at}: "${variant.options[name]}" is not a value of option "${name}"`);
        }
      }
      for (const option of product.options) {
        if (!names.includes(option.name)) problems.push(`${at}: needs a value for option "${option.name}"`);
      }
      const combination = product.options.map((o) => variant.options[o.name]).join('\u0000');
      if (combinations.has(combination)) problems.push(`${at}: repeats another variant's options`);
      combinations.add(combination);
      if (
        setProducts.has(product.sku) &&
        variant.unitAmount !== undefined &&
        variant.unitAmount !== product.unitAmount
      ) {
        problems.push(
          `${at}: has its own price, but its product is in a set bundle, which counts every size alike`,
        );
      }
    });
  });
  catalog.bundles.forEach((bundle, index) => {
    if (bundle.kind !== 'set') return;
    for (const item of bundle.items) {
      if (seen.has(item.sku)) {
        problems.push(`bundles[${index}] (id "${bundle.id}"): names variant "${item.sku}"; name its product`);
      }
    }
  });
  return problems;
}
