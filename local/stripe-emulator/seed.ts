import type { SeedPrice } from './prices';

/** The fields of a catalog product that say which Stripe price it is sold at. */
export interface CatalogPriceSource {
  name: string;
  unitAmount: number;
  currency: string;
  active: boolean;
  stripePriceId?: string | undefined;
}

/**
 * Seed prices for the emulator from catalog products that carry a Stripe Price ID, so a session
 * built with `line_items[][price]` (and `catalog verify`) finds the same amounts as in the catalog.
 */
export function pricesFromCatalogProducts(products: readonly CatalogPriceSource[]): SeedPrice[] {
  return products.flatMap((product) =>
    product.stripePriceId
      ? [
          {
            id: product.stripePriceId,
            unitAmount: product.unitAmount,
            currency: product.currency,
            productName: product.name,
            active: product.active,
          },
        ]
      : [],
  );
}
