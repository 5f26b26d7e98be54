import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { createDynamoSessionStore } from '../../src/adapters/dynamodb/session-store';
import { createDynamoStockStore } from '../../src/adapters/dynamodb/stock-store';
import type { TableClient } from '../../src/adapters/dynamodb/table-client';
import { keys, PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { checkoutSlotId } from '../../src/app/checkout-slot';
import type { Catalog } from '../../src/domain/catalog';
import { priceCart } from '../../src/domain/pricing';
import { buildSharedDeps, cartQuoteHandlerOf, checkoutHandlerOf } from '../../src/wiring';
import { loadSampleCatalog, makeCatalog } from '../support/catalog-factory';
import { couponOfSession } from '../support/coupons';
import { interceptTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeTestEnv } from '../support/env';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator, TEST_STRIPE_KEY } from '../support/stripe';
import { createRecordingTelemetry } from '../support/telemetry';

const SHOP = 'https://shop.example.com';
const START_MS = Date.UTC(2026, 10, 26, 15, 0, 0);

let table: TestTable;
let stripe: StripeEmulator;
const clock = { now: START_MS };

beforeAll(async () => {
  table = await startTestTable('checkout-test');
  stripe = await startTestEmulator({ now: () => clock.now });
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});
afterEach(() => {
  stripe.faults.clear();
});

// A discounted cart: 2 tees (10%) + 3 stickers (3 for $10).
const ITEMS = [
  { sku: 'TEE-CLASSIC-WHT-M', quantity: 2 },
  { sku: 'STICKER-HEART', quantity: 3 },
];

const signingKeys = `t1:${Buffer.alloc(32, 7).toString('base64')}`;

async function makeApi(
  options: { catalog?: Catalog; env?: Record<string, string>; tableClient?: TableClient } = {},
) {
  const telemetry = createRecordingTelemetry();
  const env = makeTestEnv(table, {
    QUOTE_SIGNING_KEYS: signingKeys,
    STRIPE_SECRET_KEY: TEST_STRIPE_KEY,
    STRIPE_API_BASE: stripe.url,
    CHECKOUT_SUCCESS_URL: 'https://shop.example.com/checkout/success?session_id={CHECKOUT_SESSION_ID}',
    CHECKOUT_CANCEL_URL: 'https://shop.example.com/cart',
    ...options.env,
  });
  const shared = await buildSharedDeps(env, {
    telemetry,
    now: () => clock.now,
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.tableClient ? { tableClient: options.tableClient } : {}),
  });
  return { quote: cartQuoteHandlerOf(shared), checkout: await checkoutHandlerOf(shared), telemetry };
}

const post = (body: unknown, sourceIp = '203.0.113.50') =>
  makeProxyEvent({
    path: '/checkout/create-session',
    body,
    sourceIp,
    headers: { 'Content-Type': 'application/json', Origin: SHOP },
  });

function parse(result: APIGatewayProxyResult) {
  return JSON.parse(result.body) as Record<string, any>;
}

async function tableItems(prefix: string) {
  const { Items } = await table.sdk.send(new ScanCommand({ TableName: table.tableName }));
  return (Items ?? []).filter((item) => String(item.PK).startsWith(prefix));
}

async function quoteFor(api: Awaited<ReturnType<typeof makeApi>>, items: typeof ITEMS) {
  const result = await api.quote(
    makeProxyEvent({ body: { items }, headers: { 'Content-Type': 'application/json', Origin: SHOP } }),
  );
  expect(result.statusCode).toBe(200);
  return parse(result);
}

