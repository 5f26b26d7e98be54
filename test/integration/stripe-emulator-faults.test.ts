import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmulatorError, type StripeEmulator, startStripeEmulator } from '../../local/stripe-emulator';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

let emulator: StripeEmulator;

function client(extra: Stripe.StripeConfig = {}): Stripe {
  return new Stripe('sk_test_fault_suite', { ...emulator.sdkOptions(), maxNetworkRetries: 0, ...extra });
}

const sessionParams: Stripe.Checkout.SessionCreateParams = {
  mode: 'payment',
  line_items: [
    { quantity: 1, price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Tote' } } },
  ],
  success_url: 'https://shop.test/thanks',
};

async function stripeError(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await call;
  } catch (err: unknown) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** Calls the control API with a JSON body. */
async function control(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

beforeEach(async () => {
  emulator = await startStripeEmulator({ webhookSecret: 'whsec_fault_suite' });
});

afterEach(async () => {
  await emulator.close();
});

describe('fault injection', () => {
  it('fails the next N calls of an endpoint with the given status, then answers normally', async () => {
    const stripe = client();
    const fault = emulator.faults.add({ method: 'POST', path: '/v1/coupons', times: 2, status: 500 });

    const first = await stripeError(stripe.coupons.create({ percent_off: 10 }));
    const second = await stripeError(stripe.coupons.create({ percent_off: 10 }));
    const third = await stripe.coupons.create({ percent_off: 10 });

    expect(first).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect([first.statusCode, second.statusCode]).toEqual([500, 500]);
    expect(third.percent_off).toBe(10);
    expect(emulator.state().coupons).toHaveLength(1);
    expect(emulator.state().requests.map((r) => r.faultId)).toEqual([fault.id, fault.id, null]);
    expect(emulator.faults.list()).toEqual([]);
  });

  it('matches only the given method and path pattern', async () => {
    const stripe = client();
    const session = await stripe.checkout.sessions.create(sessionParams);
    emulator.faults.add({ method: 'GET', path: '/v1/checkout/sessions/*', status: 503 });

    await expect(stripe.checkout.sessions.expire(session.id)).resolves.toMatchObject({ status: 'expired' });
    expect((await stripeError(stripe.checkout.sessions.retrieve(session.id))).statusCode).toBe(503);
  });

  it('answers with the Stripe error fields it was given', async () => {
    emulator.faults.add({
      path: '/v1/checkout/sessions',
      status: 400,
      error: { code: 'coupon_expired', param: 'discounts[0][coupon]', message: 'Injected coupon problem.' },
    });

    const error = await stripeError(client().checkout.sessions.create(sessionParams));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect([error.code, error.param, error.message]).toEqual([
      'coupon_expired',
      'discounts[0][coupon]',
      'Injected coupon problem.',
    ]);
  });

  it('lets the SDK retry an injected 500 with the same idempotency key, creating one object', async () => {
    emulator.faults.add({ method: 'POST', path: '/v1/checkout/sessions', status: 500 });

    const session = await client({ maxNetworkRetries: 1 }).checkout.sessions.create(sessionParams);

    expect(session.status).toBe('open');
    expect(emulator.requestCount('POST /v1/checkout/sessions')).toBe(2);
    const keys = emulator.state().requests.map((r) => r.idempotencyKey);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(emulator.state().sessions).toHaveLength(1);
  });

  it('delays an answer past the SDK timeout; the request still takes effect and a retry gets its result', async () => {
    emulator.faults.add({ method: 'POST', path: '/v1/checkout/sessions', delayMs: 300 });
    const impatient = client({ timeout: 50 });

    const error = await stripeError(
      impatient.checkout.sessions.create(sessionParams, { idempotencyKey: 'slow-1' }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(error.message).toContain('timeout');
    await vi.waitFor(() => expect(emulator.state().sessions).toHaveLength(1), {
      timeout: 2000,
      interval: 20,
    });

    const retried = await client().checkout.sessions.create(sessionParams, { idempotencyKey: 'slow-1' });
    expect(retried.id).toBe(emulator.state().sessions[0]?.session.id);
    expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('drops the connection after processing, so only the idempotent retry learns the outcome', async () => {
    emulator.faults.add({ method: 'POST', path: '/v1/coupons', afterProcessing: true, disconnect: true });

    // stripe-node retries a closed connection once even with maxNetworkRetries 0, with the same key.
    const coupon = await client().coupons.create({ id: 'LOST-ANSWER', percent_off: 15 });

    expect(coupon.id).toBe('LOST-ANSWER');
    expect(coupon.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(emulator.state().requests.map((r) => r.statusCode)).toEqual([null, 200]);
    expect(emulator.state().coupons).toHaveLength(1);
  });

  it('refuses a fault that would do nothing', () => {
    expect(() => emulator.faults.add({ path: '/v1/coupons' })).toThrow(EmulatorError);
    expect(() => emulator.faults.add({ path: 'v1/coupons', status: 500 })).toThrow(/path/);
  });
});

describe('control API', () => {
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('adds, lists and clears faults over HTTP', async () => {
    const added = await control('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/v1/coupons',
      status: 429,
    });
    expect(added.status).toBe(200);
    expect((await control('GET', '/_emulator/faults')).json).toHaveLength(1);

    const limited = await stripeError(client().coupons.create({ percent_off: 5 }));
    expect(limited).toBeInstanceOf(Stripe.errors.StripeRateLimitError);

    await control('POST', '/_emulator/faults', { path: '/v1/coupons', status: 500, times: 3 });
    expect((await control('DELETE', '/_emulator/faults')).status).toBe(204);
    await expect(client().coupons.create({ percent_off: 5 })).resolves.toMatchObject({ percent_off: 5 });

    const invalid = await control('POST', '/_emulator/faults', { path: '/v1/coupons', status: 'soon' });
    expect(invalid).toMatchObject({ status: 400, json: { error: { code: 'invalid_fault' } } });
  });

  it('reports state with per-route request counts and created objects', async () => {
    const stripe = client();
    await stripe.coupons.create({ percent_off: 5 });
    const session = await stripe.checkout.sessions.create(sessionParams);
    await stripe.checkout.sessions.retrieve(session.id);

    const { json } = await control('GET', '/_emulator/state');

    expect(json).toMatchObject({
      requestCounts: {
        'POST /v1/coupons': 1,
        'POST /v1/checkout/sessions': 1,
        'GET /v1/checkout/sessions/:id': 1,
      },
      sessions: [{ session: { id: session.id } }],
      coupons: [{ deleted: false }],
    });
  });

  it('completes, settles and expires sessions and points webhooks elsewhere', async () => {
    const stripe = client();
    const paid = await stripe.checkout.sessions.create(sessionParams);
    const left = await stripe.checkout.sessions.create(sessionParams);
    await control('PUT', '/_emulator/webhook', { url: receiver.url });

    const completed = await control('POST', `/_emulator/sessions/${paid.id}/complete`, {
      async: true,
      email: 'x@example.com',
    });
    const settled = await control('POST', `/_emulator/sessions/${paid.id}/settle`, { succeeded: true });
    const expired = await control('POST', `/_emulator/sessions/${left.id}/expire`);
    const again = await control('POST', `/_emulator/sessions/${left.id}/expire`);
    await emulator.waitForDeliveries();

    expect(completed).toMatchObject({ status: 200, json: { status: 'complete', payment_status: 'unpaid' } });
    expect(settled).toMatchObject({ status: 200, json: { payment_status: 'paid' } });
    expect(expired).toMatchObject({ status: 200, json: { status: 'expired' } });
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'session_not_open' } } });
    expect(receiver.received).toHaveLength(3);
  });

  it('resets everything but the seeded prices', async () => {
    const seeded = await startStripeEmulator({
      webhookSecret: 'whsec_x',
      prices: [{ id: 'price_1Keep', unitAmount: 1000, currency: 'usd', productName: 'Kept' }],
    });
    try {
      const stripe = new Stripe('sk_test_reset', { ...seeded.sdkOptions(), maxNetworkRetries: 0 });
      await stripe.coupons.create({ id: 'GONE', percent_off: 5 });
      seeded.faults.add({ path: '/v1/coupons', status: 500 });

      await fetch(`${seeded.url}/_emulator/reset`, { method: 'POST' });

      expect(seeded.state()).toMatchObject({
        coupons: [],
        sessions: [],
        events: [],
        requests: [],
        faults: [],
      });
      await expect(stripe.prices.retrieve('price_1Keep')).resolves.toMatchObject({ unit_amount: 1000 });
      await expect(stripe.coupons.create({ id: 'GONE', percent_off: 5 })).resolves.toMatchObject({
        id: 'GONE',
      });
    } finally {
      await seeded.close();
    }
  });

  it('names every problem of a control body in one 400, in words that say what to send', async () => {
    const fault = await control('POST', '/_emulator/faults', {
      path: '/v1/coupons',
      status: 'soon',
      times: 'twice',
      error: { type: 'oops' },
    });
    const noPath = await control('POST', '/_emulator/faults', { status: 500 });
    const settle = await control('POST', '/_emulator/sessions/cs_test_x/settle', {});
    const complete = await control('POST', '/_emulator/sessions/cs_test_x/complete', { async: 'yes' });
    const webhook = await control('PUT', '/_emulator/webhook', { url: 5 });
    const list = await control('PUT', '/_emulator/webhook', [{ url: null }]);

    expect(fault).toMatchObject({ status: 400, json: { error: { code: 'invalid_fault' } } });
    const { message } = (fault.json as { error: { message: string } }).error;
    expect(message).toContain('times must be a number');
    expect(message).toContain('status must be a number');
    expect(message).toContain('error.type must be one of api_error, card_error');
    expect(noPath).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_fault', message: 'A fault needs a path.' } },
    });
    expect(settle).toMatchObject({
      status: 400,
      json: { error: { message: 'Send {"succeeded": true|false}.' } },
    });
    expect(complete).toMatchObject({ status: 400, json: { error: { message: 'async must be a boolean.' } } });
    expect(webhook).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    expect(list).toMatchObject({
      status: 400,
      json: { error: { message: 'The body must be a JSON object.' } },
    });
    expect(emulator.faults.list()).toEqual([]);
    expect(emulator.state().webhookUrl).toBeNull();
  });

  it('answers unknown control endpoints and bad JSON with an error code', async () => {
    expect(await control('GET', '/_emulator/nope')).toMatchObject({
      status: 404,
      json: { error: { code: 'invalid_request' } },
    });
    const response = await fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', body: '{not json' });
    expect(response.status).toBe(400);
  });
});
