import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from '../../local/stripe-emulator';
import { toRefundCreateParams } from '../../src/adapters/stripe/refunds';
import { SECRET_KEY, START, SUBTOTAL, sessionParams, stripeError } from '../support/emulator-suite';

let emulator: StripeEmulator;
let stripe: Stripe;
const clock = { now: START };
const dir = mkdtempSync(join(tmpdir(), 'stripe-emulator-refunds-'));

async function start(): Promise<StripeEmulator> {
  return startStripeEmulator({
    webhookSecret: 'whsec_refunds_suite',
    now: () => clock.now,
    stateFile: join(dir, 'state.json'),
  });
}

beforeAll(async () => {
  emulator = await start();
  stripe = new Stripe(SECRET_KEY, { ...emulator.sdkOptions(), maxNetworkRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A paid session's PaymentIntent, with the metadata the shop passes in `payment_intent_data`. */
async function paid(): Promise<string> {
  const session = await stripe.checkout.sessions.create(
    sessionParams({ payment_intent_data: { metadata: { cartHash: 'h1' } } }),
  );
  clock.now += 1000;
  return String(emulator.completeSession(session.id).payment_intent);
}

describe('Stripe emulator: refunds', () => {
  it('refunds part, part again, then the rest of a paid session, as charge.refunded and refund.created', async () => {
    const intent = await paid();
    expect(intent).toMatch(/^pi_3\w{24}$/);
    expect(emulator.state().paymentIntents.find((p) => p.id === intent)?.metadata).toEqual({
      cartHash: 'h1',
    });
    const from = emulator.events().length;
    const first = await stripe.refunds.create({
      payment_intent: intent,
      amount: 1000,
      reason: 'requested_by_customer',
    });
    expect(first).toMatchObject({
      object: 'refund',
      amount: 1000,
      status: 'succeeded',
      payment_intent: intent,
      reason: 'requested_by_customer',
      currency: 'usd',
    });
    expect(first.id).toMatch(/^re_3\w{24}$/);
    await stripe.refunds.create({ payment_intent: intent, amount: 500 });
    const rest = await stripe.refunds.create({ charge: String(first.charge) });
    expect(rest.amount).toBe(SUBTOTAL - 1500);
    expect(await stripe.refunds.retrieve(first.id)).toEqual(first);
    const charge = emulator.chargeOfPaymentIntent(intent);
    expect(charge).toMatchObject({ amount: SUBTOTAL, amount_refunded: SUBTOTAL, refunded: true });
    const events = emulator.events().slice(from);
    expect(events.map((e) => e.event.type)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refunded',
      'refund.created',
      'charge.refunded',
      'refund.created',
    ]);
    expect(events.map((e) => (e.event.data.object as { amount_refunded?: number }).amount_refunded)).toEqual([
      1000,
      undefined,
      1500,
      undefined,
      SUBTOTAL,
      undefined,
    ]);

    const again = await stripeError(stripe.refunds.create({ payment_intent: intent, amount: 1 }));
    expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
  });

  it('refuses what Stripe refuses: too much, no payment named, both named, an unknown one, a parameter it lacks', async () => {
    const intent = await paid();
    expect(
      await stripeError(stripe.refunds.create({ payment_intent: intent, amount: SUBTOTAL + 1 })),
    ).toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    expect(await stripeError(stripe.refunds.create({}))).toMatchObject({ statusCode: 400 });
    const charge = emulator.chargeOfPaymentIntent(intent)?.id ?? '';
    expect(await stripeError(stripe.refunds.create({ payment_intent: intent, charge }))).toMatchObject({
      statusCode: 400,
    });
    expect(await stripeError(stripe.refunds.create({ payment_intent: 'pi_3Nope' }))).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'payment_intent',
    });
    expect(
      await stripeError(stripe.refunds.create({ payment_intent: intent, reverse_transfer: true })),
    ).toMatchObject({
      code: 'parameter_unknown',
    });
    expect(await stripeError(stripe.refunds.retrieve('re_3Nope'))).toMatchObject({ statusCode: 404 });
    // Nothing was refunded by any of them.
    expect(emulator.chargeOfPaymentIntent(intent)?.amount_refunded).toBe(0);
  });

  it('lists refunds newest first, by payment intent or charge, page by page, with their metadata', async () => {
    const intent = await paid();
    const other = await paid();
    const made: string[] = [];
    for (const amount of [100, 200, 300]) {
      clock.now += 1000;
      made.push(
        (
          await stripe.refunds.create({
            payment_intent: intent,
            amount,
            metadata: { refundAttempt: `a${amount}` },
          })
        ).id,
      );
    }
    const elsewhere = await stripe.refunds.create({ payment_intent: other, amount: 50 });
    const page = await stripe.refunds.list({ payment_intent: intent, limit: 2 });
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/refunds' });
    expect(page.data.map((r) => [r.id, r.amount, r.metadata?.refundAttempt])).toEqual([
      [made[2], 300, 'a300'],
      [made[1], 200, 'a200'],
    ]);
    const all: string[] = [];
    for await (const refund of stripe.refunds.list({ payment_intent: intent, limit: 1 })) all.push(refund.id);
    expect(all).toEqual([...made].reverse());
    const charge = emulator.chargeOfPaymentIntent(other)?.id ?? '';
    expect((await stripe.refunds.list({ charge })).data.map((r) => r.id)).toEqual([elsewhere.id]);
    expect((await stripe.refunds.list({ limit: 100 })).data.slice(0, 2).map((r) => r.id)).toEqual([
      elsewhere.id,
      made[2],
    ]);
    expect((await stripe.refunds.list({ payment_intent: 'pi_3NoRefundsHere' })).data).toEqual([]);
    expect(await stripeError(stripe.refunds.list({ charge: 'ch_3Nope' }))).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'charge',
    });
  });

  it('replays a refund retried with the same idempotency key instead of refunding twice', async () => {
    const intent = await paid();
    const params = toRefundCreateParams({
      paymentIntentId: intent,
      amount: 700,
      reason: null,
      metadata: { sessionId: 'cs_x' },
    });
    const once = await stripe.refunds.create(params, { idempotencyKey: 'refund-cs_x-700-after-0' });
    const twice = await stripe.refunds.create(params, { idempotencyKey: 'refund-cs_x-700-after-0' });
    expect(twice.id).toBe(once.id);
    expect(emulator.chargeOfPaymentIntent(intent)?.amount_refunded).toBe(700);
  });

  it('fails a refund from the control API: the money returns to the charge, with refund.updated and refund.failed', async () => {
    const intent = await paid();
    const refund = await stripe.refunds.create({ payment_intent: intent, amount: 800 });
    const from = emulator.events().length;
    const failed = await fetch(`${emulator.url}/_emulator/refunds/${refund.id}/fail`, { method: 'POST' });
    expect(failed.status).toBe(200);
    expect(await failed.json()).toMatchObject({
      status: 'failed',
      failure_reason: 'expired_or_canceled_card',
    });
    expect(
      emulator
        .events()
        .slice(from)
        .map((e) => e.event.type),
    ).toEqual(['refund.updated', 'refund.failed']);
    expect(emulator.chargeOfPaymentIntent(intent)?.amount_refunded).toBe(0);
    const twice = await fetch(`${emulator.url}/_emulator/refunds/${refund.id}/fail`, { method: 'POST' });
    expect(twice.status).toBe(409);
  });
});

