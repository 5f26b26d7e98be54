import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { formatOrderText } from '../../src/adapters/notify/order-text';
import { disableCode } from '../../src/ops/codes';
import { storeCode, testCode } from '../support/codes';
import { type CommerceApi, makeCommerceApi, SHOP } from '../support/commerce-harness';
import { scanTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator } from '../support/stripe';
import { makeSessionEvent, signedDelivery } from '../support/webhook';

/*
 * Checkout of a quote with a discount code: Stripe gets one coupon for bundles and code together,
 * named after the code; a code that stopped applying since the quote answers 409 code_unavailable
 * with the cart priced without it; the paid order and its notification name the code.
 */

let table: TestTable;
let stripe: StripeEmulator;
const clock = { now: Date.UTC(2026, 10, 28, 9, 0, 0) };
const nowSeconds = () => Math.floor(clock.now / 1000);

beforeAll(async () => {
  table = await startTestTable('checkout-codes-test');
  stripe = await startTestEmulator({ now: () => clock.now });
  await storeCode(table, testCode('BABES10'), nowSeconds());
  await storeCode(
    table,
    testCode('SOLO15', { combination: 'best_of', discount: { kind: 'percent', percentOff: 15 } }),
    nowSeconds(),
  );
  await storeCode(table, testCode('ONEEACH', { limitPerEmail: 1 }), nowSeconds());
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});
afterEach(() => stripe.faults.clear());

const TWO_TEES = [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }];
const headers = { 'Content-Type': 'application/json', Origin: SHOP };
const parse = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Record<string, any>;

async function quote(api: CommerceApi, items: typeof TWO_TEES, code?: string) {
  const result = await api.quote(makeProxyEvent({ body: code ? { items, code } : { items }, headers }));
  expect(result.statusCode).toBe(200);
  return parse(result);
}

function checkout(api: CommerceApi, body: Record<string, unknown>) {
  return api.checkout(makeProxyEvent({ path: '/checkout/create-session', body, headers }));
}

describe('checkout with a discount code', () => {
  it('charges bundles and code as one coupon named after the code', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const quoted = await quote(api, TWO_TEES, 'babes10');
    const result = await checkout(api, { items: TWO_TEES, quoteSignature: quoted.quoteSignature });
    expect(result.statusCode).toBe(201);
    const { sessionId } = parse(result);
    const session = stripe.session(sessionId);
    // $64.00 − $6.40 (Tee stack) − $5.76 (10% of the rest).
    expect(session?.amount_total).toBe(5_184);
    expect(session?.total_details?.amount_discount).toBe(1_216);
    expect(session?.metadata).toMatchObject({ code: 'BABES10' });
    const couponId = String(session?.discounts?.[0]?.coupon);
    expect(stripe.coupon(couponId)).toMatchObject({ amount_off: 1_216, name: 'BABES10 + Tee stack' });
    const [record] = await scanTable(table, `${PREFIXES.session}${sessionId}`);
    expect(record).toMatchObject({
      code: 'BABES10',
      codeDiscount: 576,
      amountDiscount: 1_216,
      amountTotal: 5_184,
    });
  });

  it('takes a best-of code instead of the bundles when it saves more', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const quoted = await quote(api, TWO_TEES, 'SOLO15');
    expect(quoted.quote.appliedBundles).toEqual([]);
    const result = await checkout(api, { items: TWO_TEES, quoteSignature: quoted.quoteSignature });
    const session = stripe.session(parse(result).sessionId);
    expect(session?.amount_total).toBe(6_400 - 960);
    expect(stripe.coupon(String(session?.discounts?.[0]?.coupon))?.name).toBe('Code SOLO15');
  });

  it('answers 409 code_unavailable with the cart priced without a code disabled since the quote', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(
      table,
      testCode('GONE20', { discount: { kind: 'percent', percentOff: 20 } }),
      nowSeconds(),
    );
    const quoted = await quote(api, TWO_TEES, 'GONE20');
    expect(quoted.quote.code.status).toBe('applied');
    await disableCode(table, 'gone20', nowSeconds());
    const sessionsBefore = stripe.state().sessions.length;

    const refused = await checkout(api, { items: TWO_TEES, quoteSignature: quoted.quoteSignature });
    expect(refused.statusCode).toBe(409);
    const body = parse(refused);
    expect(body.error.code).toBe('code_unavailable');
    expect(body.error.message).toContain('GONE20');
    expect(body.discountCode).toMatchObject({ code: 'GONE20', status: 'expired', discount: 0 });
    // The same cart without the code, signed as an ordinary quote, ready to check out.
    expect(body.quote.total).toBe(6_400 - 640);
    expect(body.quote.code).toBeUndefined();
    expect(String(body.quoteSignature).startsWith('qs2.')).toBe(true);
    expect(stripe.state().sessions.length).toBe(sessionsBefore);
    const retried = await checkout(api, { items: TWO_TEES, quoteSignature: body.quoteSignature });
    expect(retried.statusCode).toBe(201);
    expect(stripe.session(parse(retried).sessionId)?.amount_total).toBe(5_760);
  });

  it('answers 409 code_unavailable for a code that ended between quote and checkout', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('LASTMINUTE', { endsAt: nowSeconds() + 120 }), nowSeconds());
    const quoted = await quote(api, TWO_TEES, 'LASTMINUTE');
    clock.now += 180_000;
    const refused = await checkout(api, { items: TWO_TEES, quoteSignature: quoted.quoteSignature });
    expect(refused.statusCode).toBe(409);
    expect(parse(refused).discountCode).toMatchObject({
      status: 'expired',
      message: 'This code has expired.',
    });
  });

  it('asks for the email of a code counted per email, before anything is made', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const quoted = await quote(api, TWO_TEES, 'ONEEACH');
    const sessionsBefore = stripe.state().sessions.length;
    const refused = await checkout(api, { items: TWO_TEES, quoteSignature: quoted.quoteSignature });
    expect(refused.statusCode).toBe(422);
    expect(parse(refused).error).toMatchObject({
      code: 'email_required',
      details: [{ path: 'email', message: 'Enter your email address to use the code ONEEACH.' }],
    });
    expect(stripe.state().sessions.length).toBe(sessionsBefore);
    const ok = await checkout(api, {
      items: TWO_TEES,
      quoteSignature: quoted.quoteSignature,
      email: 'once@example.com',
    });
    expect(ok.statusCode).toBe(201);
  });

  it('puts the code on the paid order and in the operator’s notification', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(TWO_TEES, '203.0.113.78', { code: 'BABES10' });
    const paid = stripe.completeSession(sessionId);
    const delivery = signedDelivery(
      JSON.stringify(makeSessionEvent('checkout.session.completed', paid, nowSeconds())),
      {
        timestamp: nowSeconds(),
      },
    );
    expect((await api.webhook(delivery)).statusCode).toBe(200);
    const orders = (await scanTable(table, PREFIXES.orders)).filter((o) => o.sessionId === sessionId);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ code: 'BABES10', codeDiscount: 576, amountDiscount: 1_216 });
    const sent = api.notifier.sent.find((order) => order.sessionId === sessionId);
    if (!sent) throw new Error('the operator was not notified');
    expect(sent).toMatchObject({ code: 'BABES10', codeDiscount: 576 });
    const text = formatOrderText(sent);
    expect(text).toContain('Bundle discount: -$6.40');
    expect(text).toContain('Code BABES10: -$5.76');
  });
});
