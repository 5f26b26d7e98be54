import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { type CommerceApi, makeCommerceApi, SHOP } from '../support/commerce-harness';
import { couponOfSession } from '../support/coupons';
import { scanTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator } from '../support/stripe';
import { deliverLatestEvent, makeSessionEvent, signedDelivery } from '../support/webhook';

// Regressions of the day a checkout belonged to the cart instead of the shopper: each test is one of
// the problems found by testing as several shoppers at once.

let table: TestTable;
let stripe: StripeEmulator;
const clock = { now: Date.UTC(2026, 10, 28, 9, 0, 0) };
const nowSeconds = () => Math.floor(clock.now / 1000);

beforeAll(async () => {
  table = await startTestTable('shopper-identity');
  stripe = await startTestEmulator({ now: () => clock.now });
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});

type Item = { sku: string; quantity: number };
const CAPS: Item[] = [{ sku: 'CAP-DAD-BLK', quantity: 2 }];
/** Two tees (10 % off): a cart with a bundle coupon. */
const TEES: Item[] = [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }];
const headers = { 'Content-Type': 'application/json', Origin: SHOP };
const parse = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Record<string, any>;

async function quote(api: CommerceApi, items: Item[], sourceIp = '203.0.113.20') {
  const result = await api.quote(makeProxyEvent({ body: { items }, headers, sourceIp }));
  expect(result.statusCode).toBe(200);
  return parse(result);
}

async function checkout(
  api: CommerceApi,
  body: { items: Item[]; quoteSignature: string; email?: string; cartId?: string },
  sourceIp = '203.0.113.20',
) {
  const result = await api.checkout(
    makeProxyEvent({ path: '/checkout/create-session', body, headers, sourceIp }),
  );
  return { status: result.statusCode, body: parse(result), headers: result.headers ?? {} };
}

async function deliver(api: CommerceApi, event: object, timestamp = nowSeconds()) {
  return api.webhook(signedDelivery(JSON.stringify(event), { timestamp }));
}

async function deliverLatest(api: CommerceApi, sessionId: string, type: string) {
  await deliverLatestEvent(stripe, api.webhook, sessionId, type, nowSeconds());
}

const newApi = (env: Record<string, string> = {}) =>
  makeCommerceApi({ table, stripe, now: () => clock.now, env });

/** Moves past the quote lifetime so the next test's carts are priced afresh. */
const nextMinute = () => {
  clock.now += 11 * 60_000;
};

