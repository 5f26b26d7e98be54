import type { CartItem } from './cart';
import type { Catalog } from './catalog';
import { allocateProportionally } from './money';
import type { PricedLine } from './priced-cart';
import { PricingInvariantError } from './pricing-invariant';

/*
 * The bundle engine prices pricing units (catalog-variants.ts): a product whose sizes share its price
 * is one unit. A cart names sellables, so pricing merges a cart's lines into units, prices them, and
 * splits each unit's line back over its sellables. The split is exact: a unit's units are
 * interchangeable (one price), so its discount is shared by quantity, remainder cents by
 * `allocateProportionally`'s rule, and the lines' shares still sum to the cart discount.
 */

/** The cart's lines as pricing units (quantities of one unit's sellables added up). */
export function toUnitItems(catalog: Catalog, cart: readonly CartItem[]): CartItem[] {
  return cart.map(({ sku, quantity }) => ({
    sku: catalog.sellablesBySku.get(sku)?.pricingSku ?? sku,
    quantity,
  }));
}

/** Splits the priced unit lines back over the cart's (normalised) sellable lines, in the cart's order. */
export function splitUnitLines(
  catalog: Catalog,
  cart: readonly CartItem[],
  unitLines: readonly PricedLine[],
): PricedLine[] {
  const byUnit = new Map(unitLines.map((line) => [line.sku, line]));
  const membersOf = new Map<string, CartItem[]>();
  for (const item of cart) {
    const unit = catalog.sellablesBySku.get(item.sku)?.pricingSku ?? item.sku;
    membersOf.set(unit, [...(membersOf.get(unit) ?? []), item]);
  }
  const shares = new Map<string, number>();
  for (const [unit, members] of membersOf) {
    const line = byUnit.get(unit);
    const quantity = members.reduce((sum, m) => sum + m.quantity, 0);
    if (!line || line.quantity !== quantity) {
      throw new PricingInvariantError(
        'unit_outside_cart',
        `pricing unit "${unit}" was priced for ${line?.quantity ?? 0} units, the cart has ${quantity}`,
      );
    }
    const split = allocateProportionally(
      line.discount,
      members.map((m) => m.quantity),
    );
    for (const [i, m] of members.entries()) shares.set(m.sku, split[i] ?? 0);
  }
  return cart.map(({ sku, quantity }) => {
    const sellable = catalog.sellablesBySku.get(sku);
    const unit = byUnit.get(sellable?.pricingSku ?? sku);
    const unitAmount = sellable?.unitAmount ?? unit?.unitAmount ?? 0;
    const subtotal = unitAmount * quantity;
    const discount = shares.get(sku) ?? 0;
    return {
      sku,
      name: sellable?.name ?? unit?.name ?? sku,
      unitAmount,
      quantity,
      subtotal,
      discount,
      total: subtotal - discount,
    };
  });
}