describe('Stripe emulator: disputes', () => {
  it('opens, updates and closes a chargeback from the control API, with charge.dispute.* events and an evidence deadline', async () => {
    const intent = await paid();
    const from = emulator.events().length;
    const opened = await fetch(`${emulator.url}/_emulator/disputes`, {
      method: 'POST',
      body: JSON.stringify({ paymentIntent: intent, reason: 'product_not_received' }),
    });
    expect(opened.status).toBe(200);
    const dispute = (await opened.json()) as Stripe.Dispute;
    expect(dispute).toMatchObject({
      object: 'dispute',
      status: 'needs_response',
      amount: SUBTOTAL,
      payment_intent: intent,
      reason: 'product_not_received',
      evidence_details: { due_by: Math.floor(clock.now / 1000) + 7 * 86_400 },
    });
    expect(emulator.chargeOfPaymentIntent(intent)?.disputed).toBe(true);
    // A chargeback cannot be refunded meanwhile.
    expect(await stripeError(stripe.refunds.create({ payment_intent: intent }))).toMatchObject({
      code: 'charge_disputed',
    });

    await fetch(`${emulator.url}/_emulator/disputes/${dispute.id}/update`, {
      method: 'POST',
      body: JSON.stringify({ status: 'under_review' }),
    });
    const closed = await fetch(`${emulator.url}/_emulator/disputes/${dispute.id}/close`, {
      method: 'POST',
      body: JSON.stringify({ status: 'lost' }),
    });
    expect(await closed.json()).toMatchObject({ status: 'lost' });
    // Lost: the bank took the money back for the cardholder; Stripe still refuses a refund.
    expect(await stripeError(stripe.refunds.create({ payment_intent: intent, amount: 100 }))).toMatchObject({
      code: 'charge_disputed',
    });
    expect(
      emulator
        .events()
        .slice(from)
        .map((e) => e.event.type),
    ).toEqual(['charge.dispute.created', 'charge.dispute.updated', 'charge.dispute.closed']);
    const again = await fetch(`${emulator.url}/_emulator/disputes/${dispute.id}/close`, {
      method: 'POST',
      body: JSON.stringify({ status: 'won' }),
    });
    expect(again.status).toBe(409);
  });

  it('closes an inquiry only as warning_closed, and says what to send', async () => {
    const intent = await paid();
    const inquiry = emulator.openDispute(intent, { inquiry: true, amount: 100 });
    expect(inquiry.status).toBe('warning_needs_response');
    const wrong = await fetch(`${emulator.url}/_emulator/disputes/${inquiry.id}/close`, {
      method: 'POST',
      body: JSON.stringify({ status: 'won' }),
    });
    expect(wrong.status).toBe(400);
    const bad = await fetch(`${emulator.url}/_emulator/disputes`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('paymentIntent');
    expect(emulator.closeDispute(inquiry.id, 'warning_closed').status).toBe('warning_closed');
    // An inquiry takes no money: its charge stays refundable, as does a won chargeback's.
    expect((await stripe.refunds.create({ payment_intent: intent, amount: 100 })).status).toBe('succeeded');
    const won = emulator.openDispute(intent, { amount: 100 });
    expect(await stripeError(stripe.refunds.create({ payment_intent: intent, amount: 100 }))).toMatchObject({
      code: 'charge_disputed',
    });
    emulator.closeDispute(won.id, 'won');
    expect((await stripe.refunds.create({ payment_intent: intent, amount: 100 })).status).toBe('succeeded');
  });

  it('keeps payment intents, charges, refunds and disputes across a restart', async () => {
    const intent = await paid();
    const refund = await stripe.refunds.create({ payment_intent: intent, amount: 300 });
    const dispute = emulator.openDispute(intent);
    await emulator.close();
    emulator = await start();
    stripe = new Stripe(SECRET_KEY, { ...emulator.sdkOptions(), maxNetworkRetries: 0 });
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ amount: 300, status: 'succeeded' });
    expect(emulator.dispute(dispute.id)?.status).toBe('needs_response');
    expect(emulator.chargeOfPaymentIntent(intent)).toMatchObject({ amount_refunded: 300, disputed: true });
  });
});