describe('a checkout belongs to one shopper', () => {
  it('gives two shoppers with the same cart their own quotes and sessions, each with their own email (problem 1)', async () => {
    nextMinute();
    const api = await newApi();
    const a = await quote(api, CAPS, '198.51.100.1');
    const b = await quote(api, CAPS, '198.51.100.2');
    expect(b.quoteSignature).not.toBe(a.quoteSignature);
    expect(b.quote.total).toBe(a.quote.total);

    const sessionA = await checkout(api, {
      items: CAPS,
      quoteSignature: a.quoteSignature,
      email: 'ann@example.com',
    });
    const sessionB = await checkout(api, {
      items: CAPS,
      quoteSignature: b.quoteSignature,
      email: 'bob@example.com',
    });
    expect([sessionA.status, sessionB.status]).toEqual([201, 201]);
    expect(sessionB.body.sessionId).not.toBe(sessionA.body.sessionId);
    expect(stripe.session(sessionA.body.sessionId)?.customer_email).toBe('ann@example.com');
    expect(stripe.session(sessionB.body.sessionId)?.customer_email).toBe('bob@example.com');
  });

  it('never blocks another shopper after a sale, before or after the webhook (problem 2)', async () => {
    nextMinute();
    const api = await newApi();
    const a = await quote(api, CAPS);
    const paid = await checkout(api, {
      items: CAPS,
      quoteSignature: a.quoteSignature,
      email: 'ann@example.com',
    });
    stripe.completeSession(paid.body.sessionId);

    // Before the webhook has landed: another shopper gets a session of their own, not A's.
    const b = await checkout(api, {
      items: CAPS,
      quoteSignature: (await quote(api, CAPS)).quoteSignature,
      email: 'bob@example.com',
    });
    expect(b.status).toBe(201);
    expect(b.body.sessionId).not.toBe(paid.body.sessionId);
    expect(stripe.session(b.body.sessionId)?.status).toBe('open');

    await deliverLatest(api, paid.body.sessionId, 'checkout.session.completed');
    const c = await checkout(api, {
      items: CAPS,
      quoteSignature: (await quote(api, CAPS)).quoteSignature,
      email: 'cat@example.com',
    });
    expect(c.status).toBe(201);
    // The shopper who paid cannot pay the same quote twice.
    const again = await checkout(api, {
      items: CAPS,
      quoteSignature: a.quoteSignature,
      email: 'ann@example.com',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('quote_already_paid');
  });

  it.each([
    ['none', 'none'],
    ['inline', 'inline'],
  ])(
    'charges a returning shopper exactly the quote with a coupon after the session expired (problem 3, COUPON_FALLBACK=%s)',
    async (_name, fallback) => {
      nextMinute();
      const api = await newApi({ COUPON_FALLBACK: fallback });
      const quoted = await quote(api, TEES);
      const first = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature });
      const firstCoupon = couponOfSession(stripe, first.body.sessionId);
      stripe.expireSession(first.body.sessionId);
      await deliverLatest(api, first.body.sessionId, 'checkout.session.expired');
      expect(stripe.state().coupons.find((c) => c.coupon.id === firstCoupon)?.deleted).toBe(true);

      const again = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature });
      expect(again.status).toBe(201);
      const secondCoupon = couponOfSession(stripe, again.body.sessionId);
      expect(secondCoupon).not.toBeNull();
      expect(secondCoupon).not.toBe(firstCoupon);
      const session = stripe.completeSession(again.body.sessionId);
      expect(session.amount_total).toBe(quoted.quote.total);
      expect(session.total_details?.amount_discount).toBe(quoted.quote.discount);
      expect(api.telemetry.countOf('CouponFallback')).toBe(0);
    },
  );

  it('charges a shopper whose bank transfer failed exactly the quote on the next try (problem 3)', async () => {
    nextMinute();
    const api = await newApi({ COUPON_FALLBACK: 'none' });
    const quoted = await quote(api, TEES);
    const first = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature });
    stripe.completeSession(first.body.sessionId, { async: true });
    await deliverLatest(api, first.body.sessionId, 'checkout.session.completed');
    stripe.settleAsyncPayment(first.body.sessionId, false);
    await deliverLatest(api, first.body.sessionId, 'checkout.session.async_payment_failed');

    const again = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature });
    expect(again.status).toBe(201);
    expect(stripe.completeSession(again.body.sessionId).amount_total).toBe(quoted.quote.total);
    expect(api.telemetry.countOf('CouponFallback')).toBe(0);
  });

  it('keeps one payable session per cart id: a second tab after the quote expired replaces the first (problem 4)', async () => {
    nextMinute();
    const api = await newApi();
    const cartId = 'tabs-cart-000000000001';
    const quoted = await quote(api, TEES);
    const tab1 = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature, cartId });
    clock.now += 11 * 60_000;
    const tab2 = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature, cartId });
    expect(tab2.status).toBe(201);
    expect(tab2.body.quoteSignature).not.toBe(quoted.quoteSignature);
    expect(stripe.session(tab1.body.sessionId)?.status).toBe('expired');
    expect(() => stripe.completeSession(tab1.body.sessionId)).toThrow(/not open/);
    expect(stripe.completeSession(tab2.body.sessionId).amount_total).toBe(quoted.quote.total);
    expect(api.telemetry.countOf('CheckoutSessionReplaced')).toBe(1);
  });

  it('refuses a new checkout of a cart paid in another tab, even before the webhook, pointing at the paid session', async () => {
    nextMinute();
    const api = await newApi();
    const cartId = 'paid-cart-000000000001';
    const first = await checkout(api, {
      items: TEES,
      quoteSignature: (await quote(api, TEES)).quoteSignature,
      cartId,
    });
    stripe.completeSession(first.body.sessionId);
    const changed = [...TEES, { sku: 'STICKER-HEART', quantity: 1 }];
    const second = await checkout(api, {
      items: changed,
      quoteSignature: (await quote(api, changed)).quoteSignature,
      cartId,
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      error: { code: 'cart_already_paid' },
      sessionId: first.body.sessionId,
    });
  });

  it('answers a double click with a cart id with one session, and a changed email with a new one (the old expired)', async () => {
    nextMinute();
    const api = await newApi({ RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_HOUR: '50' });
    const cartId = 'double-click-0000000001';
    const quoted = await quote(api, TEES);
    const sessionsBefore = stripe.state().sessions.length;
    const clicks = await Promise.all(
      Array.from({ length: 8 }, () =>
        checkout(api, {
          items: TEES,
          quoteSignature: quoted.quoteSignature,
          email: 'dee@example.com',
          cartId,
        }),
      ),
    );
    expect(clicks.every((c) => c.status === 200 || c.status === 201)).toBe(true);
    expect(new Set(clicks.map((c) => c.body.sessionId)).size).toBe(1);
    expect(stripe.state().sessions.length - sessionsBefore).toBe(1);

    const first = clicks[0]?.body.sessionId;
    const changed = await checkout(api, {
      items: TEES,
      quoteSignature: quoted.quoteSignature,
      email: 'dee.new@example.com',
      cartId,
    });
    expect(changed.status).toBe(201);
    expect(changed.body.sessionId).not.toBe(first);
    expect(stripe.session(changed.body.sessionId)?.customer_email).toBe('dee.new@example.com');
    expect(stripe.session(first)?.status).toBe('expired');
  });

  it('never leaves two payable sessions for a cart when Stripe will not expire the open one', async () => {
    nextMinute();
    const api = await newApi();
    const cartId = 'refused-expire-000000001';
    const first = await checkout(api, {
      items: CAPS,
      quoteSignature: (await quote(api, CAPS)).quoteSignature,
      cartId,
    });
    const sessionsBefore = stripe.state().sessions.length;
    stripe.faults.add({ method: 'POST', path: '/v1/checkout/sessions/*/expire', status: 403, times: 1 });
    try {
      const second = await checkout(api, {
        items: TEES,
        quoteSignature: (await quote(api, TEES)).quoteSignature,
        cartId,
      });
      expect(second.status).toBe(502);
      expect(stripe.state().sessions.length).toBe(sessionsBefore);
      expect(stripe.session(first.body.sessionId)?.status).toBe('open');
    } finally {
      stripe.faults.clear();
    }
  });

  it('never hands out a session it expired, even when making the next one failed', async () => {
    nextMinute();
    const api = await newApi();
    const cartId = 'expired-then-fail-000001';
    const quotedCaps = await quote(api, CAPS);
    const first = await checkout(api, { items: CAPS, quoteSignature: quotedCaps.quoteSignature, cartId });
    stripe.faults.add({ method: 'POST', path: '/v1/checkout/sessions', status: 500, times: 10 });
    try {
      const failed = await checkout(api, {
        items: TEES,
        quoteSignature: (await quote(api, TEES)).quoteSignature,
        cartId,
      });
      expect(failed.status).toBe(502);
    } finally {
      stripe.faults.clear();
    }
    expect(stripe.session(first.body.sessionId)?.status).toBe('expired');
    // Back to the first cart: a new session, not the expired one's dead page.
    const again = await checkout(api, { items: CAPS, quoteSignature: quotedCaps.quoteSignature, cartId });
    expect(again.status).toBe(201);
    expect(again.body.sessionId).not.toBe(first.body.sessionId);
    expect(stripe.session(again.body.sessionId)?.status).toBe('open');
  });

  it('takes a retry with the email spelt otherwise as another email, never a clash of Stripe keys', async () => {
    nextMinute();
    const api = await newApi();
    const quoted = await quote(api, TEES);
    // Made at Stripe, its answers lost (the SDK's one retry included).
    stripe.faults.add({
      method: 'POST',
      path: '/v1/checkout/sessions',
      afterProcessing: true,
      disconnect: true,
      times: 2,
    });
    const lost = await checkout(api, {
      items: TEES,
      quoteSignature: quoted.quoteSignature,
      email: 'Ann@Example.com',
    });
    expect(lost.status).toBe(502);
    stripe.faults.clear();
    const retried = await checkout(api, {
      items: TEES,
      quoteSignature: quoted.quoteSignature,
      email: 'ann@example.com',
    });
    expect(retried.status).toBe(201);
    expect(stripe.session(retried.body.sessionId)?.customer_email).toBe('ann@example.com');
  });

  it('refuses a cart id of the wrong shape with 400 and writes nothing', async () => {
    nextMinute();
    const api = await newApi();
    const quoted = await quote(api, TEES);
    const before = await scanTable(table, '');
    for (const cartId of ['short', 'x'.repeat(65), 'has spaces in it 123', 'ünïcödé-cart-id-00001']) {
      const result = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature, cartId });
      expect(result.status).toBe(400);
      expect(result.body.error.details[0].path).toBe('cartId');
    }
    expect(await scanTable(table, '')).toEqual(before);
  });
});

