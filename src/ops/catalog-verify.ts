import type Stripe from 'stripe';
import type { Catalog } from '../domain/catalog';
import { formatTextTable } from './text-table';

/** One way a product differs from its Stripe Price. */
export interface PriceDifference {
  readonly sku: string;
  readonly priceId: string;
  readonly field: 'exists' | 'active' | 'unit_amount' | 'currency';
  readonly catalog: string;
  readonly stripe: string;
}

/**
 * Compares every sellable (a variant, or a product without variants) that names a Stripe Price ID
 * with that price at Stripe: it must exist and agree on active, amount and currency. Sellables
 * without a Price ID are skipped.
 */
export async function verifyCatalogPrices(
  catalog: Catalog,
  prices: Pick<Stripe['prices'], 'retrieve'>,
): Promise<{ checked: number; differences: PriceDifference[] }> {
  const differences: PriceDifference[] = [];
  let checked = 0;
  for (const product of catalog.sellables) {
    if (!product.stripePriceId) continue;
    checked += 1;
    const base = { sku: product.sku, priceId: product.stripePriceId };
    let price: Stripe.Price;
    try {
      price = await prices.retrieve(product.stripePriceId);
    } catch (err: unknown) {
      if ((err as { code?: unknown }).code !== 'resource_missing') throw err;
      differences.push({ ...base, field: 'exists', catalog: 'yes', stripe: 'no such price' });
      continue;
    }
    if (price.active !== product.active) {
      differences.push({
        ...base,
        field: 'active',
        catalog: String(product.active),
        stripe: String(price.active),
      });
    }
    if (price.unit_amount !== product.unitAmount) {
      differences.push({
        ...base,
        field: 'unit_amount',
        catalog: String(product.unitAmount),
        stripe: String(price.unit_amount),
      });
    }
    if (price.currency !== product.currency) {
      differences.push({ ...base, field: 'currency', catalog: product.currency, stripe: price.currency });
    }
  }
  return { checked, differences };
}

/** The differences as a table for the terminal. */
export function formatDifferences(differences: readonly PriceDifference[]): string {
  return formatTextTable(
    ['sku', 'price', 'field', 'catalog', 'stripe'],
    differences.map((d) => [d.sku, d.priceId, d.field, d.catalog, d.stripe]),
  );
}
