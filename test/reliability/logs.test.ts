import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { SHOP } from '../support/commerce-harness';
import { startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator } from '../support/stripe';
import { makeSessionEvent, signedDelivery } from '../support/webhook';
import { makeLiveApi } from './harness';
import { capturedLogs, findLeaks, registerClientIps, registerSecrets } from './log-audit';

const CUSTOMER_EMAIL = 'jane.doe@example.com';
const CLIENT_IPS = ['198.51.100.77', '2001:db8::77'];

let table: TestTable;
let stripe: StripeEmulator;
beforeAll(async () => {
  table = await startTestTable('logs-test');
  stripe = await startTestEmulator();
  registerClientIps(...CLIENT_IPS);
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});

describe('log audit', () => {
  it('finds a planted secret, full email and client IP, and lets masked emails and loopback pass', () => {
    registerSecrets('planted-secret-value-0123456789');
    const leaks = findLeaks(
      [
        '{"message":"x","key":"planted-secret-value-0123456789"}',
        '{"email":"someone@example.org"}',
        '{"ip":"203.0.113.9"}',
        `{"ip":"${CLIENT_IPS[1]}"}`,
        '{"email":"j***@example.com","error":"connect ECONNREFUSED 127.0.0.1:1"}',
      ].join('\n'),
    );
    expect(leaks).toEqual([
      'secret plante…',
      'email someone@example.org',
      `client IP ${CLIENT_IPS[1]}`,
      'IP 203.0.113.9',
    ]);
  });

  it('finds no secret, full email or client IP in what every route logs, errors and refusals included', async () => {
    const api = await makeLiveApi({
      table,
      stripe,
      notifier: 'log',
      env: { RATE_LIMIT_QUOTE_PER_HOUR: '5' },
    });
    const broken = await makeLiveApi({
      table,
      stripe,
      notifier: 'log',
      env: {
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
        QUOTE_SIGNING_KEYS: String(api.env.QUOTE_SIGNING_KEYS),
      },
    });
    const start = capturedLogs().length;
    const headers = { 'Content-Type': 'application/json', Origin: SHOP };
    const items = [
      { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
      { sku: 'STICKER-HEART', quantity: 3 },
    ];
    const [ipv4, ipv6] = CLIENT_IPS as [string, string];

    // Quotes: fine, refused, a bot, over the limit, and with the table unreachable (fails open).
    const quoted = JSON.parse(
      (await api.quote(makeProxyEvent({ body: { items }, headers, sourceIp: ipv4 }))).body,
    );
    await api.quote(
      makeProxyEvent({ body: { items: [{ sku: 'NOPE-1', quantity: 1 }] }, headers, sourceIp: ipv4 }),
    );
    await api.quote(makeProxyEvent({ body: { items, website: 'spam' }, headers, sourceIp: ipv4 }));
    for (let i = 0; i < 6; i += 1)
      await api.quote(makeProxyEvent({ body: { items }, headers, sourceIp: ipv6 }));
    expect(
      (await broken.quote(makeProxyEvent({ body: { items }, headers, sourceIp: ipv4 }))).statusCode,
    ).toBe(200);

    // Checkout: a forged signature, Stripe down (502), Stripe refusing the coupon (fallback), fine.
    const checkout = (body: object) =>
      api.checkout(makeProxyEvent({ path: '/checkout/create-session', body, headers, sourceIp: ipv4 }));
    await checkout({ items, quoteSignature: 'qs2.t1.forged.forged', email: CUSTOMER_EMAIL });
    stripe.faults.add({ method: 'POST', path: '/v1/coupons', status: 500, times: 2 });
    expect(
      (await checkout({ items, quoteSignature: quoted.quoteSignature, email: CUSTOMER_EMAIL })).statusCode,
    ).toBe(502);
    stripe.faults.add({
      method: 'POST',
      path: '/v1/coupons',
      status: 400,
      error: { message: 'Coupon refused' },
    });
    const created = await checkout({ items, quoteSignature: quoted.quoteSignature, email: CUSTOMER_EMAIL });
    expect(created.statusCode).toBe(201);
    const { sessionId } = JSON.parse(created.body) as { sessionId: string };

    // Payment: the webhook (a bad signature, then the real event), the success page, a broken table.
    const paid = stripe.completeSession(sessionId, { email: CUSTOMER_EMAIL });
    const event = makeSessionEvent('checkout.session.completed', paid, Math.floor(Date.now() / 1000));
    const payload = JSON.stringify(event);
    await api.webhook(
      signedDelivery(payload, { timestamp: Math.floor(Date.now() / 1000), secret: 'whsec_wrong' }),
    );
    expect(
      (await broken.webhook(signedDelivery(payload, { timestamp: Math.floor(Date.now() / 1000) })))
        .statusCode,
    ).toBeGreaterThanOrEqual(500);
    expect(
      (await api.webhook(signedDelivery(payload, { timestamp: Math.floor(Date.now() / 1000) }))).statusCode,
    ).toBe(200);
    const status = makeProxyEvent({
      method: 'GET',
      path: '/checkout/session-status',
      query: { session_id: sessionId },
      headers: { Origin: SHOP },
      sourceIp: ipv6,
    });
    expect((await api.status(status)).statusCode).toBe(200);
    expect((await broken.status(status)).statusCode).toBeGreaterThanOrEqual(500);
    await api.catalog(
      makeProxyEvent({ method: 'GET', path: '/catalog', headers: { Origin: 'https://evil.example' } }),
    );

    const logs = capturedLogs().slice(start);
    // Every route logged, refusals and errors included (the audit saw the risky paths).
    for (const route of [
      'cart-quote',
      'checkout-create-session',
      'stripe-webhook',
      'checkout-session-status',
      'catalog',
    ]) {
      expect(logs).toContain(`"route":"${route}"`);
    }
    for (const message of [
      'rate limited',
      'honeypot field filled',
      'quote signature refused',
      'coupon refused by Stripe',
      'webhook signature refused',
      'order ready for fulfilment',
      'request failed',
    ]) {
      expect(logs).toContain(message);
    }
    expect(logs).toContain('"level":"ERROR"');
    expect(logs).toContain('j***@example.com');
    expect(findLeaks(logs)).toEqual([]);
  });
});