describe('POST /checkout/create-session', () => {
  it('creates a Stripe session whose total is the quoted total, with a one-time coupon', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    const quoted = await quoteFor(api, ITEMS);
    const result = await api.checkout(
      post({ items: ITEMS, quoteSignature: quoted.quoteSignature, email: 'jane.doe@example.com' }),
    );
    expect(result.statusCode).toBe(201);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(SHOP);
    const body = parse(result);
    expect(body.quoteSignature).toBe(quoted.quoteSignature);
    expect(body.checkoutUrl).toContain(body.sessionId);

    const session = stripe.session(body.sessionId);
    expect(session?.amount_total).toBe(quoted.quote.total);
    expect(session?.amount_subtotal).toBe(quoted.quote.subtotal);
    expect(session?.total_details?.amount_discount).toBe(quoted.quote.discount);
    expect(session?.customer_email).toBe('jane.doe@example.com');
    expect(session?.metadata).toMatchObject({
      quoteSignature: quoted.quoteSignature,
      cartHash: quoted.quote.cartHash,
    });
    // An hour after the quote expires (the quote was issued at this clock, for 600 s).
    expect(session?.expires_at).toBe(Math.floor(clock.now / 1000) + 600 + 3_600);

    const couponId = String(couponOfSession(stripe, body.sessionId));
    const coupon = stripe.coupon(couponId);
    expect(coupon).toMatchObject({ amount_off: quoted.quote.discount, duration: 'once', max_redemptions: 1 });
    expect(coupon?.redeem_by).toBeGreaterThan(session?.expires_at ?? 0);

    const record = (await tableItems(`${PREFIXES.session}${body.sessionId}`))[0];
    expect(record).toMatchObject({
      status: 'open',
      discountMode: 'coupon',
      amountTotal: quoted.quote.total,
      emailMasked: 'j***@example.com',
    });
    expect(JSON.stringify(record)).not.toContain('jane.doe');
    expect(await tableItems(`${PREFIXES.coupon}${couponId}`)).toHaveLength(1);
    // The quote's checkout slot holds the session (no cart id was sent).
    const slots = (await tableItems(`${PREFIXES.checkout}quote#`)).filter(
      (i) => i.sessionId === body.sessionId,
    );
    expect(slots).toMatchObject([{ status: 'open', attempt: 1, quoteSignature: quoted.quoteSignature }]);
    expect(slots[0]?.leaseToken).toBeUndefined();
    expect(api.telemetry.logs.some((l) => l.message.startsWith('order notification'))).toBe(true);
    expect(JSON.stringify(api.telemetry.logs)).not.toContain('jane.doe@example.com');
  });

  it('makes exactly one session and one coupon for 10 concurrent clicks on one quote', async () => {
    clock.now += 3_600_000;
    const api = await makeApi({ env: { RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_HOUR: '50' } });
    const items = [{ sku: 'TEE-RINGER-RED-M', quantity: 4 }];
    const quoted = await quoteFor(api, items);
    const sessionsBefore = stripe.state().sessions.length;
    const couponsBefore = stripe.state().coupons.length;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.checkout(post({ items, quoteSignature: quoted.quoteSignature }, `198.51.100.${i + 1}`)),
      ),
    );
    expect(results.map((r) => r.statusCode).every((s) => s === 200 || s === 201)).toBe(true);
    expect(new Set(results.map((r) => parse(r).sessionId)).size).toBe(1);
    expect(stripe.state().sessions.length - sessionsBefore).toBe(1);
    expect(stripe.state().coupons.length - couponsBefore).toBe(1);
    const sessionId = parse(results[0] as APIGatewayProxyResult).sessionId;
    expect(await tableItems(`${PREFIXES.session}${sessionId}`)).toHaveLength(1);
  });

  it('makes one session and one coupon for clicks either side of a second, and a session that outlives the quote', async () => {
    clock.now += 3_600_000;
    const api = await makeApi({ env: { RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_HOUR: '50' } });
    const items = [{ sku: 'TEE-RINGER-RED-M', quantity: 2 }];
    const quoted = await quoteFor(api, items);
    const sessionsBefore = stripe.state().sessions.length;
    const couponsBefore = stripe.state().coupons.length;
    // Each click arrives 700 ms after the one before, all before any has recorded its session: the
    // Stripe requests of one quote must be the same whatever second each click arrived in.
    const clicks: Promise<APIGatewayProxyResult>[] = [];
    for (let i = 0; i < 4; i += 1) {
      clicks.push(
        api.checkout(post({ items, quoteSignature: quoted.quoteSignature }, `198.51.100.${i + 20}`)),
      );
      clock.now += 700;
    }
    const results = await Promise.all(clicks);
    expect(results.map((r) => r.statusCode).every((s) => s === 200 || s === 201)).toBe(true);
    expect(new Set(results.map((r) => parse(r).sessionId)).size).toBe(1);
    const created = stripe.state().sessions.slice(sessionsBefore);
    expect(created).toHaveLength(1);
    expect(stripe.state().coupons.length - couponsBefore).toBe(1);
    expect(created[0]?.session.metadata?.discountMode).toBe('coupon');
    expect(api.telemetry.logs.filter((l) => l.message.includes('falling back'))).toEqual([]);
    // The session lasts the configured hour from the quote's expiry.
    expect(created[0]?.session.expires_at).toBe(Date.parse(quoted.expiresAt) / 1000 + 3_600);
  });

  it('returns the same session to a second click while it is open', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    const items = [{ sku: 'BEANIE-PNK', quantity: 1 }];
    const quoted = await quoteFor(api, items);
    const first = await api.checkout(post({ items, quoteSignature: quoted.quoteSignature }));
    const second = await api.checkout(post({ items, quoteSignature: quoted.quoteSignature }));
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(parse(second)).toEqual(parse(first));
  });

  it('refuses items that differ from the signed cart, and a forged signature, without writing', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    const quoted = await quoteFor(api, ITEMS);
    const before = (await table.sdk.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' })))
      .Count;
    const tampered = await api.checkout(
      post({
        items: [
          { sku: 'TEE-CLASSIC-WHT-M', quantity: 3 },
          { sku: 'STICKER-HEART', quantity: 3 },
        ],
        quoteSignature: quoted.quoteSignature,
      }),
    );
    expect(tampered.statusCode).toBe(422);
    expect(parse(tampered).error).toEqual({
      code: 'quote_mismatch',
      message: 'The items do not match the signed quote; request a new quote.',
    });
    // A forged or garbage signature is told so, under the same stable code.
    const sig = String(quoted.quoteSignature);
    const forged = `${sig.slice(0, -3)}${sig.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    for (const quoteSignature of [forged, 'not-a-signature']) {
      const result = await api.checkout(post({ items: ITEMS, quoteSignature }));
      expect(result.statusCode).toBe(422);
      expect(parse(result).error).toEqual({
        code: 'quote_mismatch',
        message: 'The quote signature is not valid; request a new quote.',
      });
    }
    const after = (await table.sdk.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' })))
      .Count;
    expect(after).toBe(before);
  });

  it('answers 409 quote_outdated with the new quote when a price changed', async () => {
    clock.now += 3_600_000;
    const items = [{ sku: 'CAP-DAD-BLK', quantity: 2 }];
    const quoted = await quoteFor(await makeApi(), items);
    const repriced = await makeApi({
      catalog: makeCatalog({ version: 'price-rise', prices: { 'CAP-DAD-BLK': 3000 } }),
    });
    const result = await repriced.checkout(post({ items, quoteSignature: quoted.quoteSignature }));
    expect(result.statusCode).toBe(409);
    const body = parse(result);
    expect(body.error.code).toBe('quote_outdated');
    expect(body.quote.total).toBe(6000);
    expect(body.quoteSignature).not.toBe(quoted.quoteSignature);
    const retry = await repriced.checkout(post({ items, quoteSignature: body.quoteSignature }));
    expect(retry.statusCode).toBe(201);
  });

  it('re-signs an expired quote whose price is unchanged and proceeds', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    const items = [{ sku: 'SOCKS-CREW-WHT', quantity: 3 }];
    const quoted = await quoteFor(api, items);
    clock.now += 11 * 60_000;
    const result = await api.checkout(post({ items, quoteSignature: quoted.quoteSignature }));
    expect(result.statusCode).toBe(201);
    const body = parse(result);
    expect(body.quoteSignature).not.toBe(quoted.quoteSignature);
    expect(stripe.session(body.sessionId)?.metadata?.quoteSignature).toBe(body.quoteSignature);
  });

  it('caches a re-issued quote with its hints, so the storefront still sees them', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    // One tee: the tiered bundle hints at a second.
    const items = [{ sku: 'TEE-CLASSIC-WHT-M', quantity: 1 }];
    const quoted = await quoteFor(api, items);
    expect(quoted.quote.hints.length).toBeGreaterThan(0);
    clock.now += 11 * 60_000;
    const checkout = await api.checkout(post({ items, quoteSignature: quoted.quoteSignature }));
    expect(checkout.statusCode).toBe(201);
    const reissued = parse(checkout).quoteSignature;
    expect(reissued).not.toBe(quoted.quoteSignature);
    // The cart is quoted again: the cache answers with the re-issued pricing, hints and all.
    const again = await quoteFor(api, items);
    expect(again.quote.hints).toEqual(quoted.quote.hints);
    expect(api.telemetry.countOf('QuoteCacheHit')).toBe(1);
  });

  it('falls back to discounted line prices when Stripe refuses the coupon (inline mode)', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    // 3 tees at 10% off and 3 star stickers for $10: the stickers' $10.00 does not divide by 3.
    const items = [
      { sku: 'TEE-LOGO-PNK-M', quantity: 3 },
      { sku: 'STICKER-STAR', quantity: 3 },
    ];
    const quoted = await quoteFor(api, items);
    stripe.faults.add({
      method: 'POST',
      path: '/v1/coupons',
      status: 400,
      error: { code: 'parameter_invalid_integer', message: 'coupon refused' },
    });
    const result = await api.checkout(post({ items, quoteSignature: quoted.quoteSignature }));
    expect(result.statusCode).toBe(201);
    const session = stripe.session(parse(result).sessionId);
    expect(session?.amount_total).toBe(quoted.quote.total);
    expect(session?.total_details?.amount_discount).toBe(0);
    expect(session?.discounts ?? []).toEqual([]);
    const snapshot = stripe.state().sessions.find((s) => s.session.id === session?.id);
    const stickers = (snapshot?.lineItems ?? [])
      .filter((l) => l.description === 'Star Sticker')
      .map((l) => [l.quantity, l.price.unit_amount]);
    expect(stickers).toEqual([
      [2, 333],
      [1, 334],
    ]);
    expect(api.telemetry.countOf('CouponFallback')).toBe(1);
    const record = (await tableItems(`${PREFIXES.session}${session?.id}`))[0];
    expect(record).toMatchObject({ discountMode: 'inline', couponId: null });
  });

  it('falls back to an undiscounted session in none mode', async () => {
    clock.now += 3_600_000;
    const api = await makeApi({ env: { COUPON_FALLBACK: 'none' } });
    const quoted = await quoteFor(api, ITEMS);
    stripe.faults.add({ method: 'POST', path: '/v1/coupons', status: 400 });
    const result = await api.checkout(post({ items: ITEMS, quoteSignature: quoted.quoteSignature }));
    expect(result.statusCode).toBe(201);
    expect(stripe.session(parse(result).sessionId)?.amount_total).toBe(quoted.quote.subtotal);
    expect(api.telemetry.countOf('CouponFallback')).toBe(1);
  });

  it('answers 502 when Stripe fails, leaves no session record, and a retry completes it once', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    const quoted = await quoteFor(api, ITEMS);
    stripe.faults.add({ method: 'POST', path: '/v1/checkout/sessions', status: 500, times: 2 });
    const failed = await api.checkout(post({ items: ITEMS, quoteSignature: quoted.quoteSignature }));
    expect(failed.statusCode).toBe(502);
    expect(parse(failed).error).toEqual({
      code: 'payment_provider_error',
      message: 'The payment provider is not answering; please try again.',
    });
    const history = (await tableItems(`QUOTE#${quoted.quoteSignature}`)).filter((i) =>
      String(i.SK).startsWith(PREFIXES.session),
    );
    expect(history).toHaveLength(0);
    const sessionsBefore = stripe.state().sessions.length;
    const retried = await api.checkout(post({ items: ITEMS, quoteSignature: quoted.quoteSignature }));
    expect(retried.statusCode).toBe(201);
    expect(stripe.state().sessions.length - sessionsBefore).toBe(1);
  });

  it('recovers when Stripe created the session but the answer was lost (timeout)', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    const quoted = await quoteFor(api, ITEMS);
    const sessionsBefore = stripe.state().sessions.length;
    stripe.faults.add({
      method: 'POST',
      path: '/v1/checkout/sessions',
      afterProcessing: true,
      disconnect: true,
      times: 2,
    });
    const failed = await api.checkout(post({ items: ITEMS, quoteSignature: quoted.quoteSignature }));
    expect(failed.statusCode).toBe(502);
    const retried = await api.checkout(post({ items: ITEMS, quoteSignature: quoted.quoteSignature }));
    expect(retried.statusCode).toBe(201);
    expect(stripe.state().sessions.length - sessionsBefore).toBe(1);
  });

  it('answers a cart busy in another request with 409 checkout_in_progress even when a look at it fails while waiting', async () => {
    const cartId = 'busy-cart-with-a-flaky-table';
    const slotId = checkoutSlotId(cartId, '');
    const slotPk = String(keys.checkoutSlot(slotId).PK);
    // Another request holds the cart's lease (its checkout under way).
    const now = Math.floor(clock.now / 1000);
    expect(
      await createDynamoSessionStore(table).claimSlot(slotId, {
        expectedAttempt: null,
        token: 'another-request',
        until: now + 60,
        now,
      }),
    ).toBe(true);
    // Every look at the slot after the first fails, as a network or DynamoDB may.
    let looks = 0;
    const flaky = interceptTable(table.client, async ({ operation, input }, proceed) => {
      const key = input.Key as { PK?: unknown } | undefined;
      if (operation !== 'get' || key?.PK !== slotPk) return proceed();
      looks += 1;
      if (looks > 1) throw Object.assign(new Error('injected: request lost'), { name: 'NetworkingError' });
      return proceed();
    });
    const api = await makeApi({ tableClient: flaky });
    const quote = await quoteFor(api, ITEMS);
    const result = await api.checkout(
      post({ items: ITEMS, quoteSignature: quote.quoteSignature, email: 'busy@example.com', cartId }),
    );
    expect(result.statusCode).toBe(409);
    expect(parse(result).error.code).toBe('checkout_in_progress');
    expect(looks).toBeGreaterThan(1);
    expect(
      api.telemetry.logs.some((l) => l.message === 'checkout slot read failed while waiting; waiting on'),
    ).toBe(true);
  }, 20_000);

  it('rate-limits checkouts per quote signature', async () => {
    clock.now += 3_600_000;
    const api = await makeApi({ env: { RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_HOUR: '2' } });
    const items = [{ sku: 'TOTE-CANVAS', quantity: 1 }];
    const quoted = await quoteFor(api, items);
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push(
        (await api.checkout(post({ items, quoteSignature: quoted.quoteSignature }, `192.0.2.${i + 1}`)))
          .statusCode,
      );
    expect(statuses).toEqual([201, 200, 429]);
  });

  it('validates email and the honeypot', async () => {
    const api = await makeApi();
    const bad = await api.checkout(post({ items: ITEMS, quoteSignature: 'x', email: 'not-an-email' }));
    expect(parse(bad).error.code).toBe('validation_error');
    const bot = await api.checkout(post({ items: ITEMS, quoteSignature: 'x', website: 'spam' }));
    expect(parse(bot).error.code).toBe('honeypot');
  });

  it.each([
    ['a NUL character', 'jane@example.com\u0000'],
    ['a control character inside', 'ja\u0007ne@example.com'],
    ['a bidirectional override', 'jane@\u202Eexample.com'],
  ])('refuses an email with %s before calling Stripe', async (_name, email) => {
    const api = await makeApi();
    const sessionsBefore = stripe.state().sessions.length;
    const result = await api.checkout(post({ items: ITEMS, quoteSignature: 'x', email }));
    expect(result.statusCode).toBe(400);
    expect(parse(result).error.code).toBe('validation_error');
    expect(stripe.state().sessions).toHaveLength(sessionsBefore);
  });

  it('charges exactly the priced total for every sample bundle combination it is given', async () => {
    clock.now += 3_600_000;
    const api = await makeApi();
    // The logo hoodie's stock is tracked: one on the shelf for this cart.
    await createDynamoStockStore(table).setOnHand('HOODIE-LOGO-BLK-M', 1, Math.floor(clock.now / 1000));
    const carts = [
      [
        { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
        { sku: 'SWEAT-JOGGER-GRY-M', quantity: 1 },
      ],
      [
        { sku: 'TEE-CLASSIC-BLK-M', quantity: 1 },
        { sku: 'CAP-DAD-BLK', quantity: 1 },
        { sku: 'STICKER-LOGO', quantity: 1 },
      ],
      [{ sku: 'STICKER-CHERRY', quantity: 7 }],
    ];
    for (const items of carts) {
      const quoted = await quoteFor(api, items);
      expect(quoted.quote.total).toBe(priceCart(loadSampleCatalog(), items).total);
      const result = await api.checkout(
        post({ items, quoteSignature: quoted.quoteSignature }, '192.0.2.200'),
      );
      expect(stripe.session(parse(result).sessionId)?.amount_total).toBe(quoted.quote.total);
    }
  });
});
