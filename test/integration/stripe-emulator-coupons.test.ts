import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorError, type StripeEmulator, startStripeEmulator } from '../../local/stripe-emulator';
import {
  INACTIVE_PRICE,
  SECRET_KEY,
  SEEDED_PRICE,
  START,
  SUBTOTAL,
  sessionParams,
  stripeError,
} from '../support/emulator-suite';

let clock: number;
let emulator: StripeEmulator;
let stripe: Stripe;

function client(key = SECRET_KEY, extra: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(key, { ...emulator.sdkOptions(), maxNetworkRetries: 0, ...extra });
}

beforeEach(async () => {
  clock = START;
  emulator = await startStripeEmulator({
    webhookSecret: 'whsec_test_suite',
    now: () => clock,
    prices: [SEEDED_PRICE, INACTIVE_PRICE],
  });
  stripe = client();
});

afterEach(async () => {
  await emulator.close();
});

describe('coupons', () => {
  it('creates, retrieves and deletes a coupon, and refuses an id that exists', async () => {
    const redeemBy = Math.floor(START / 1000) + 3600;
    const coupon = await stripe.coupons.create({
      id: 'Q-abc123',
      amount_off: 1200,
      currency: 'usd',
      duration: 'once',
      max_redemptions: 1,
      redeem_by: redeemBy,
      name: 'Bundle discount',
      metadata: { quote: 'abc123' },
    });
    expect(coupon).toMatchObject({
      id: 'Q-abc123',
      object: 'coupon',
      amount_off: 1200,
      percent_off: null,
      max_redemptions: 1,
      redeem_by: redeemBy,
      times_redeemed: 0,
      valid: true,
      metadata: { quote: 'abc123' },
    });
    await expect(stripe.coupons.retrieve('Q-abc123')).resolves.toMatchObject({ name: 'Bundle discount' });

    const duplicate = await stripeError(stripe.coupons.create({ id: 'Q-abc123', percent_off: 5 }));
    expect([duplicate.statusCode, duplicate.code]).toEqual([400, 'resource_already_exists']);

    await expect(stripe.coupons.del('Q-abc123')).resolves.toMatchObject({ id: 'Q-abc123', deleted: true });
    expect((await stripeError(stripe.coupons.retrieve('Q-abc123'))).statusCode).toBe(404);
    expect(emulator.state().coupons).toMatchObject([{ coupon: { id: 'Q-abc123' }, deleted: true }]);
  });

  it('validates coupon parameters', async () => {
    const both = await stripeError(
      stripe.coupons.create({ amount_off: 100, percent_off: 10, currency: 'usd' }),
    );
    expect(both.code).toBe('parameters_exclusive');
    const noCurrency = await stripeError(stripe.coupons.create({ amount_off: 100 }));
    expect([noCurrency.code, noCurrency.param]).toEqual(['parameter_missing', 'currency']);
    const pastRedeemBy = await stripeError(
      stripe.coupons.create({ percent_off: 10, redeem_by: Math.floor(START / 1000) - 1 }),
    );
    expect(pastRedeemBy.param).toBe('redeem_by');
    const longName = await stripeError(stripe.coupons.create({ percent_off: 10, name: 'n'.repeat(41) }));
    expect(longName.param).toBe('name');
  });

  it('refuses sessions with a deleted, expired or exhausted coupon', async () => {
    const deleted = await stripe.coupons.create({ amount_off: 100, currency: 'usd' });
    await stripe.coupons.del(deleted.id);
    const expiring = await stripe.coupons.create({
      amount_off: 100,
      currency: 'usd',
      redeem_by: Math.floor(START / 1000) + 60,
    });
    const single = await stripe.coupons.create({ amount_off: 100, currency: 'usd', max_redemptions: 1 });
    const paid = await stripe.checkout.sessions.create(sessionParams({ discounts: [{ coupon: single.id }] }));
    emulator.completeSession(paid.id);
    clock += 61_000;

    const deletedError = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ discounts: [{ coupon: deleted.id }] })),
    );
    const expiredError = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ discounts: [{ coupon: expiring.id }] })),
    );
    const exhaustedError = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ discounts: [{ coupon: single.id }] })),
    );

    expect([deletedError.code, deletedError.param]).toEqual(['resource_missing', 'discounts[0][coupon]']);
    expect([expiredError.code, expiredError.param]).toEqual(['coupon_expired', 'discounts[0][coupon]']);
    expect([exhaustedError.code, exhaustedError.param]).toEqual(['coupon_expired', 'discounts[0][coupon]']);
    await expect(stripe.coupons.retrieve(single.id)).resolves.toMatchObject({
      times_redeemed: 1,
      valid: false,
    });
    await expect(stripe.coupons.retrieve(expiring.id)).resolves.toMatchObject({ valid: false });
  });

  it('checks max_redemptions again when a second session with the coupon is paid', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 500, currency: 'usd', max_redemptions: 1 });
    const a = await stripe.checkout.sessions.create(sessionParams({ discounts: [{ coupon: coupon.id }] }));
    const b = await stripe.checkout.sessions.create(sessionParams({ discounts: [{ coupon: coupon.id }] }));

    emulator.completeSession(a.id);
    expect(() => emulator.completeSession(b.id)).toThrow(EmulatorError);
    expect((await stripe.checkout.sessions.retrieve(b.id)).status).toBe('open');
  });

  it('honours the discount of an open session whose coupon was deleted afterwards', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 500, currency: 'usd', max_redemptions: 1 });
    const session = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: coupon.id }] }),
    );
    await stripe.coupons.del(coupon.id);

    const paid = emulator.completeSession(session.id);
    expect(paid.amount_total).toBe(SUBTOTAL - 500);
    expect(emulator.state().coupons[0]?.coupon.times_redeemed).toBe(1);
  });
});

