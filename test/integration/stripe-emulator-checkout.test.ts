import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from '../../local/stripe-emulator';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const START = Date.parse('2026-11-27T10:00:00Z');
const WEBHOOK_SECRET = 'whsec_checkout_suite';
const BASE_DELAY_MS = 5;

let clock: number;
let receiver: WebhookReceiver;
let emulator: StripeEmulator;
let stripe: Stripe;

function sessionParams(
  overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [
      {
        quantity: 2,
        price_data: {
          currency: 'usd',
          unit_amount: 3200,
          product_data: { name: 'Classic Tee <Black> & Co' },
        },
      },
      {
        quantity: 1,
        price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'Sticker pack' } },
      },
    ],
    success_url: 'https://shop.test/thanks?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.test/cart',
    ...overrides,
  };
}

const usd = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);

/** Submits the hosted page's form the way a browser would, without following the redirect. */
function submitPayForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

/** Verifies a received webhook with the SDK, at the emulator's clock. */
function verified(index: number): Stripe.Event {
  const delivery = receiver.received[index];
  if (!delivery) throw new Error(`no webhook #${index}`);
  return stripe.webhooks.constructEvent(
    delivery.body,
    delivery.signature ?? '',
    WEBHOOK_SECRET,
    undefined,
    undefined,
    clock,
  );
}

function sessionOf(event: Stripe.Event): Stripe.Checkout.Session {
  if (event.data.object.object !== 'checkout.session')
    throw new Error(`unexpected ${event.data.object.object}`);
  return event.data.object;
}

beforeEach(async () => {
  clock = START;
  receiver = await startWebhookReceiver();
  emulator = await startStripeEmulator({
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: receiver.url,
    now: () => clock,
    delivery: { maxAttempts: 4, baseDelayMs: BASE_DELAY_MS },
  });
  stripe = new Stripe('sk_test_checkout_suite', { ...emulator.sdkOptions(), maxNetworkRetries: 0 });
});

afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

