import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { toProviderError } from '../../src/adapters/stripe/stripe-gateway';
import { discountName } from '../../src/app/checkout-session';
import { sessionExpiryOf } from '../../src/app/create-checkout';
import type { PricedCart } from '../../src/domain/priced-cart';

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

describe('discountName (the coupon name on Stripe’s page)', () => {
  const cart = (bundles: string[], code?: string): PricedCart => ({
    currency: 'usd',
    catalogVersion: 'test',
    lines: [],
    subtotal: 10_000,
    discount: 1_000,
    total: 9_000,
    appliedBundles: bundles.map((name, i) => ({
      id: `b${i}`,
      name,
      kind: 'tiered_percent',
      timesApplied: 1,
      unitsUsed: 2,
      discount: 100,
    })),
    hints: [],
    ...(code ? { code: { code, status: 'applied', discount: 500, message: '' } } : {}),
  });

  it('names the code, then as many bundles as fit whole, and how many more', () => {
    expect(discountName(cart(['Tee stack'], 'BABES10'))).toBe('BABES10 + Tee stack');
    expect(discountName(cart(['Tee stack', 'Hoodie pair', 'Any 3 stickers'], 'TEES20'))).toBe(
      'TEES20 + Tee stack, Hoodie pair + 1 more',
    );
    expect(discountName(cart(['Tee stack', 'Hoodie pair']))).toBe('Tee stack, Hoodie pair');
    expect(discountName(cart([], 'BABES10'))).toBe('Code BABES10');
    expect(discountName(cart([]))).toBe('Bundle discount');
  });

  it('never goes past Stripe’s 40 characters, nor cuts a name in the middle', () => {
    const longCode = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
    expect(discountName(cart(['Tee stack'], longCode))).toBe(`Code ${longCode}`);
    expect(discountName(cart(['Tee stack'], 'SUMMER2026'))).toBe('SUMMER2026 + Tee stack');
    expect(discountName(cart(['The whole summer collection, any three pieces'], 'SUMMER'))).toBe(
      'SUMMER + bundle deals',
    );
    expect(discountName(cart(['The whole summer collection, any three pieces', 'Tee stack']))).toBe(
      '2 bundle deals',
    );
    const alone = discountName(cart(['The whole summer collection, any three pieces']));
    expect(alone).toBe('The whole summer collection, any three…');
    for (const bundles of [['Tee stack', 'Hoodie pair', 'Any 3 stickers', 'Cozy set'], ['x'.repeat(80)]]) {
      for (const code of [undefined, 'B', longCode]) {
        expect(discountName(cart(bundles, code)).length).toBeLessThanOrEqual(40);
      }
    }
  });
});