describe('session expiry', () => {
  it('enforces the 30 minutes to 24 hours window of expires_at', async () => {
    const now = Math.floor(START / 1000);
    const tooSoon = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ expires_at: now + 29 * 60 })),
    );
    const tooLate = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ expires_at: now + 24 * 3600 + 1 })),
    );
    const earliest = await stripe.checkout.sessions.create(sessionParams({ expires_at: now + 30 * 60 }));
    const latest = await stripe.checkout.sessions.create(sessionParams({ expires_at: now + 24 * 3600 }));

    expect([tooSoon.statusCode, tooSoon.param]).toEqual([400, 'expires_at']);
    expect([tooLate.statusCode, tooLate.param]).toEqual([400, 'expires_at']);
    expect(earliest.expires_at).toBe(now + 30 * 60);
    expect(latest.expires_at).toBe(now + 24 * 3600);
  });

  it('expires an open session through the API and refuses to expire it twice', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const expired = await stripe.checkout.sessions.expire(created.id, {}, { idempotencyKey: 'expire-1' });

    expect(expired.status).toBe('expired');
    expect(expired.url).toBeNull();
    expect((await stripe.checkout.sessions.retrieve(created.id)).status).toBe('expired');
    const [event] = emulator.events('checkout.session.expired');
    expect(event?.event.data.object.id).toBe(created.id);
    expect(event?.event.request).toEqual({ id: expired.lastResponse.requestId, idempotency_key: 'expire-1' });

    const again = await stripeError(stripe.checkout.sessions.expire(created.id));
    expect(again.statusCode).toBe(400);
    expect(emulator.events('checkout.session.expired')).toHaveLength(1);
  });

  it('expires due sessions when asked, and only those', async () => {
    const now = Math.floor(START / 1000);
    const short = await stripe.checkout.sessions.create(sessionParams({ expires_at: now + 3600 }));
    const long = await stripe.checkout.sessions.create(sessionParams());
    clock += 3600 * 1000;

    expect(emulator.expireDueSessions()).toEqual([short.id]);
    expect((await stripe.checkout.sessions.retrieve(short.id)).status).toBe('expired');
    expect((await stripe.checkout.sessions.retrieve(long.id)).status).toBe('open');
    expect(emulator.expireDueSessions()).toEqual([]);
  });
});
