import type { CartItem } from './cart';
import type { Catalog, Sellable } from './catalog';

/** What a shopper is told about one SKU. */
export interface Availability {
  /**
   * `in_stock`; `low_stock` (at or below the catalog's `lowStockAt`: "only N left"); `sold_out`
   * (nothing left, and the SKU is not sold beyond its stock); `backorder` (none on hand, sold anyway).
   */
  readonly status: 'in_stock' | 'low_stock' | 'sold_out' | 'backorder';
  /** Units a new checkout may take; `null` when the SKU's stock is not tracked. */
  readonly available: number | null;
  /** A sentence for the shopper ("Only 2 left"), or `null` when there is nothing to say. */
  readonly message: string | null;
  /** Sold beyond what is left (ships when restocked): `available` is then no limit. */
  readonly backorder: boolean;
}

/** A line of a cart the stock cannot cover. */
export interface ShortLine {
  readonly sku: string;
  readonly name: string;
  readonly requested: number;
  readonly available: number;
}

/**
 * The availability of a sellable given its stock item's `available` count (onHand − held; `undefined`
 * when the SKU has no stock item, which for a tracked SKU means nothing on hand).
 */
export function availabilityOf(
  catalog: Pick<Catalog, 'lowStockAt'>,
  sellable: Pick<Sellable, 'inventory'>,
  availableCount: number | undefined,
): Availability {
  if (!sellable.inventory.tracked) {
    return { status: 'in_stock', available: null, message: null, backorder: false };
  }
  const backorder = sellable.inventory.whenShort === 'backorder';
  const available = Math.max(0, availableCount ?? 0);
  if (available === 0) {
    return backorder
      ? { status: 'backorder', available: 0, message: 'On backorder: ships when restocked', backorder }
      : { status: 'sold_out', available: 0, message: 'Sold out', backorder };
  }
  if (available <= catalog.lowStockAt) {
    return { status: 'low_stock', available, message: `Only ${available} left`, backorder };
  }
  return { status: 'in_stock', available, message: null, backorder };
}

/** What a shopper is told of a short line: "X is sold out." or "Only 2 of X left." */
export function shortLineMessage(line: Pick<ShortLine, 'name' | 'available'>): string {
  return line.available === 0 ? `${line.name} is sold out.` : `Only ${line.available} of ${line.name} left.`;
}

/** The tracked SKUs of a (normalised) cart: the SKUs whose units a checkout holds. */
export function trackedItems(catalog: Catalog, cart: readonly CartItem[]): CartItem[] {
  return cart.filter((item) => catalog.sellablesBySku.get(item.sku)?.inventory.tracked);
}

/** The lines of a (normalised) cart that ask for more than a refuse-policy SKU has available. */
export function shortLines(
  catalog: Catalog,
  cart: readonly CartItem[],
  availableOf: (sku: string) => number | undefined,
): ShortLine[] {
  return cart.flatMap(({ sku, quantity }) => {
    const sellable = catalog.sellablesBySku.get(sku);
    if (!sellable?.inventory.tracked || sellable.inventory.whenShort !== 'refuse') return [];
    const available = Math.max(0, availableOf(sku) ?? 0);
    return quantity > available ? [{ sku, name: sellable.name, requested: quantity, available }] : [];
  });
}