describe('hosted checkout page', () => {
  it('shows the lines, the discount, shipping and the total, escaped, with labelled controls', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 900, currency: 'usd', name: 'Bundle deal' });
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        discounts: [{ coupon: coupon.id }],
        shipping_options: [
          {
            shipping_rate_data: { display_name: 'Standard', fixed_amount: { amount: 500, currency: 'usd' } },
          },
        ],
      }),
    );

    const response = await fetch(session.url ?? '');
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('Classic Tee &lt;Black&gt; &amp; Co');
    expect(html).not.toContain('<Black>');
    expect(html).toContain(`−${usd(900)}`);
    expect(html).toContain('Shipping (Standard)');
    expect(html).toContain(usd(2 * 3200 + 1500 - 900 + 500));
    expect(html).toContain('Local Stripe emulator');
    expect(html).toContain('name="viewport"');
    expect(html).toMatch(/<label for="email">/);
    expect(html).toMatch(/<button[^>]*value="pay"/);
    expect(html).toMatch(/<button[^>]*value="pay_async"/);
    expect(html).toContain(`action="/pay/${session.id}/cancel"`);
  });

  it('answers 404 for an unknown session', async () => {
    expect((await fetch(`${emulator.url}/pay/cs_test_unknown`)).status).toBe(404);
  });

  it('completes the session on Pay, redirects to success_url and delivers a signed event', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 900, currency: 'usd', max_redemptions: 1 });
    const session = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: coupon.id }], metadata: { quote: 'q-1' } }),
    );

    const response = await submitPayForm(session.url ?? '', { action: 'pay', email: 'buyer@example.com' });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`https://shop.test/thanks?session_id=${session.id}`);
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
    expect(paid.payment_intent).toMatch(/^pi_/);
    expect(paid.customer_details?.email).toBe('buyer@example.com');
    expect(paid.collected_information).toBeNull();
    await expect(stripe.coupons.retrieve(coupon.id)).resolves.toMatchObject({
      times_redeemed: 1,
      valid: false,
    });

    await emulator.waitForDeliveries();
    expect(receiver.received).toHaveLength(1);
    const event = verified(0);
    expect(event.type).toBe('checkout.session.completed');
    expect(event.id).toMatch(/^evt_/);
    expect(event).toMatchObject({
      object: 'event',
      livemode: false,
      pending_webhooks: 1,
      api_version: Stripe.API_VERSION,
    });
    expect(event.created).toBe(Math.floor(START / 1000));
    expect(sessionOf(event)).toMatchObject({
      id: session.id,
      payment_status: 'paid',
      metadata: { quote: 'q-1' },
    });
  });

  it('rejects a webhook signature checked with another secret', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    emulator.completeSession(session.id);
    await emulator.waitForDeliveries();
    const delivery = receiver.received[0];

    expect(() =>
      stripe.webhooks.constructEvent(
        delivery?.body ?? '',
        delivery?.signature ?? '',
        'whsec_other',
        undefined,
        undefined,
        clock,
      ),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('fills a shipping address when shipping options were given', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        shipping_address_collection: { allowed_countries: ['CA', 'US'] },
        shipping_options: [
          {
            shipping_rate_data: { display_name: 'Standard', fixed_amount: { amount: 500, currency: 'usd' } },
          },
        ],
      }),
    );

    await submitPayForm(session.url ?? '', { action: 'pay', email: 'buyer@example.com' });

    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid.collected_information?.shipping_details?.address.country).toBe('CA');
    expect(paid.collected_information?.shipping_details?.address.line1).toBeTruthy();
  });

  it('uses customer_email when the form sends no email', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ customer_email: 'given@example.com' }),
    );
    await submitPayForm(session.url ?? '', { action: 'pay' });
    expect((await stripe.checkout.sessions.retrieve(session.id)).customer_details?.email).toBe(
      'given@example.com',
    );
  });

  it('redirects Cancel to cancel_url and leaves the session open', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());

    const response = await submitPayForm(`${session.url}/cancel`, {});

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://shop.test/cart');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect(emulator.events()).toHaveLength(0);
  });

  it('refuses to pay a session twice', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    await submitPayForm(session.url ?? '', { action: 'pay', email: 'a@example.com' });

    const again = await submitPayForm(`${emulator.url}/pay/${session.id}`, {
      action: 'pay',
      email: 'a@example.com',
    });

    expect(again.status).toBe(409);
    expect(emulator.events('checkout.session.completed')).toHaveLength(1);
  });

  it('expires a session paid after its expires_at instead of completing it', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ expires_at: Math.floor(START / 1000) + 1800 }),
    );
    clock += 1800 * 1000;

    const response = await submitPayForm(session.url ?? '', { action: 'pay', email: 'late@example.com' });

    expect(response.status).toBe(410);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
    await emulator.waitForDeliveries();
    expect(receiver.received.map((_, i) => verified(i).type)).toEqual(['checkout.session.expired']);
  });

  it('treats a session whose total is zero as needing no payment', async () => {
    const coupon = await stripe.coupons.create({ percent_off: 100 });
    const session = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: coupon.id }] }),
    );

    const paid = emulator.completeSession(session.id);

    expect(paid.amount_total).toBe(0);
    expect(paid.payment_status).toBe('no_payment_required');
    expect(paid.payment_intent).toBeNull();
  });
});

