import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { createDynamoOrderLifeStore } from '../../src/adapters/dynamodb/order-life-store';
import { createStripeRefunds } from '../../src/adapters/stripe/refunds';
import { executeRefund, matchesFilter, planRefund, shipOrder } from '../../src/app/order-fulfilment';
import { type CommerceApi, makeCommerceApi } from '../support/commerce-harness';
import { startTestTable, type TestTable } from '../support/dynamo';
import { startTestEmulator, TEST_STRIPE_KEY } from '../support/stripe';
import { webhookSuiteHelpers } from '../support/webhook-suite';

let table: TestTable;
let stripe: StripeEmulator;
let sdk: Stripe;
const clock = { now: Date.UTC(2026, 10, 28, 9, 0, 0) };

beforeAll(async () => {
  table = await startTestTable('order-fulfilment');
  stripe = await startTestEmulator({ now: () => clock.now });
  sdk = new Stripe(TEST_STRIPE_KEY, { ...stripe.sdkOptions(), maxNetworkRetries: 0 });
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});

const { nowSeconds, nextCart, deliver } = webhookSuiteHelpers({ table: () => table, clock });

async function deliverNew(api: CommerceApi, from: number) {
  for (const record of stripe.events().slice(from)) {
    expect((await deliver(api, record.event)).statusCode).toBe(200);
  }
}

async function paidOrder(api: CommerceApi): Promise<string> {
  const { sessionId } = await api.buy(nextCart());
  const from = stripe.events().length;
  stripe.completeSession(sessionId);
  await deliverNew(api, from);
  return sessionId;
}

