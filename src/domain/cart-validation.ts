import { type CartItem, normaliseCart } from './cart';
import { type Catalog, maxQuantityOf } from './catalog';

export type CartProblemCode = 'unknown_sku' | 'inactive_sku' | 'quantity_out_of_range';

export interface CartProblem {
  readonly sku: string;
  readonly message: string;
  readonly maxQuantity?: number;
}

/**
 * A cart the catalog cannot sell. `code` is the most fundamental problem found (unknown before
 * inactive before quantity); `problems` lists every offending SKU so a storefront can fix them all.
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
 * Checks a cart against the catalog and returns its normalised form: known, active SKUs, each line
 * with a quantity of at least 1, each SKU's total from 1 to the product's maximum (repeated lines of
 * one SKU count together).
 */
export function validateCart(catalog: Catalog, items: readonly CartItem[]): CartItem[] {
  const cart = normaliseCart(items);
  // Merging adds lines up, so each line is checked on its own too: a negative line must not net out
  // another line of the same SKU.
  const linesBelowOne = new Set(items.filter((item) => !(item.quantity >= 1)).map((item) => item.sku));
  const found: Record<CartProblemCode, CartProblem[]> = {
    unknown_sku: [],
    inactive_sku: [],
    quantity_out_of_range: [],
  };
  for (const { sku, quantity } of cart) {
    const product = catalog.productsBySku.get(sku);
    if (!product) {
      found.unknown_sku.push({ sku, message: `${sku} is not in the catalog.` });
    } else if (!product.active) {
      found.inactive_sku.push({ sku, message: `${product.name} is no longer sold.` });
    } else {
      const maxQuantity = maxQuantityOf(catalog, product);
      if (linesBelowOne.has(sku) || !(quantity >= 1 && quantity <= maxQuantity)) {
        found.quantity_out_of_range.push({
          sku,
          maxQuantity,
          message: `${product.name}: the quantity must be from 1 to ${maxQuantity}.`,
        });
      }
    }
  }
  for (const code of ['unknown_sku', 'inactive_sku', 'quantity_out_of_range'] as const) {
    if (found[code].length > 0) throw new CartValidationError(code, found[code]);
  }
  return cart;
}
