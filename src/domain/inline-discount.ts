import type { Cents } from './money';
import type { PricedLine } from './priced-cart';

/** A line to charge at a fixed unit amount. */
export interface ChargeLine {
  readonly sku: string;
  readonly name: string;
  readonly unitAmount: Cents;
  readonly quantity: number;
}

/**
 * Folds each line's allocated discount into its unit amount, for a checkout that cannot carry a
 * coupon. A line whose discounted total does not divide by its quantity is split in two — some units
 * at `floor(total / quantity)`, the rest one cent more — so the charged total equals the quoted
 * total to the cent. At most two lines per cart line.
 */
export function foldDiscountIntoLines(lines: readonly PricedLine[]): ChargeLine[] {
  const charged: ChargeLine[] = [];
  for (const line of lines) {
    const base = Math.floor(line.total / line.quantity);
    const remainder = line.total - base * line.quantity;
    if (line.quantity - remainder > 0) {
      charged.push({ sku: line.sku, name: line.name, unitAmount: base, quantity: line.quantity - remainder });
    }
    if (remainder > 0)
      charged.push({ sku: line.sku, name: line.name, unitAmount: base + 1, quantity: remainder });
  }
  return charged;
}
