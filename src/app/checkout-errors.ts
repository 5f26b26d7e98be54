import type { ShortLine } from '../domain/stock';
import type { StoredQuote } from './ports';

// The checkout's refusals live apart from the use case, so that the HTTP edge can map them
// without every route's bundle loading the checkout and its pricing code.

/** The presented items are not the signed cart, or the signature is not ours. */
export class QuoteMismatchError extends Error {
  override readonly name = 'QuoteMismatchError';
  readonly code = 'quote_mismatch';
}

/** Prices changed since the quote: the customer must see the new quote before paying. */
export class QuoteOutdatedError extends Error {
  override readonly name = 'QuoteOutdatedError';
  readonly code = 'quote_outdated';
  constructor(readonly quote: StoredQuote) {
    super('Prices changed since this quote was issued; review the new quote.');
  }
}

/** The quote's session was already paid. */
export class QuoteAlreadyPaidError extends Error {
  override readonly name = 'QuoteAlreadyPaidError';
  readonly code = 'quote_already_paid';
}

/** The cart's Checkout Session was already paid (or awaits a bank transfer): the storefront starts a new cart. */
export class CartAlreadyPaidError extends Error {
  override readonly name = 'CartAlreadyPaidError';
  readonly code = 'cart_already_paid';
  constructor(readonly sessionId: string) {
    super('This cart has already been paid for.');
  }
}

/** Another request is replacing this cart's (or quote's) Checkout Session right now; retry shortly. */
export class CheckoutInProgressError extends Error {
  override readonly name = 'CheckoutInProgressError';
  readonly code = 'checkout_in_progress';
  constructor() {
    super('A checkout of this cart is being started; please try again in a moment.');
  }
}

/** A cart asks for more units of a SKU than can be sold: each short line with what is left. */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError';
  readonly code = 'out_of_stock';
  constructor(readonly lines: readonly ShortLine[]) {
    super(
      lines
        .map((l) => (l.available === 0 ? `${l.name} is sold out.` : `Only ${l.available} of ${l.name} left.`))
        .join(' '),
    );
  }
}
