import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSeededRandom, type StripeEmulator, startStripeEmulator } from '../../local/stripe-emulator';
import sessionFixture from '../fixtures/stripe/checkout.session.json';
import couponFixture from '../fixtures/stripe/coupon.json';
import {
  INACTIVE_PRICE,
  SECRET_KEY,
  SEEDED_PRICE,
  START,
  SUBTOTAL,
  sessionParams,
  stripeError,
  teeLine,
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

describe('Stripe emulator API through the official SDK', () => {
  it('creates a session from nested price_data line items and returns it shaped like Stripe', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        metadata: { quoteSignature: 'sig-123', cartHash: 'abc' },
        client_reference_id: 'quote-42',
        customer_email: 'buyer@example.com',
        payment_intent_data: { metadata: { quote: 'sig-123' }, description: 'Order from the shop' },
      }),
    );

    expect(session.id).toMatch(/^cs_test_/);
    expect(session.object).toBe('checkout.session');
    expect(session.status).toBe('open');
    expect(session.payment_status).toBe('unpaid');
    expect(session.url).toBe(`${emulator.url}/pay/${session.id}`);
    expect(session.amount_subtotal).toBe(SUBTOTAL);
    expect(session.amount_total).toBe(SUBTOTAL);
    expect(session.currency).toBe('usd');
    expect(session.metadata).toEqual({ quoteSignature: 'sig-123', cartHash: 'abc' });
    expect(session.client_reference_id).toBe('quote-42');
    expect(session.customer_email).toBe('buyer@example.com');
    expect(session.expires_at).toBe(Math.floor(START / 1000) + 24 * 3600);
    expect(session.created).toBe(Math.floor(START / 1000));
    expect(session.line_items).toBeUndefined();

    const lines = await stripe.checkout.sessions.listLineItems(session.id);
    expect(lines.data.map((line) => [line.description, line.quantity, line.amount_subtotal])).toEqual([
      ['Classic Tee — Black', 2, 6400],
      ['Sticker pack', 1, 1500],
    ]);
    expect(lines.data[0]?.price?.unit_amount).toBe(3200);

    const stored = emulator.state().sessions[0];
    expect(stored?.paymentIntentData).toEqual({
      metadata: { quote: 'sig-123' },
      description: 'Order from the shop',
    });
  });

  it('answers sessions and coupons with every field of the published Stripe fixtures', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const coupon = await stripe.coupons.create({ percent_off: 10 });

    expect(Object.keys(sessionFixture).filter((key) => !(key in session))).toEqual([]);
    expect(Object.keys(couponFixture).filter((key) => !(key in coupon))).toEqual([]);
  });

  it('names objects identically when given the same seeded random source', async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const seeded = await startStripeEmulator({ webhookSecret: 'whsec_x', random: createSeededRandom(7) });
      try {
        const sdk = new Stripe(SECRET_KEY, { ...seeded.sdkOptions(), maxNetworkRetries: 0 });
        ids.push((await sdk.checkout.sessions.create(sessionParams())).id);
      } finally {
        await seeded.close();
      }
    }
    expect(ids[0]).toMatch(/^cs_test_/);
    expect(ids[1]).toBe(ids[0]);
    expect((await stripe.checkout.sessions.create(sessionParams())).id).not.toBe(ids[0]);
  });

  it('expands line_items on retrieve, and only when asked', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const plain = await stripe.checkout.sessions.retrieve(created.id);
    const expanded = await stripe.checkout.sessions.retrieve(created.id, { expand: ['line_items'] });

    expect(plain.line_items).toBeUndefined();
    expect(expanded.line_items?.data).toHaveLength(2);
    const error = await stripeError(
      stripe.checkout.sessions.retrieve(created.id, { expand: ['payment_intent'] }),
    );
    expect(error.param).toBe('expand[0]');
  });

  it('answers a request without a valid test key with 401 in Stripe error shape', async () => {
    const live = await stripeError(client('sk_live_abcdefgh').coupons.create({ percent_off: 10 }));
    expect(live).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(live.statusCode).toBe(401);
    expect(live.message).not.toContain('abcdefgh');

    const response = await fetch(`${emulator.url}/v1/coupons/X`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('accepts only the configured key when one is set', async () => {
    const strict = await startStripeEmulator({ webhookSecret: 'whsec_x', apiKey: 'sk_test_only_this' });
    try {
      const other = new Stripe('sk_test_another', { ...strict.sdkOptions(), maxNetworkRetries: 0 });
      const right = new Stripe('sk_test_only_this', { ...strict.sdkOptions(), maxNetworkRetries: 0 });
      expect((await stripeError(other.coupons.create({ percent_off: 5 }))).statusCode).toBe(401);
      await expect(right.coupons.create({ percent_off: 5 })).resolves.toMatchObject({ percent_off: 5 });
    } finally {
      await strict.close();
    }
  });

  it('rejects unknown parameters with parameter_unknown naming the nested parameter', async () => {
    const nested = await stripeError(
      stripe.rawRequest('POST', '/v1/checkout/sessions', {
        ...sessionParams(),
        line_items: [
          {
            quantity: 1,
            price_data: { currency: 'usd', unit_amount: 900, product_data: { name: 'A', colour: 'red' } },
          },
        ],
      }),
    );
    expect(nested.statusCode).toBe(400);
    expect(nested.code).toBe('parameter_unknown');
    expect(nested.param).toBe('line_items[0][price_data][product_data][colour]');

    const stripeOnly = await stripeError(
      stripe.rawRequest('POST', '/v1/checkout/sessions', { ...sessionParams(), ui_mode: 'embedded_page' }),
    );
    expect(stripeOnly.code).toBe('parameter_unknown');
    expect(stripeOnly.message).toContain('emulator does not implement');
    expect(emulator.state().sessions).toHaveLength(0);
  });

  it('reports missing and malformed parameters with Stripe codes and the parameter name', async () => {
    const cases: Array<[Record<string, unknown>, string, string | undefined]> = [
      [{ line_items: sessionParams().line_items }, 'mode', 'parameter_missing'],
      [
        {
          ...sessionParams(),
          line_items: [
            {
              quantity: 1,
              price_data: { currency: 'usd', unit_amount: 'lots', product_data: { name: 'A' } },
            },
          ],
        },
        'line_items[0][price_data][unit_amount]',
        'parameter_invalid_integer',
      ],
      [
        { ...sessionParams(), line_items: [{ price_data: teeLine(1).price_data }] },
        'line_items[0][quantity]',
        'parameter_missing',
      ],
      [{ ...sessionParams(), customer_email: 'not-an-email' }, 'customer_email', 'email_invalid'],
      [{ ...sessionParams(), success_url: 'shop/success' }, 'success_url', 'url_invalid'],
      [{ ...sessionParams(), mode: 'payments' }, 'mode', undefined],
      [{ ...sessionParams(), client_reference_id: 'x'.repeat(201) }, 'client_reference_id', undefined],
    ];
    for (const [params, param, code] of cases) {
      const error = await stripeError(stripe.rawRequest('POST', '/v1/checkout/sessions', params));
      expect({ status: error.statusCode, param: error.param, code: error.code, type: error.type }).toEqual({
        status: 400,
        param,
        code,
        type: 'StripeInvalidRequestError',
      });
    }
  });

  it('accepts 100 line items and refuses 101', async () => {
    const hundred = Array.from({ length: 100 }, () => teeLine(1, 100));
    const ok = await stripe.checkout.sessions.create(sessionParams({ line_items: hundred }));
    expect(ok.amount_subtotal).toBe(100 * 100);

    const error = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ line_items: [...hundred, teeLine(1)] })),
    );
    expect(error.statusCode).toBe(400);
    expect(error.param).toBe('line_items');
  });

  it('refuses discounts together with allow_promotion_codes', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 500, currency: 'usd' });
    const error = await stripeError(
      stripe.checkout.sessions.create(
        sessionParams({ discounts: [{ coupon: coupon.id }], allow_promotion_codes: true }),
      ),
    );
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('parameters_exclusive');
  });

  it('answers 404 resource_missing for sessions, coupons and prices it does not have', async () => {
    for (const call of [
      stripe.checkout.sessions.retrieve('cs_test_missing'),
      stripe.checkout.sessions.expire('cs_test_missing'),
      stripe.coupons.retrieve('NOPE'),
      stripe.coupons.del('NOPE'),
      stripe.prices.retrieve('price_missing'),
    ]) {
      const error = await stripeError(call);
      expect([error.statusCode, error.code]).toEqual([404, 'resource_missing']);
    }
  });
});

