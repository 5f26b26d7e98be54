import { type CartItem, normaliseCart } from './cart';
import { type Catalog, maxQuantityOf } from './catalog';

export type CartProblemCode = 'unknown_sku' | 'variant_required' | 'inactive_sku' | 'quantity_out_of_range';

export interface CartProblem {
  readonly sku: string;
  readonly message: string;
  readonly maxQuantity?: number;
}

/**
 * A cart the catalog cannot sell. `code` is the most fundamental problem found (unknown, then a
 * product named without its size, then inactive, then quantity); `problems` lists every offending SKU so a storefront can fix them all.
 */
export class CartValidationError extends Error {
  override readonly name = 'CartValidationError';
  constructor(
    readonly code: CartProblemCode,
    readonly problems: readonly CartProblem[],
  ) {
    super(problems.map((p) => p.message).join(' '));
  }
}

/**
 * Checks a cart against the catalog and returns its normalised form: known, active sellable SKUs (a
 * variant, or a product without variants), each line with a quantity of at least 1, each product's
 * units (all its variants and repeated lines together) from 1 to the product's maximum.
 */
export function validateCart(catalog: Catalog, items: readonly CartItem[]): CartItem[] {
  const cart = normaliseCart(items);
  // Merging adds lines up, so each line is checked on its own too: a negative line must not net out
  // another line of the same SKU.
  const linesBelowOne = new Set(items.filter((item) => !(item.quantity >= 1)).map((item) => item.sku));
  const found: Record<CartProblemCode, CartProblem[]> = {
    unknown_sku: [],
    variant_required: [],
    inactive_sku: [],
    quantity_out_of_range: [],
  };
  const unitsOfProduct = new Map<string, number>();
  for (const { sku, quantity } of cart) {
    const sellable = catalog.sellablesBySku.get(sku);
    if (sellable)
      unitsOfProduct.set(sellable.productSku, (unitsOfProduct.get(sellable.productSku) ?? 0) + quantity);
  }
  const reported = new Set<string>();
  for (const { sku, quantity } of cart) {
    const sellable = catalog.sellablesBySku.get(sku);
    const product = catalog.productsBySku.get(sellable?.productSku ?? sku);
    if (!product) {
      found.unknown_sku.push({ sku, message: `${sku} is not in the catalog.` });
    } else if (!sellable) {
      found.variant_required.push({
        sku,
        message: `${product.name}: choose ${product.options.map((o) => o.name.toLowerCase()).join(' and ')}.`,
      });
    } else if (!sellable.active) {
      found.inactive_sku.push({ sku, message: `${sellable.name} is no longer sold.` });
    } else {
      const maxQuantity = maxQuantityOf(catalog, product);
      const units = unitsOfProduct.get(product.sku) ?? quantity;
      if (linesBelowOne.has(sku) || !(quantity >= 1) || (units > maxQuantity && !reported.has(product.sku))) {
        reported.add(product.sku);
        found.quantity_out_of_range.push({
          sku,
          maxQuantity,
          message:
            product.variants.length > 0
              ? `${product.name}: the quantity of all sizes together must be from 1 to ${maxQuantity}.`
              : `${product.name}: the quantity must be from 1 to ${maxQuantity}.`,
        });
      }
    }
  }
  for (const code of ['unknown_sku', 'variant_required', 'inactive_sku', 'quantity_out_of_range'] as const) {
    if (found[code].length > 0) throw new CartValidationError(code, found[code]);
  }
  return cart;
}
