import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventObject, StripeEmulator } from '../../local/stripe-emulator';
import { createDynamoOrderLifeStore } from '../../src/adapters/dynamodb/order-life-store';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import type { OrderLife } from '../../src/app/order-life-ports';
import { type CommerceApi, makeCommerceApi } from '../support/commerce-harness';
import { startTestTable, type TestTable } from '../support/dynamo';
import { startTestEmulator, TEST_STRIPE_KEY } from '../support/stripe';
import { makeSessionEvent } from '../support/webhook';
import { webhookSuiteHelpers } from '../support/webhook-suite';

let table: TestTable;
let stripe: StripeEmulator;
let sdk: Stripe;
const clock = { now: Date.UTC(2026, 10, 27, 9, 0, 0) };

beforeAll(async () => {
  table = await startTestTable('order-life-webhook');
  stripe = await startTestEmulator({ now: () => clock.now });
  sdk = new Stripe(TEST_STRIPE_KEY, { ...stripe.sdkOptions(), maxNetworkRetries: 0 });
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});

const { nowSeconds, nextCart, parse, deliver, scan } = webhookSuiteHelpers({ table: () => table, clock });

/** Events the emulator sent since `from` (an index into its event log). */
function eventsSince(from: number): EventObject[] {
  return stripe
    .events()
    .slice(from)
    .map((record) => record.event);
}

async function deliverAll(api: CommerceApi, events: readonly object[]): Promise<string[]> {
  const results: string[] = [];
  for (const event of events) {
    const answer = await deliver(api, event);
    expect(answer.statusCode).toBe(200);
    results.push(String(parse(answer).result));
  }
  return results;
}

/** A paid order: bought, paid at the emulator, its completed event delivered. */
async function paidOrder(
  api: CommerceApi,
): Promise<{ sessionId: string; paymentIntentId: string; total: number }> {
  const { sessionId } = await api.buy(nextCart());
  const from = stripe.events().length;
  const paid = stripe.completeSession(sessionId);
  await deliverAll(api, eventsSince(from));
  return { sessionId, paymentIntentId: String(paid.payment_intent), total: Number(paid.amount_total) };
}

async function orderOf(sessionId: string): Promise<OrderLife> {
  const life = await createDynamoOrderLifeStore(table).findOrder(sessionId);
  if (!life) throw new Error(`no order for ${sessionId}`);
  return life;
}

function tick(seconds = 5) {
  clock.now += seconds * 1000;
}