describe('idempotency keys', () => {
  it('replays the first response for the same key and parameters', async () => {
    const first = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'quote-sig-1' });
    const second = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'quote-sig-1' });

    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(emulator.state().sessions).toHaveLength(1);
    expect(emulator.requestCount('POST /v1/checkout/sessions')).toBe(2);
  });

  it('rejects the same key with different parameters as an idempotency_error', async () => {
    await stripe.coupons.create({ amount_off: 500, currency: 'usd' }, { idempotencyKey: 'coupon-1' });
    const error = await stripeError(
      stripe.coupons.create({ amount_off: 600, currency: 'usd' }, { idempotencyKey: 'coupon-1' }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.statusCode).toBe(400);
    expect(error.rawType).toBe('idempotency_error');
    expect(emulator.state().coupons).toHaveLength(1);
  });

  it('rejects a key reused on another endpoint, like Stripe', async () => {
    await stripe.coupons.create({ percent_off: 10 }, { idempotencyKey: 'shared' });
    const error = await stripeError(
      stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'shared' }),
    );
    expect(error.rawType).toBe('idempotency_error');
    expect(error.message).toContain('same endpoint');
  });

  it('keeps keys apart per API key', async () => {
    const a = await stripe.coupons.create({ percent_off: 10 }, { idempotencyKey: 'same' });
    const b = await client('sk_test_other_account').coupons.create(
      { percent_off: 10 },
      { idempotencyKey: 'same' },
    );
    expect(b.id).not.toBe(a.id);
  });

  it('replays stored errors but not parameter validation errors', async () => {
    await stripe.coupons.create({ id: 'TAKEN', percent_off: 10 });
    const first = await stripeError(
      stripe.coupons.create({ id: 'TAKEN', percent_off: 10 }, { idempotencyKey: 'k-taken' }),
    );
    await stripe.coupons.del('TAKEN');
    const replayed = await stripeError(
      stripe.coupons.create({ id: 'TAKEN', percent_off: 10 }, { idempotencyKey: 'k-taken' }),
    );
    expect(first.code).toBe('resource_already_exists');
    expect(replayed.code).toBe('resource_already_exists');
    expect(replayed.headers?.['idempotent-replayed']).toBe('true');

    const invalid = await stripeError(
      stripe.rawRequest('POST', '/v1/coupons', { percent_off: 'ten' }, { idempotencyKey: 'k-fixed' }),
    );
    expect(invalid.statusCode).toBe(400);
    const fixed = await stripe
      .rawRequest('POST', '/v1/coupons', { percent_off: 'ten' }, { idempotencyKey: 'k-fixed' })
      .catch((err: unknown) => err);
    // Same (invalid) parameters again: still validated afresh, not replayed.
    expect(fixed).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(
      stripe.rawRequest('POST', '/v1/coupons', { percent_off: '10' }, { idempotencyKey: 'k-fixed' }),
    ).resolves.toMatchObject({ percent_off: 10 });
  });

  it('forgets keys after 24 hours', async () => {
    const first = await stripe.coupons.create({ percent_off: 10 }, { idempotencyKey: 'old' });
    clock += 24 * 3600 * 1000 + 1000;
    const later = await stripe.coupons.create({ percent_off: 10 }, { idempotencyKey: 'old' });
    expect(later.id).not.toBe(first.id);
  });
});

