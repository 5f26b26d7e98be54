import Stripe from 'stripe';

/** What the emulator suites share: a fixed start, keys, seeded prices and the usual session. */

export const START = Date.parse('2026-11-27T10:00:00Z');
export const SECRET_KEY = 'sk_test_emulator_suite';
export const SEEDED_PRICE = {
  id: 'price_1SampleTeeClassicBlk',
  unitAmount: 3200,
  currency: 'usd',
  productName: 'Classic Tee',
};
export const INACTIVE_PRICE = {
  id: 'price_1Retired',
  unitAmount: 900,
  currency: 'usd',
  productName: 'Old',
  active: false,
};

export function teeLine(quantity: number, unitAmount = 3200): Stripe.Checkout.SessionCreateParams.LineItem {
  return {
    quantity,
    price_data: {
      currency: 'usd',
      unit_amount: unitAmount,
      product_data: {
        name: 'Classic Tee — Black',
        description: 'Heavyweight',
        metadata: { sku: 'TEE-CLASSIC-BLK' },
      },
    },
  };
}

export function sessionParams(
  overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [
      teeLine(2),
      {
        quantity: 1,
        price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'Sticker pack' } },
      },
    ],
    success_url: 'https://shop.test/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.test/cart',
    ...overrides,
  };
}
export const SUBTOTAL = 2 * 3200 + 1500;

/** The Stripe error a rejected call threw (fails the test when the call succeeded). */
export async function stripeError(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await call;
  } catch (err: unknown) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
