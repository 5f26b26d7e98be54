import type { StoredQuote } from '../app/ports';
import type { Availability } from '../domain/stock';

/**
 * The JSON a storefront gets for a quote (cached or fresh). With `availability`, each line says
 * what is left of its SKU (`null` where the stock could not be read).
 */
export function quoteBody(
  quote: StoredQuote,
  availability?: ReadonlyMap<string, Availability>,
): Record<string, unknown> {
  const { lines, ...priced } = quote.pricedCart;
  return {
    quoteSignature: quote.quoteSignature,
    expiresAt: new Date(quote.expiresAt * 1000).toISOString(),
    quote: {
      cartHash: quote.cartHash,
      items: quote.items,
      ...priced,
      lines: availability
        ? lines.map((line) => ({ ...line, availability: availability.get(line.sku) ?? null }))
        : lines,
      issuedAt: new Date(quote.issuedAt * 1000).toISOString(),
    },
  };
}
