import {
  CartAlreadyPaidError,
  CheckoutInProgressError,
  CodeNeedsEmailError,
  CodeUnavailableError,
  OutOfStockError,
  QuoteAlreadyPaidError,
  QuoteMismatchError,
  QuoteOutdatedError,
} from '../app/checkout-errors';
import { CouponRefusedError, PaymentProviderError } from '../app/ports';
import { RateLimitedError } from '../app/rate-limit';
import { UnknownSessionError } from '../app/session-status';
import { CartValidationError } from '../domain/cart-validation';
import { shortLineMessage } from '../domain/stock';
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
  if (err instanceof CodeUnavailableError) {
    // The cart priced without the code: show it, then check out with its signature.
    return new HttpError(409, 'code_unavailable', err.message, {
      extra: { ...quoteBody(err.quote), discountCode: err.refused },
    });
  }
  if (err instanceof CodeNeedsEmailError) {
    return new HttpError(422, 'email_required', err.message, {
      details: [{ path: 'email', message: err.message }],
    });
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
        message: shortLineMessage(l),
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