describe('fulfilment after payment, with operators at once', () => {
  it('ships an order once when several operators ship it together: one shipment, one confirmation', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const sessionId = await paidOrder(api);
    const deps = { orders: createDynamoOrderLifeStore(table), mail: api.mail, telemetry: api.telemetry };
    const input = { carrier: 'usps', tracking: '9400111899223344556677', force: false };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => shipOrder(deps, sessionId, input, nowSeconds())),
    );
    expect(results.map((r) => r.result).sort()).toEqual([
      'shipped',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(api.mail.shipped.map((n) => [n.order.sessionId, n.shipment.version])).toEqual([[sessionId, 1]]);
    expect(api.mail.shipped[0]?.trackingUrl).toBe(
      'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223344556677',
    );

    // Two corrections at once: each becomes its own shipment version; the customer is told the
    // latest tracking once (a version already superseded when its mail is due is not sent).
    const corrections = await Promise.all(
      ['1Z999AA10123456784', '1Z999AA10123456785'].map((tracking) =>
        shipOrder(deps, sessionId, { carrier: 'ups', tracking, force: false }, nowSeconds()),
      ),
    );
    expect(corrections.map((r) => r.result)).toEqual(['updated', 'updated']);
    const versions = api.mail.shipped.map((n) => n.shipment.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions[0]).toBe(1);
    expect(versions.at(-1)).toBe(3);
    const final = await deps.orders.findOrder(sessionId);
    expect(api.mail.shipped.at(-1)?.shipment.tracking).toBe(final?.shipment?.tracking);
  });

  it('keeps the tracking when a correction names only the carrier, and the carrier when it names only the tracking', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const sessionId = await paidOrder(api);
    const deps = { orders: createDynamoOrderLifeStore(table), mail: api.mail, telemetry: api.telemetry };
    const ship = (carrier: string | null, tracking: string | null) =>
      shipOrder(deps, sessionId, { carrier, tracking, force: false }, nowSeconds());
    expect((await ship('usps', '1Z999AA10123456784')).result).toBe('shipped');
    expect((await ship('ups', null)).result).toBe('updated');
    expect((await deps.orders.findOrder(sessionId))?.shipment).toMatchObject({
      carrier: 'ups',
      tracking: '1Z999AA10123456784',
    });
    expect((await ship(null, '1Z999AA10123456785')).result).toBe('updated');
    expect((await ship(null, '1Z999AA10123456785')).result).toBe('unchanged');
    expect((await deps.orders.findOrder(sessionId))?.shipment).toMatchObject({
      carrier: 'ups',
      tracking: '1Z999AA10123456785',
      version: 3,
    });
    // Every customer mail named a tracking number.
    const mails = api.mail.shipped.filter((n) => n.order.sessionId === sessionId);
    expect(mails.map((n) => n.shipment.tracking)).toEqual([
      '1Z999AA10123456784',
      '1Z999AA10123456784',
      '1Z999AA10123456785',
    ]);
  });

  it('never ships past a refund recorded between the look and the write', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const sessionId = await paidOrder(api);
    const store = createDynamoOrderLifeStore(table);
    const life = await store.findOrder(sessionId);
    const from = stripe.events().length;
    clock.now += 2_000;
    await sdk.refunds.create({ payment_intent: String(life?.order.paymentIntentId), amount: 100 });
    await deliverNew(api, from);
    // The look said paid; the write sees the refund.
    const ref = { sessionId, paidAt: String(life?.order.paidAt) };
    expect(
      await store.markShipped(ref, { carrier: null, tracking: null }, { force: false, now: nowSeconds() }),
    ).toEqual({
      result: 'refused',
      state: 'partially_refunded',
    });
    expect((await store.getOrder(ref))?.shipment).toBeNull();
  });

  it('keeps a refunded order out of the queue and unshippable after a dispute about it is won', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const refundedInFull = await paidOrder(api);
    const refundedInPart = await paidOrder(api);
    const store = createDynamoOrderLifeStore(table);
    const deps = { orders: store, mail: api.mail, telemetry: api.telemetry };
    const from = stripe.events().length;
    for (const [sessionId, amount] of [
      [refundedInFull, undefined],
      [refundedInPart, 700],
    ] as const) {
      const paymentIntent = String((await store.findOrder(sessionId))?.order.paymentIntentId);
      clock.now += 2_000;
      await sdk.refunds.create({ payment_intent: paymentIntent, ...(amount ? { amount } : {}) });
      clock.now += 2_000;
      const dispute = stripe.openDispute(paymentIntent, { reason: 'credit_not_processed' });
      clock.now += 2_000;
      stripe.closeDispute(dispute.id, 'won');
    }
    await deliverNew(api, from);
    for (const [sessionId, state] of [
      [refundedInFull, 'refunded'],
      [refundedInPart, 'partially_refunded'],
    ] as const) {
      const life = await store.findOrder(sessionId);
      expect(life?.payment).toMatchObject({ state, dispute: { status: 'won' } });
      if (!life) continue;
      expect(matchesFilter(life, 'queue')).toBe(state === 'partially_refunded');
      expect(matchesFilter(life, 'disputed')).toBe(true);
      expect(
        await shipOrder(deps, sessionId, { carrier: null, tracking: null, force: false }, nowSeconds()),
      ).toMatchObject({
        result: 'refused',
        state,
      });
    }
  });

  it('refunds once when the same refund is run several times at once, and a returning shopper’s next order is its own', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const sessionId = await paidOrder(api);
    const deps = { orders: createDynamoOrderLifeStore(table), refunds: createStripeRefunds(sdk) };
    const done = await Promise.all(
      Array.from({ length: 5 }, async () =>
        executeRefund(deps, await planRefund(deps, sessionId, 1500), null),
      ),
    );
    expect(new Set(done.map((r) => r.id)).size).toBe(1);
    const paymentIntent = String((await deps.orders.findOrder(sessionId))?.order.paymentIntentId);
    expect(stripe.chargeOfPaymentIntent(paymentIntent)?.amount_refunded).toBe(1500);

    // The same shopper buys again: a new payment, untouched by the first order's refund.
    const again = await paidOrder(api);
    const second = await deps.orders.findOrder(again);
    expect(second?.order.paymentIntentId).not.toBe(paymentIntent);
    expect(second?.payment).toBeNull();
    await expect(planRefund(deps, again, null)).resolves.toMatchObject({ amount: second?.order.amountTotal });
  });
});
