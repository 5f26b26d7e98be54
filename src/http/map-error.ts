import { QuoteAlreadyPaidError, QuoteMismatchError, QuoteOutdatedError } from '../app/create-checkout';
import { PaymentProviderError } from '../app/ports';
import { RateLimitedError } from '../app/rate-limit';
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
  if (err instanceof PaymentProviderError) {
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
