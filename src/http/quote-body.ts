import type { StoredQuote } from '../app/ports';

/** The JSON a storefront gets for a quote (cached or fresh). */
export function quoteBody(quote: StoredQuote): Record<string, unknown> {
  return {
    quoteSignature: quote.quoteSignature,
    expiresAt: new Date(quote.expiresAt * 1000).toISOString(),
    quote: {
      cartHash: quote.cartHash,
      items: quote.items,
      ...quote.pricedCart,
      issuedAt: new Date(quote.issuedAt * 1000).toISOString(),
    },
  };
}
