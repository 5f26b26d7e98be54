import {
  CartAlreadyPaidError,
  CheckoutInProgressError,
  OutOfStockError,
  QuoteAlreadyPaidError,
  QuoteMismatchError,
  QuoteOutdatedError,
} from '../app/checkout-errors';
import { CouponRefusedError, PaymentProviderError } from '../app/ports';
import { RateLimitedError } from '../app/rate-limit';
import { UnknownSessionError } from '../app/session-status';
import { CartValidationError } from '../domain/cart-validation';
import { HttpError, httpErrors } from './http-error';
import { quoteBody } from './quote-body';

/**
 * Maps the application's typed errors to the error contract, in one place. Anything unexpected is
 * a 500 `internal_error` that names nothing internal.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof CartValidationError) {
    return new HttpError(422, err.code, err.message, { details: err.problems });
  }
  if (err instanceof RateLimitedError) return httpErrors.rateLimited(err.retryAfterSeconds);
  if (err instanceof QuoteMismatchError) return new HttpError(422, 'quote_mismatch', err.message);
  if (err instanceof QuoteOutdatedError) {
    return new HttpError(409, 'quote_outdated', err.message, { extra: quoteBody(err.quote) });
  }
  if (err instanceof QuoteAlreadyPaidError) return new HttpError(409, 'quote_already_paid', err.message);
  if (err instanceof CartAlreadyPaidError) {
    // The session id lets the storefront show that order's status page instead of a second checkout.
    return new HttpError(409, 'cart_already_paid', err.message, { extra: { sessionId: err.sessionId } });
  }
  if (err instanceof CheckoutInProgressError) {
    return new HttpError(409, 'checkout_in_progress', err.message, { headers: { 'Retry-After': '1' } });
  }
  if (err instanceof OutOfStockError) {
    return new HttpError(409, 'out_of_stock', err.message, {
      details: err.lines.map((l) => ({
        sku: l.sku,
        message: l.available === 0 ? `${l.name} is sold out.` : `Only ${l.available} of ${l.name} left.`,
        available: l.available,
      })),
    });
  }
  if (err instanceof UnknownSessionError) return new HttpError(404, 'not_found', err.message);
  if (err instanceof PaymentProviderError || err instanceof CouponRefusedError) {
    return new HttpError(
      502,
      'payment_provider_error',
      'The payment provider is not answering; please try again.',
      {
        cause: err,
      },
    );
  }
  return httpErrors.internal(err);
}