describe('webhook edge cases (problem 5)', () => {
  it('refuses a signed event whose session id is 5,000 characters long with 400 and writes nothing', async () => {
    const api = await newApi();
    const before = await scanTable(table, '');
    const event = makeSessionEvent(
      'checkout.session.completed',
      { id: `cs_test_${'a'.repeat(5_000)}`, object: 'checkout.session', payment_status: 'paid' },
      nowSeconds(),
    );
    const result = await deliver(api, event);
    expect(result.statusCode).toBe(400);
    expect(parse(result).error.code).toBe('validation_error');
    expect(await scanTable(table, '')).toEqual(before);
  });

  it('refuses ids of other shapes: an event id with a slash, a coupon id with a space', async () => {
    const api = await newApi();
    const badEvent = {
      ...makeSessionEvent('customer.created', { id: 'cus_1' }, nowSeconds()),
      id: 'evt_1/../x',
    };
    expect((await deliver(api, badEvent)).statusCode).toBe(400);
    const badCoupon = makeSessionEvent(
      'checkout.session.expired',
      { id: 'cs_test_couponshape', object: 'checkout.session', discounts: [{ coupon: 'bad coupon' }] },
      nowSeconds(),
    );
    expect((await deliver(api, badCoupon)).statusCode).toBe(400);
  });

  it('refuses a signature timestamped an hour in the future, like an old one', async () => {
    const api = await newApi();
    const event = makeSessionEvent(
      'customer.created',
      { id: 'cus_future', object: 'customer' },
      nowSeconds(),
    );
    const result = await deliver(api, event, nowSeconds() + 3_600);
    expect(result.statusCode).toBe(400);
    expect(parse(result).error.code).toBe('invalid_signature');
    // Within the tolerance (clock skew) it is accepted.
    expect((await deliver(api, event, nowSeconds() + 60)).statusCode).toBe(200);
  });

  it('records a paid amount that differs from the quote as an order flagged amount_mismatch, loudly', async () => {
    nextMinute();
    const api = await newApi();
    const quoted = await quote(api, TEES);
    const created = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature });
    const paid = stripe.completeSession(created.body.sessionId);
    const tampered = { ...paid, amount_total: (paid.amount_total ?? 0) - 500 };
    expect(
      (await deliver(api, makeSessionEvent('checkout.session.completed', tampered, nowSeconds()))).statusCode,
    ).toBe(200);
    const [order] = (await scanTable(table, PREFIXES.orders)).filter(
      (o) => o.sessionId === created.body.sessionId,
    );
    expect(order?.problems).toEqual(['amount_mismatch']);
    expect(order?.amountTotal).toBe(tampered.amount_total);
    expect(api.notifier.sent.find((o) => o.sessionId === created.body.sessionId)?.problems).toEqual([
      'amount_mismatch',
    ]);
    expect(api.telemetry.countOf('OrderAmountMismatch')).toBe(1);
    expect(
      api.telemetry.logs.some(
        (l) => l.level === 'error' && l.message.includes('paid amount differs from the quote'),
      ),
    ).toBe(true);
  });

  it('flags a paid currency that differs from the quote', async () => {
    nextMinute();
    const api = await newApi();
    const quoted = await quote(api, TEES);
    const created = await checkout(api, { items: TEES, quoteSignature: quoted.quoteSignature });
    const paid = { ...stripe.completeSession(created.body.sessionId), currency: 'eur' };
    await deliver(api, makeSessionEvent('checkout.session.completed', paid, nowSeconds()));
    const [order] = (await scanTable(table, PREFIXES.orders)).filter(
      (o) => o.sessionId === created.body.sessionId,
    );
    expect(order?.problems).toEqual(['amount_mismatch']);
  });
});

describe('session status after a failed async payment (problem 6)', () => {
  it('answers paymentStatus "failed", told apart from a pending transfer', async () => {
    nextMinute();
    const api = await newApi();
    const created = await checkout(api, {
      items: TEES,
      quoteSignature: (await quote(api, TEES)).quoteSignature,
    });
    const sessionId = created.body.sessionId;
    const status = async () =>
      parse(
        await api.status(
          makeProxyEvent({
            method: 'GET',
            path: '/checkout/session-status',
            query: { session_id: sessionId },
            headers,
          }),
        ),
      );
    stripe.completeSession(sessionId, { async: true });
    await deliverLatest(api, sessionId, 'checkout.session.completed');
    expect(await status()).toMatchObject({ status: 'complete', paymentStatus: 'unpaid' });
    stripe.settleAsyncPayment(sessionId, false);
    await deliverLatest(api, sessionId, 'checkout.session.async_payment_failed');
    expect(await status()).toMatchObject({ status: 'complete', paymentStatus: 'failed' });
  });
});