describe('amounts', () => {
  it('takes an amount_off coupon off the subtotal, capped at the subtotal', async () => {
    const small = await stripe.coupons.create({ amount_off: 1000, currency: 'usd', duration: 'once' });
    const huge = await stripe.coupons.create({
      amount_off: SUBTOTAL + 5000,
      currency: 'usd',
      duration: 'once',
    });

    const withSmall = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: small.id }] }),
    );
    const withHuge = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: huge.id }] }),
    );

    expect(withSmall.total_details?.amount_discount).toBe(1000);
    expect(withSmall.amount_total).toBe(SUBTOTAL - 1000);
    expect(withSmall.discounts).toEqual([{ coupon: small.id, promotion_code: null }]);
    expect(withHuge.total_details?.amount_discount).toBe(SUBTOTAL);
    expect(withHuge.amount_total).toBe(0);
  });

  it('rounds a percent_off discount half up and spreads it over the line items', async () => {
    // 12.5 % of 7900 is 987.5, which rounds up to 988.
    const coupon = await stripe.coupons.create({ percent_off: 12.5 });
    const session = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: coupon.id }] }),
    );
    const lines = await stripe.checkout.sessions.listLineItems(session.id);

    expect(session.total_details?.amount_discount).toBe(988);
    expect(session.amount_total).toBe(SUBTOTAL - 988);
    expect(lines.data.reduce((sum, line) => sum + line.amount_discount, 0)).toBe(988);
    for (const line of lines.data)
      expect(line.amount_total).toBe(line.amount_subtotal - line.amount_discount);
  });

  it('charges the first shipping option and keeps the discount off shipping', async () => {
    const coupon = await stripe.coupons.create({ amount_off: SUBTOTAL, currency: 'usd' });
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        discounts: [{ coupon: coupon.id }],
        shipping_options: [
          {
            shipping_rate_data: {
              display_name: 'Standard',
              type: 'fixed_amount',
              fixed_amount: { amount: 700, currency: 'usd' },
            },
          },
          {
            shipping_rate_data: {
              display_name: 'Express',
              type: 'fixed_amount',
              fixed_amount: { amount: 1500, currency: 'usd' },
            },
          },
        ],
      }),
    );

    expect(session.total_details?.amount_shipping).toBe(700);
    expect(session.amount_total).toBe(700);
    expect(session.shipping_cost?.amount_total).toBe(700);
    expect(session.shipping_options.map((option) => option.shipping_amount)).toEqual([700, 1500]);
    expect(session.shipping_options[0]?.shipping_rate).toMatch(/^shr_/);
  });

  it('refuses a positive total below the minimum charge', async () => {
    const error = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ line_items: [teeLine(1, 40)] })),
    );
    expect([error.statusCode, error.code]).toEqual([400, 'amount_too_small']);
  });

  it('prices line items from seeded prices and refuses unknown or inactive ones', async () => {
    const price = await stripe.prices.retrieve(SEEDED_PRICE.id, { expand: ['product'] });
    expect(price.unit_amount).toBe(SEEDED_PRICE.unitAmount);
    expect(typeof price.product === 'object' && 'name' in price.product ? price.product.name : null).toBe(
      'Classic Tee',
    );

    const session = await stripe.checkout.sessions.create(
      sessionParams({ line_items: [{ price: SEEDED_PRICE.id, quantity: 3 }] }),
    );
    expect(session.amount_subtotal).toBe(3 * SEEDED_PRICE.unitAmount);

    const unknown = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ line_items: [{ price: 'price_nope', quantity: 1 }] })),
    );
    expect([unknown.statusCode, unknown.code, unknown.param]).toEqual([
      400,
      'resource_missing',
      'line_items[0][price]',
    ]);
    const inactive = await stripeError(
      stripe.checkout.sessions.create(
        sessionParams({ line_items: [{ price: INACTIVE_PRICE.id, quantity: 1 }] }),
      ),
    );
    expect(inactive.param).toBe('line_items[0][price]');
  });
});