describe('webhook delivery', () => {
  it('retries with exponential backoff after 500s, then succeeds', async () => {
    receiver.failNext(2, 500);
    const session = await stripe.checkout.sessions.create(sessionParams());

    emulator.completeSession(session.id);
    await emulator.waitForDeliveries();

    const [record] = emulator.events();
    const delivery = record?.deliveries[0];
    expect(delivery?.status).toBe('delivered');
    expect(delivery?.attempts.map((a) => [a.statusCode, a.retryInMs])).toEqual([
      [500, BASE_DELAY_MS],
      [500, 2 * BASE_DELAY_MS],
      [200, null],
    ]);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((_, i) => verified(i).id)).size).toBe(1);
  });

  it('gives up after maxAttempts', async () => {
    receiver.failNext(10, 503);
    const session = await stripe.checkout.sessions.create(sessionParams());

    emulator.completeSession(session.id);
    await emulator.waitForDeliveries();

    const delivery = emulator.events()[0]?.deliveries[0];
    expect(delivery?.status).toBe('failed');
    expect(delivery?.attempts).toHaveLength(4);
    expect(delivery?.attempts.at(-1)?.retryInMs).toBeNull();
  });

  it('retries when the endpoint cannot be reached', async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    emulator.setWebhookUrl(closed.url);
    const session = await stripe.checkout.sessions.create(sessionParams());

    emulator.completeSession(session.id);
    await emulator.waitForDeliveries();

    const delivery = emulator.events()[0]?.deliveries[0];
    expect(delivery?.status).toBe('failed');
    expect(delivery?.attempts.every((a) => a.statusCode === null && a.error === 'ECONNREFUSED')).toBe(true);
  });

  it('records events without delivering them when no endpoint is configured', async () => {
    emulator.setWebhookUrl(null);
    const session = await stripe.checkout.sessions.create(sessionParams());

    emulator.completeSession(session.id);
    await emulator.waitForDeliveries();

    expect(receiver.received).toHaveLength(0);
    expect(emulator.events()).toMatchObject([{ event: { pending_webhooks: 0 }, deliveries: [] }]);
  });

  it('sends an event again on request, as Stripe may', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    emulator.completeSession(session.id);
    await emulator.waitForDeliveries();

    emulator.resendEvent(emulator.events()[0]?.event.id ?? '');
    await emulator.waitForDeliveries();

    expect(receiver.received).toHaveLength(2);
    expect(verified(1).id).toBe(verified(0).id);
  });
});

describe('asynchronous payments', () => {
  it('completes unpaid, then delivers async_payment_succeeded and marks the session paid', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());

    await submitPayForm(session.url ?? '', { action: 'pay_async', email: 'bank@example.com' });
    const pending = await stripe.checkout.sessions.retrieve(session.id);
    const page = await (await fetch(`${emulator.url}/pay/${session.id}`)).text();
    const settle = await submitPayForm(`${emulator.url}/pay/${session.id}/settle`, { outcome: 'succeeded' });
    await emulator.waitForDeliveries();

    expect(pending).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect(page).toContain('Mark transfer received');
    expect(settle.status).toBe(303);
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
    const events = receiver.received.map((_, i) => verified(i));
    expect(events.map((e) => [e.type, sessionOf(e).payment_status]).sort()).toEqual([
      ['checkout.session.async_payment_succeeded', 'paid'],
      ['checkout.session.completed', 'unpaid'],
    ]);
  });

  it('delivers async_payment_failed and leaves the session unpaid when the transfer fails', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    emulator.completeSession(session.id, { async: true });

    emulator.settleAsyncPayment(session.id, false);
    await emulator.waitForDeliveries();

    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('unpaid');
    expect(emulator.events().map((r) => r.event.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_failed',
    ]);
    expect(() => emulator.settleAsyncPayment(session.id, true)).toThrow(/no pending async payment/);
  });
});

describe('expiry events', () => {
  it('delivers checkout.session.expired for sessions past their expires_at', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    clock += 24 * 3600 * 1000;

    expect(emulator.expireDueSessions()).toEqual([session.id]);
    await emulator.waitForDeliveries();

    const event = verified(0);
    expect(event.type).toBe('checkout.session.expired');
    expect(sessionOf(event)).toMatchObject({ id: session.id, status: 'expired' });
    expect(event.request).toEqual({ id: null, idempotency_key: null });
  });
});
