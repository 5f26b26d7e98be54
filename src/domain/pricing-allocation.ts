import { allocateProportionally, type Cents } from './money';
import { at, numberAt, PricingInvariantError } from './pricing-invariant';
import type { BundleApplication, OptimiserLine } from './pricing-stages';

/**
 * Each cart line's share of the bundle discounts, in line order. Each application's discount is split
 * over the units it consumed, in proportion to their amounts, remainder cents by
 * `allocateProportionally`'s rule. Lines' shares then sum to the cart discount exactly, and no line's
 * share exceeds its subtotal (no application saves more than its units cost).
 *
 * Both guarantees rest on every application's units being units of the cart, which the optimiser
 * ensures; this checks it rather than trust it, because a unit matched to no line would take its
 * share of the discount with it, silently.
 *
 * @throws PricingInvariantError `unit_outside_cart` when applications name a SKU no line holds, or
 *   together more units of a line than it has; `lines_not_normalised` when two lines share a SKU.
 */
export function allocateDiscounts(
  lines: readonly OptimiserLine[],
  applications: readonly BundleApplication[],
): Cents[] {
  const indexBySku = new Map(lines.map((line, index) => [line.product.sku, index]));
  if (indexBySku.size !== lines.length) {
    throw new PricingInvariantError(
      'lines_not_normalised',
      'two cart lines share a SKU; discounts would go to one',
    );
  }
  const used = lines.map(() => 0);
  const discounts = lines.map(() => 0);
  for (const application of applications) {
    const consumed = application.units.map(({ sku, quantity }) => {
      const index = indexBySku.get(sku);
      if (index === undefined) throw unitOutsideCart(application, sku, quantity);
      const line = at(lines, index, 'a cart line indexed by SKU');
      const usedBefore = numberAt(used, index, 'units used of a line');
      if (usedBefore + quantity > line.quantity) throw unitOutsideCart(application, sku, quantity);
      used[index] = usedBefore + quantity;
      return { index, weight: line.product.unitAmount * quantity };
    });
    const shares = allocateProportionally(
      application.discount,
      consumed.map((unit) => unit.weight),
    );
    shares.forEach((share, i) => {
      const { index } = at(consumed, i, 'the units a share is for');
      discounts[index] = numberAt(discounts, index, 'the discount of a line') + share;
    });
  }
  return discounts;
}

function unitOutsideCart(application: BundleApplication, sku: string, quantity: number) {
  return new PricingInvariantError(
    'unit_outside_cart',
    `active bundle ${application.bundleIndex} uses ${quantity} × "${sku}", more than the cart has left`,
  );
}
