import { createHash } from 'node:crypto';

/** One line of a cart as the customer asked for it. */
export interface CartItem {
  readonly sku: string;
  readonly quantity: number;
}

/**
 * The canonical form of a cart: one line per SKU (quantities of repeated SKUs added up), sorted by
 * SKU. Two carts with the same contents in any order normalise to the same lines.
 */
export function normaliseCart(items: readonly CartItem[]): CartItem[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of items) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * A stable digest of a cart's contents: base64url SHA-256 of the canonical form, cut to 128 bits
 * (ample against collisions for carts, short enough for table keys and signatures).
 */
export function hashCart(items: readonly CartItem[]): string {
  const canonical = normaliseCart(items)
    .map(({ sku, quantity }) => `${sku}:${quantity}`)
    .join(',');
  return createHash('sha256').update(canonical).digest().subarray(0, 16).toString('base64url');
}
