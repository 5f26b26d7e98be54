import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { toProviderError } from '../../src/adapters/stripe/stripe-gateway';
import { sessionExpiryOf } from '../../src/app/create-checkout';

/** An error as the SDK makes it from an answer of Stripe. */
const stripeError = (type: Stripe.RawErrorType, statusCode: number) =>
  Stripe.errors.StripeError.generate({ type, statusCode, message: `${type} happened` });

describe('toProviderError', () => {
  it('calls a refusal of the parameters rejected, and a reused idempotency key not', () => {
    expect(toProviderError(stripeError('invalid_request_error', 400)).kind).toBe('rejected');
    // A key reused with other parameters says nothing against the parameters: no fallback request.
    expect(toProviderError(stripeError('idempotency_error', 400)).kind).toBe('unavailable');
    expect(toProviderError(stripeError('invalid_request_error', 429)).kind).toBe('unavailable');
    expect(toProviderError(stripeError('api_error', 500)).kind).toBe('unavailable');
  });
});

describe('sessionExpiryOf', () => {
  const DAY = 86_400;
  const MIN_AHEAD = 30 * 60;

  it('counts the session TTL from the quote expiry', () => {
    expect(sessionExpiryOf({ issuedAt: 1_000, expiresAt: 1_600 }, 1_860)).toBe(3_460);
  });

  it('stays within Stripe bounds (30 min to 24 h ahead) whenever a valid quote is checked out', () => {
    for (const quoteTtl of [60, 600, 3_600, 40_000, 84_000]) {
      for (const sessionTtl of [1_860, 7_200, 86_000]) {
        const quote = { issuedAt: 50_000, expiresAt: 50_000 + quoteTtl };
        const expiry = sessionExpiryOf(quote, sessionTtl);
        for (const now of [quote.issuedAt, quote.issuedAt + Math.floor(quoteTtl / 2), quote.expiresAt]) {
          expect(
            expiry - now,
            `quote ${quoteTtl}s, session ${sessionTtl}s, at ${now}`,
          ).toBeGreaterThanOrEqual(MIN_AHEAD);
          expect(expiry - now).toBeLessThanOrEqual(DAY);
        }
      }
    }
  });
});
