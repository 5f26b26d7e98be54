import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { createDynamoOrderLifeStore } from '../../src/adapters/dynamodb/order-life-store';
import { createDynamoRefundAttemptStore } from '../../src/adapters/dynamodb/refund-attempt-store';
import { createStripeRefunds } from '../../src/adapters/stripe/refunds';
import {
  executeRefund,
  matchesFilter,
  planRefund,
  RefundOutcomeUnknownError,
  type RefundPlan,
  RefundRefusedError,
  shipOrder,
} from '../../src/app/order-fulfilment';
import { formatMoney } from '../../src/domain/money';
import { storeCode, testCode } from '../support/codes';
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
    const deps = refundDeps();
    const ask = { amount: 1500, reason: null };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, async () =>
        executeRefund(deps, newPlan(await planRefund(deps, sessionId, ask, nowSeconds())), nowSeconds()),
      ),
    );
    const made = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(4);
    for (const err of refused) {
      expect(err).toBeInstanceOf(RefundRefusedError);
      expect(['in_progress', 'changed_meanwhile']).toContain((err as RefundRefusedError).code);
    }
    const paymentIntent = String((await deps.orders.findOrder(sessionId))?.order.paymentIntentId);
    expect(refundsOf(paymentIntent).map((r) => r.amount)).toEqual([1500]);

    // The same command once more, after the first one finished: taken for a repeat, unless --again.
    await expect(planRefund(deps, sessionId, ask, nowSeconds())).rejects.toMatchObject({
      code: 'just_refunded',
    });
    // A run that looked before another one finished, and writes after it: one look, one refund.
    const twice = { ...ask, again: true };
    const stale = newPlan(await planRefund(deps, sessionId, twice, nowSeconds()));
    await executeRefund(deps, newPlan(await planRefund(deps, sessionId, twice, nowSeconds())), nowSeconds());
    await expect(executeRefund(deps, stale, nowSeconds())).rejects.toMatchObject({
      code: 'changed_meanwhile',
    });
    expect(refundsOf(paymentIntent).map((r) => r.amount)).toEqual([1500, 1500]);

    // The same shopper buys again: a new payment, untouched by the first order's refund.
    const again = await paidOrder(api);
    const second = await deps.orders.findOrder(again);
    expect(second?.order.paymentIntentId).not.toBe(paymentIntent);
    expect(second?.payment).toBeNull();
    await expect(
      planRefund(deps, again, { amount: null, reason: null }, nowSeconds()),
    ).resolves.toMatchObject({
      kind: 'new',
      amount: second?.order.amountTotal,
    });
  });

  it('a refund whose answer is lost is made once: the re-run finds it at Stripe, even after the key expired', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const deps = refundDeps();
    const ask = { amount: 1000, reason: 'requested_by_customer' as const };
    for (const hoursLater of [0, 25]) {
      const sessionId = await paidOrder(api);
      const paymentIntent = String((await deps.orders.findOrder(sessionId))?.order.paymentIntentId);
      // Stripe makes the refund, the answer never comes back (the SDK's own retry included).
      stripe.faults.add({
        method: 'POST',
        path: '/v1/refunds',
        afterProcessing: true,
        disconnect: true,
        times: 2,
      });
      const from = stripe.events().length;
      const plan = newPlan(await planRefund(deps, sessionId, ask, nowSeconds()));
      await expect(executeRefund(deps, plan, nowSeconds())).rejects.toBeInstanceOf(RefundOutcomeUnknownError);
      stripe.faults.clear();
      await deliverNew(api, from); // the webhook records the refund within the second
      expect((await deps.orders.findOrder(sessionId))?.payment?.amountRefunded).toBe(1000);
      clock.now += hoursLater * 3_600_000; // past Stripe's 24 h of idempotency keys

      const rerun = await planRefund(deps, sessionId, ask, nowSeconds());
      expect(rerun).toMatchObject({ kind: 'made_earlier', sameRequest: true, refund: { amount: 1000 } });
      expect(refundsOf(paymentIntent).map((r) => r.amount)).toEqual([1000]);
      // Recorded as made: another refund is a deliberate new one (`again` within ten minutes).
      expect(await deps.attempts.getAttempt(sessionId)).toMatchObject({ state: 'made', amount: 1000 });
      expect(await planRefund(deps, sessionId, { ...ask, again: true }, nowSeconds())).toMatchObject({
        kind: 'new',
      });
    }
  });

  it('a refund Stripe never received is finished by the re-run with the same key; a deliberate second refund is its own', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const deps = refundDeps();
    const sessionId = await paidOrder(api);
    const paymentIntent = String((await deps.orders.findOrder(sessionId))?.order.paymentIntentId);
    const ask = { amount: 700, reason: null };
    stripe.faults.add({ method: 'POST', path: '/v1/refunds', status: 503, times: 1 });
    await expect(
      executeRefund(deps, newPlan(await planRefund(deps, sessionId, ask, nowSeconds())), nowSeconds()),
    ).rejects.toBeInstanceOf(RefundOutcomeUnknownError);
    const pending = await deps.attempts.getAttempt(sessionId);
    expect(pending).toMatchObject({ state: 'pending', leaseUntil: 0, amount: 700 });

    // The same command again resumes that attempt: its key, its id in the metadata.
    const resume = await planRefund(deps, sessionId, ask, nowSeconds());
    expect(resume).toMatchObject({ kind: 'resume', attempt: { attemptId: pending?.attemptId } });
    const done = await executeRefund(deps, resumeOrNew(resume), nowSeconds());
    expect(done).toMatchObject({
      amount: 700,
      status: 'succeeded',
      attempt: { idempotencyKey: pending?.idempotencyKey },
    });
    expect(stripe.refund(done.id)?.metadata).toMatchObject({ refundAttempt: pending?.attemptId, sessionId });

    // The first refund is confirmed: a second partial refund is the operator's new intention —
    // said with `again` for the same amount within ten minutes, or simply later on.
    await expect(planRefund(deps, sessionId, ask, nowSeconds())).rejects.toMatchObject({
      code: 'just_refunded',
    });
    clock.now += 11 * 60_000;
    const second = await executeRefund(
      deps,
      newPlan(await planRefund(deps, sessionId, ask, nowSeconds())),
      nowSeconds(),
    );
    expect(second.id).not.toBe(done.id);
    expect(refundsOf(paymentIntent).map((r) => r.amount)).toEqual([700, 700]);
    expect(stripe.chargeOfPaymentIntent(paymentIntent)?.amount_refunded).toBe(1400);
  });

  it('a refund Stripe reports failed can be made again: a new attempt, a new refund', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const deps = refundDeps();
    const sessionId = await paidOrder(api);
    const paymentIntent = String((await deps.orders.findOrder(sessionId))?.order.paymentIntentId);
    const ask = { amount: 1200, reason: null };
    let from = stripe.events().length;
    const first = await executeRefund(
      deps,
      newPlan(await planRefund(deps, sessionId, ask, nowSeconds())),
      nowSeconds(),
    );
    await deliverNew(api, from);
    clock.now += 5_000;
    from = stripe.events().length;
    stripe.failRefund(first.id);
    await deliverNew(api, from);
    expect((await deps.orders.findOrder(sessionId))?.payment?.amountRefunded).toBe(0);

    const again = await executeRefund(
      deps,
      newPlan(await planRefund(deps, sessionId, ask, nowSeconds())),
      nowSeconds(),
    );
    expect(again.id).not.toBe(first.id);
    expect(again.status).toBe('succeeded');
    expect(refundsOf(paymentIntent).map((r) => [r.amount, r.status])).toEqual([
      [1200, 'succeeded'],
      [1200, 'failed'],
    ]);
    expect(stripe.chargeOfPaymentIntent(paymentIntent)?.amount_refunded).toBe(1200);
  });

  it('refuses to refund a lost dispute, a $0 order, and says a too large amount in money', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const deps = refundDeps();
    const sessionId = await paidOrder(api);
    const life = await deps.orders.findOrder(sessionId);
    const paymentIntent = String(life?.order.paymentIntentId);
    const total = Number(life?.order.amountTotal);
    const tooMuch = planRefund(deps, sessionId, { amount: total + 1, reason: null }, nowSeconds());
    await expect(tooMuch).rejects.toMatchObject({ code: 'amount_too_large' });
    await expect(tooMuch).rejects.toThrow(
      `At most ${formatMoney(total, 'usd')} of order ${sessionId} can still be refunded (${formatMoney(total, 'usd')} paid, $0.00 refunded); ${formatMoney(total + 1, 'usd')} was asked.`,
    );

    let from = stripe.events().length;
    const dispute = stripe.openDispute(paymentIntent);
    clock.now += 2_000;
    stripe.closeDispute(dispute.id, 'lost');
    await deliverNew(api, from);
    const lost = planRefund(deps, sessionId, { amount: null, reason: null }, nowSeconds());
    await expect(lost).rejects.toMatchObject({ code: 'dispute_lost' });
    await expect(lost).rejects.toThrow('the bank already took the payment back');
    expect(refundsOf(paymentIntent)).toEqual([]);

    await storeCode(
      table,
      testCode('ALLFREE', { discount: { kind: 'percent', percentOff: 100 } }),
      nowSeconds(),
    );
    const { sessionId: free } = await api.buy(nextCart(), undefined, { code: 'ALLFREE' });
    from = stripe.events().length;
    stripe.completeSession(free);
    await deliverNew(api, from);
    expect((await deps.orders.findOrder(free))?.order.amountTotal).toBe(0);
    const nothing = planRefund(deps, free, { amount: null, reason: null }, nowSeconds());
    await expect(nothing).rejects.toMatchObject({ code: 'nothing_paid' });
    await expect(nothing).rejects.toThrow('was not paid anything');
  });
});

function refundDeps() {
  return {
    orders: createDynamoOrderLifeStore(table),
    refunds: createStripeRefunds(sdk),
    attempts: createDynamoRefundAttemptStore(table),
  };
}

function newPlan(plan: RefundPlan) {
  if (plan.kind !== 'new') throw new Error(`expected a new refund, got ${plan.kind}`);
  return plan;
}

function resumeOrNew(plan: RefundPlan) {
  if (plan.kind === 'made_earlier') throw new Error('expected a refund to make');
  return plan;
}

/** The payment's refunds at Stripe, newest first. */
function refundsOf(paymentIntent: string) {
  return stripe
    .state()
    .refunds.filter((r) => r.payment_intent === paymentIntent)
    .reverse();
}