describe('refunds and disputes from Stripe', () => {
  it('records several partial refunds, then the rest, each change once with its event, alerting the operator each time', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, paymentIntentId, total } = await paidOrder(api);
    expect((await orderOf(sessionId)).order.paymentIntentId).toBe(paymentIntentId);

    const from = stripe.events().length;
    tick();
    await sdk.refunds.create({ payment_intent: paymentIntentId, amount: 1000 });
    tick();
    await sdk.refunds.create({ payment_intent: paymentIntentId, amount: 500 });
    tick();
    await sdk.refunds.create({ payment_intent: paymentIntentId });
    const events = eventsSince(from);
    expect(events.map((e) => e.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refunded',
      'refund.created',
      'charge.refunded',
      'refund.created',
    ]);
    expect(await deliverAll(api, events)).toEqual(Array(6).fill('processed'));

    const life = await orderOf(sessionId);
    expect(life.payment).toMatchObject({ state: 'refunded', amountRefunded: total });
    expect(life.history.map((h) => [h.state, h.amountRefunded])).toEqual([
      ['partially_refunded', 1000],
      ['partially_refunded', 1500],
      ['refunded', total],
    ]);
    // Each change names the event that made it, and none is named twice.
    expect(new Set(life.history.map((h) => h.eventId)).size).toBe(3);
    expect(life.history.every((h) => events.some((e) => e.id === h.eventId))).toBe(true);
    expect(api.mail.alerts.map((a) => a.change.seq)).toEqual([1, 2, 3]);
    expect(api.mail.alerts[2]?.change.state).toBe('refunded');

    // Redelivered: nothing changes, nothing is sent again.
    expect(await deliverAll(api, events)).toEqual(Array(6).fill('duplicate'));
    expect((await orderOf(sessionId)).history).toHaveLength(3);
    expect(api.mail.alerts).toHaveLength(3);
  });

  it('keeps a refund that arrives before the completed event and applies it when the order is written', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    const from = stripe.events().length;
    const paid = stripe.completeSession(sessionId);
    const completed = eventsSince(from);
    tick();
    await sdk.refunds.create({ payment_intent: String(paid.payment_intent), amount: 700 });
    const refundEvents = eventsSince(from + completed.length);

    // The Dashboard refund's events come first: no order yet, kept with the payment.
    expect(await deliverAll(api, refundEvents)).toEqual(['processed', 'processed']);
    expect(await scan(`${PREFIXES.payment}${paid.payment_intent}`)).toHaveLength(1);
    expect(api.mail.alerts).toHaveLength(0);

    await deliverAll(api, completed);
    const life = await orderOf(sessionId);
    expect(life.payment).toMatchObject({ state: 'partially_refunded', amountRefunded: 700 });
    expect(life.history).toHaveLength(1);
    expect(api.mail.alerts.map((a) => a.order.sessionId)).toEqual([sessionId]);
  });

  it('ends in the same state whatever the order of a refund and its failure', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, paymentIntentId } = await paidOrder(api);
    const from = stripe.events().length;
    tick();
    const refund = await sdk.refunds.create({ payment_intent: paymentIntentId, amount: 1200 });
    tick();
    stripe.failRefund(refund.id);
    const events = eventsSince(from);
    expect(events.map((e) => e.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'refund.updated',
      'refund.failed',
    ]);
    // The failure first, the creation last.
    await deliverAll(api, [...events].reverse());
    const life = await orderOf(sessionId);
    expect(life.payment).toMatchObject({ state: 'paid', amountRefunded: 0 });
    expect(life.payment?.refunds).toEqual([{ id: refund.id, amount: 1200, status: 'failed' }]);
    expect(stripe.chargeOfPaymentIntent(paymentIntentId)?.amount_refunded).toBe(0);
  });

  it('follows a chargeback: disputed with its evidence deadline (alerted, counted once), then won', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, paymentIntentId } = await paidOrder(api);
    const from = stripe.events().length;
    tick();
    const dispute = stripe.openDispute(paymentIntentId, { reason: 'product_not_received' });
    tick();
    stripe.updateDispute(dispute.id, 'under_review');
    tick();
    stripe.closeDispute(dispute.id, 'won');
    const events = eventsSince(from);
    expect(events.map((e) => e.type)).toEqual([
      'charge.dispute.created',
      'charge.dispute.updated',
      'charge.dispute.closed',
    ]);
    await deliverAll(api, events.slice(0, 2));
    expect((await orderOf(sessionId)).payment).toMatchObject({
      state: 'disputed',
      dispute: { id: dispute.id, status: 'under_review', evidenceDueBy: dispute.evidence_details.due_by },
    });
    expect(api.mail.alerts).toHaveLength(1);
    expect(api.mail.alerts[0]?.payment.dispute?.evidenceDueBy).toBe(dispute.evidence_details.due_by);
    expect(api.telemetry.countOf('PaymentDisputed')).toBe(1);

    await deliverAll(api, events.slice(2));
    const life = await orderOf(sessionId);
    expect(life.history.map((h) => h.state)).toEqual(['disputed', 'dispute_won']);
    // Winning gives nothing to stop: no second alert.
    expect(api.mail.alerts).toHaveLength(1);
    await deliverAll(
      api,
      events.map((e) => ({ ...e, id: `${e.id}x` })),
    );
    expect(api.telemetry.countOf('PaymentDisputed')).toBe(1);
  });

  it('records a lost dispute and an inquiry closed without a chargeback', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const lost = await paidOrder(api);
    const inquiry = await paidOrder(api);
    const from = stripe.events().length;
    tick();
    const chargeback = stripe.openDispute(lost.paymentIntentId);
    const question = stripe.openDispute(inquiry.paymentIntentId, { inquiry: true, amount: 500 });
    tick();
    stripe.closeDispute(chargeback.id, 'lost');
    stripe.closeDispute(question.id, 'warning_closed');
    await deliverAll(api, eventsSince(from));
    expect((await orderOf(lost.sessionId)).history.map((h) => [h.state, h.alert])).toEqual([
      ['disputed', true],
      ['dispute_lost', true],
    ]);
    expect((await orderOf(inquiry.sessionId)).history.map((h) => h.state)).toEqual(['disputed', 'paid']);
    // A chargeback cannot be refunded at Stripe meanwhile; an inquiry can.
    expect(stripe.dispute(chargeback.id)?.is_charge_refundable).toBe(false);
  });

  it('records a refund of a shipped order without a do-not-ship alert', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, paymentIntentId } = await paidOrder(api);
    const life = await orderOf(sessionId);
    await createDynamoOrderLifeStore(table).markShipped(
      { sessionId, paidAt: life.order.paidAt },
      { carrier: 'usps', tracking: '9400111899223344556677' },
      { force: false, now: nowSeconds() },
    );
    const from = stripe.events().length;
    tick();
    await sdk.refunds.create({ payment_intent: paymentIntentId, amount: 300 });
    await deliverAll(api, eventsSince(from));
    const after = await orderOf(sessionId);
    expect(after.history).toEqual([expect.objectContaining({ state: 'partially_refunded', alert: false })]);
    expect(api.mail.alerts).toHaveLength(0);
  });

  it('owes an alert the mailer failed to send, and the scheduled retry sends it once', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, paymentIntentId } = await paidOrder(api);
    api.mail.failing = true;
    const from = stripe.events().length;
    tick();
    await sdk.refunds.create({ payment_intent: paymentIntentId, amount: 400 });
    expect(await deliverAll(api, eventsSince(from))).toEqual(['processed', 'processed']);
    expect(api.telemetry.countOf('NotificationFailed')).toBeGreaterThan(0);
    expect(api.mail.alerts).toHaveLength(0);

    api.mail.failing = false;
    tick(61);
    const first = await api.retryNotifications();
    expect(first.mail).toMatchObject({ sent: 1, failed: 0 });
    const again = await api.retryNotifications();
    expect(again.mail.sent).toBe(0);
    expect(api.mail.alerts.map((a) => a.order.sessionId)).toEqual([sessionId]);
    expect(await scan(PREFIXES.owed)).toEqual([]);
  });

  it('ignores a refund of a payment this shop never took, and refuses a money event with a malformed id', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const foreign = makeSessionEvent(
      'refund.created',
      {
        id: 're_foreign1',
        object: 'refund',
        amount: 100,
        currency: 'usd',
        status: 'succeeded',
        created: nowSeconds(),
        payment_intent: null,
      },
      nowSeconds(),
    );
    expect(parse(await deliver(api, foreign))).toEqual({ received: true, result: 'ignored' });
    const malformed = makeSessionEvent(
      'charge.dispute.created',
      {
        id: 'dp_1',
        object: 'dispute',
        amount: 100,
        currency: 'usd',
        status: 'needs_response',
        payment_intent: 'pi_1 OR 1=1',
      },
      nowSeconds(),
    );
    const negative = makeSessionEvent(
      'charge.refunded',
      {
        id: 'ch_1',
        object: 'charge',
        amount: -500,
        amount_refunded: 0,
        currency: 'usd',
        payment_intent: 'pi_1NotOurs',
      },
      nowSeconds(),
    );
    for (const event of [malformed, negative]) {
      const refused = await deliver(api, event);
      expect(refused.statusCode).toBe(400);
      // The answer names what is wrong: the money object, not the envelope.
      expect(JSON.stringify(parse(refused))).toContain(
        'charge, refund or dispute has an id, amount or status out of shape',
      );
      expect(await scan(PREFIXES.event)).not.toContainEqual(
        expect.objectContaining({ PK: `${PREFIXES.event}${event.id}` }),
      );
    }
  });
});
