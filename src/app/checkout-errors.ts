import type { CodeOutcome } from '../domain/discount-code';
import { type ShortLine, shortLineMessage } from '../domain/stock';
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

/**
 * The quote's discount code no longer applies (disabled, ended, or all its uses paid for or held by
 * other checkouts): `quote` is the same cart priced without it, to show and check out with.
 */
export class CodeUnavailableError extends Error {
  override readonly name = 'CodeUnavailableError';
  readonly code = 'code_unavailable';
  constructor(
    readonly quote: StoredQuote,
    readonly refused: CodeOutcome,
  ) {
    super(`The code ${refused.code} can no longer be used: ${refused.message}`);
  }
}

/**
 * The hold could not claim a use of the quote's code: `limit` (used up, disabled or out of its
 * dates since the quote was checked), or `per_email` (this email's uses are spent). The checkout
 * turns it into {@link CodeUnavailableError} with the cart priced without the code.
 */
export class CodeHoldRefusedError extends Error {
  override readonly name = 'CodeHoldRefusedError';
  constructor(readonly reason: 'limit' | 'per_email') {
    super(`the code's use could not be held (${reason})`);
  }
}

/** The quote's code counts uses per email address, so checkout needs the shopper's email. */
export class CodeNeedsEmailError extends Error {
  override readonly name = 'CodeNeedsEmailError';
  readonly code = 'email_required';
  constructor(readonly discountCode: string) {
    super(`Enter your email address to use the code ${discountCode}.`);
  }
}

/** A cart asks for more units of a SKU than can be sold: each short line with what is left. */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError';
  readonly code = 'out_of_stock';
  constructor(readonly lines: readonly ShortLine[]) {
    super(lines.map(shortLineMessage).join(' '));
  }
}
