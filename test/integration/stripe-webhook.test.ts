import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { createDynamoEventLedger } from '../../src/adapters/dynamodb/event-ledger';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { makeCommerceApi } from '../support/commerce-harness';
import { interceptTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator } from '../support/stripe';
import { makeSessionEvent, signedDelivery } from '../support/webhook';
import { webhookSuiteHelpers } from '../support/webhook-suite';

let table: TestTable;
let stripe: StripeEmulator;
const clock = { now: Date.UTC(2026, 10, 27, 9, 0, 0) };

beforeAll(async () => {
  table = await startTestTable('webhook-test');
  stripe = await startTestEmulator({ now: () => clock.now });
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});
afterEach(() => stripe.faults.clear());

const { nowSeconds, scan, nextCart, parse, deliver, sessionRecord, ordersOf } = webhookSuiteHelpers({
  table: () => table,
  clock,
});

describe('POST /stripe/webhook', () => {
  it('fulfils a paid session once: order item, one notification, coupon deleted', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, quote, couponId } = await api.buy(nextCart());
    const paid = stripe.completeSession(sessionId);
    const event = makeSessionEvent('checkout.session.completed', paid, nowSeconds());

    const first = await deliver(api, event);
    expect(first.statusCode).toBe(200);
    expect(parse(first)).toEqual({ received: true, result: 'processed' });
    expect(await sessionRecord(sessionId)).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
    const orders = await ordersOf(sessionId);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      amountTotal: quote.total,
      customerEmail: paid.customer_details?.email,
    });
    expect(JSON.parse(orders[0]?.lines).map((l: { sku: string }) => l.sku)).toEqual(
      quote.lines.map((l: { sku: string }) => l.sku),
    );
    expect(api.notifier.sent.map((o) => o.sessionId)).toEqual([sessionId]);
    expect(stripe.state().coupons.find((c) => c.coupon.id === couponId)?.deleted).toBe(true);
    expect(await scan(`${PREFIXES.coupon}${couponId}`)).toHaveLength(0);
    expect(api.telemetry.countOf('OrderFulfilled')).toBe(1);

    const again = await deliver(api, event);
    expect(parse(again)).toEqual({ received: true, result: 'duplicate' });
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.notifier.sent).toHaveLength(1);
  });

  it('waits for an asynchronous payment, then fulfils on success', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    const pending = stripe.completeSession(sessionId, { async: true });
    expect(pending.payment_status).toBe('unpaid');
    await deliver(api, makeSessionEvent('checkout.session.completed', pending, nowSeconds()));
    expect((await sessionRecord(sessionId))?.status).toBe('awaiting_payment');
    expect(await ordersOf(sessionId)).toHaveLength(0);

    const settled = stripe.settleAsyncPayment(sessionId, true);
    await deliver(api, makeSessionEvent('checkout.session.async_payment_succeeded', settled, nowSeconds()));
    expect((await sessionRecord(sessionId))?.status).toBe('complete');
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.notifier.sent).toHaveLength(1);
  });

  it('marks a failed asynchronous payment and releases its coupon', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, couponId } = await api.buy(nextCart());
    await deliver(
      api,
      makeSessionEvent(
        'checkout.session.completed',
        stripe.completeSession(sessionId, { async: true }),
        nowSeconds(),
      ),
    );
    const failed = stripe.settleAsyncPayment(sessionId, false);
    const result = await deliver(
      api,
      makeSessionEvent('checkout.session.async_payment_failed', failed, nowSeconds()),
    );
    expect(result.statusCode).toBe(200);
    expect((await sessionRecord(sessionId))?.status).toBe('payment_failed');
    expect(stripe.state().coupons.find((c) => c.coupon.id === couponId)?.deleted).toBe(true);
    expect(await ordersOf(sessionId)).toHaveLength(0);
  });

  it('expires an open session and releases its coupon, but never overwrites a paid one', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const open = await api.buy(nextCart());
    const expired = stripe.expireSession(open.sessionId);
    await deliver(api, makeSessionEvent('checkout.session.expired', expired, nowSeconds()));
    expect((await sessionRecord(open.sessionId))?.status).toBe('expired');
    expect(stripe.state().coupons.find((c) => c.coupon.id === open.couponId)?.deleted).toBe(true);

    const bought = await api.buy(nextCart());
    const paid = stripe.completeSession(bought.sessionId);
    await deliver(api, makeSessionEvent('checkout.session.completed', paid, nowSeconds()));
    const late = await deliver(
      api,
      makeSessionEvent('checkout.session.expired', { ...paid, status: 'expired' }, nowSeconds()),
    );
    expect(late.statusCode).toBe(200);
    expect((await sessionRecord(bought.sessionId))?.status).toBe('complete');
  });

  it('refuses a paid quote from being checked out again', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const items = nextCart();
    const bought = await api.buy(items);
    await deliver(
      api,
      makeSessionEvent('checkout.session.completed', stripe.completeSession(bought.sessionId), nowSeconds()),
    );
    const again = await api.checkout(
      makeProxyEvent({
        path: '/checkout/create-session',
        body: { items, quoteSignature: bought.quoteSignature },
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(again.statusCode).toBe(409);
    expect(parse(again).error.code).toBe('quote_already_paid');
  });

  it('acknowledges events of other types and sessions it did not create', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const other = await deliver(api, {
      ...makeSessionEvent('customer.created', { id: 'cus_1', object: 'customer' }, nowSeconds()),
    });
    expect(parse(other)).toEqual({ received: true, result: 'ignored' });
    const foreign = {
      ...stripe.completeSession((await api.buy(nextCart())).sessionId),
      id: 'cs_test_notours0000000000',
    };
    const result = await deliver(api, makeSessionEvent('checkout.session.completed', foreign, nowSeconds()));
    expect(parse(result)).toEqual({ received: true, result: 'unknown_session' });
    expect(api.telemetry.logs.some((l) => l.level === 'warn' && l.message.includes('did not create'))).toBe(
      true,
    );
  });

  describe('signature', () => {
    const payload = () =>
      JSON.stringify(makeSessionEvent('customer.created', { id: 'cus_2', object: 'customer' }, nowSeconds()));

    it('accepts a base64-encoded body and a lower-case header name', async () => {
      const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
      const result = await api.webhook(
        signedDelivery(payload(), { timestamp: nowSeconds(), base64: true, headerName: 'stripe-signature' }),
      );
      expect(result.statusCode).toBe(200);
    });

    it.each([
      [
        'a wrong secret',
        (p: string) => signedDelivery(p, { timestamp: nowSeconds(), secret: 'whsec_wrong' }),
      ],
      ['a stale timestamp', (p: string) => signedDelivery(p, { timestamp: nowSeconds() - 301 })],
      [
        'a tampered body',
        (p: string) => {
          const event = signedDelivery(p, { timestamp: nowSeconds() });
          return { ...event, body: String(event.body).replace('cus_2', 'cus_3') };
        },
      ],
      [
        'no signature header',
        (p: string) =>
          makeProxyEvent({
            path: '/stripe/webhook',
            rawBody: p,
            headers: { 'Content-Type': 'application/json' },
          }),
      ],
    ])('refuses %s with 400 and processes nothing', async (_name, build) => {
      const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
      const before = (await scan(PREFIXES.event)).length;
      const result = await api.webhook(build(payload()));
      expect(result.statusCode).toBe(400);
      expect(parse(result).error.code).toBe('invalid_signature');
      expect(api.telemetry.countOf('WebhookSignatureInvalid')).toBe(1);
      expect((await scan(PREFIXES.event)).length).toBe(before);
    });
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['an object without an id', '{"type":"checkout.session.completed","data":{"object":{"id":"cs_test_x"}}}'],
    ['a numeric id', '{"id":5,"type":"customer.created","data":{"object":{}}}'],
    ['a Checkout event without its session', '{"id":"evt_no_session","type":"checkout.session.expired"}'],
    [
      'a Checkout event whose session has no id',
      '{"id":"evt_no_id","type":"checkout.session.completed","data":{"object":{}}}',
    ],
  ])('refuses a correctly signed body that is %s with 400 and writes nothing', async (_name, body) => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const before = await scan('');
    const result = await api.webhook(signedDelivery(body, { timestamp: nowSeconds() }));
    expect(result.statusCode).toBe(400);
    expect(parse(result).error.code).toBe('validation_error');
    expect(await scan('')).toEqual(before);
  });

  it('answers non-2xx to a duplicate that arrives while the first delivery is processing', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    const event = makeSessionEvent(
      'checkout.session.completed',
      stripe.completeSession(sessionId),
      nowSeconds(),
    );
    const ledger = createDynamoEventLedger(table);
    const lease = await ledger.begin({ id: event.id, type: event.type, digest: 'x' }, nowSeconds());
    expect(lease.state).toBe('acquired');
    const result = await deliver(api, event);
    expect(result.statusCode).toBe(409);
    expect(await ordersOf(sessionId)).toHaveLength(0);
    clock.now += 31_000; // the first delivery's lease lapsed: a retry takes over
    const retry = await deliver(api, event);
    expect(parse(retry).result).toBe('processed');
  });

  it('recovers from DynamoDB failing mid-event: 5xx, then the retry completes with no duplicate', async () => {
    let failOrderWrites = 1;
    const flaky = interceptTable(table.client, async ({ input }, proceed) => {
      const item = input.Item as { PK?: unknown } | undefined;
      if (failOrderWrites > 0 && String(item?.PK ?? '').startsWith(PREFIXES.orders)) {
        failOrderWrites -= 1;
        throw new Error('simulated DynamoDB outage');
      }
      return proceed();
    });
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now, tableClient: flaky });
    const { sessionId } = await api.buy(nextCart());
    const event = makeSessionEvent(
      'checkout.session.completed',
      stripe.completeSession(sessionId),
      nowSeconds(),
    );
    const failed = await deliver(api, event);
    expect(failed.statusCode).toBe(500);
    expect(api.telemetry.countOf('WebhookFailed')).toBe(1);
    expect(await scan(`${PREFIXES.event}${event.id}`)).toHaveLength(0);
    const retried = await deliver(api, event);
    expect(retried.statusCode).toBe(200);
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.notifier.sent.filter((o) => o.sessionId === sessionId)).toHaveLength(1);
  });

  it('acknowledges a paid order whose notification fails (SES down): the retry sends it once it can, once', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    const event = makeSessionEvent(
      'checkout.session.completed',
      stripe.completeSession(sessionId),
      nowSeconds(),
    );
    api.notifier.failing = true;

    const first = await deliver(api, event);
    expect(first.statusCode).toBe(200);
    expect(parse(first)).toEqual({ received: true, result: 'processed' });
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.telemetry.countOf('NotificationFailed')).toBe(1);
    expect(api.telemetry.countOf('WebhookFailed')).toBe(0);
    expect((await sessionRecord(sessionId))?.notifyFailures).toBe(1);
    expect(parse(await deliver(api, event)).result).toBe('duplicate');

    clock.now += 61_000;
    expect(await api.retryNotifications()).toMatchObject({ failed: 1, sent: 0 });
    expect(api.telemetry.countOf('NotificationFailed')).toBe(2);
    api.notifier.failing = false;
    expect(await api.retryNotifications()).toMatchObject({ sent: 1 });
    expect(api.notifier.sent.map((o) => o.sessionId)).toEqual([sessionId]);
    expect((await ordersOf(sessionId))[0]?.notifiedAt).toBeDefined();
    // Nothing is owed any more: later runs send nothing, however many run at once.
    const again = await Promise.all([api.retryNotifications(), api.retryNotifications()]);
    expect(again.map((r) => r.pending)).toEqual([0, 0]);
    expect(api.notifier.sent).toHaveLength(1);
  });

  it('retries owed notifications oldest first, within the time it has, past an order item it cannot read', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    api.notifier.failing = true;
    const older = await api.buy(nextCart());
    await deliver(
      api,
      makeSessionEvent('checkout.session.completed', stripe.completeSession(older.sessionId), nowSeconds()),
    );
    const newer = await api.buy(nextCart());
    await deliver(
      api,
      makeSessionEvent('checkout.session.completed', stripe.completeSession(newer.sessionId), nowSeconds()),
    );
    const day = new Date(clock.now).toISOString().slice(0, 10);
    await table.sdk.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          PK: `${PREFIXES.orders}${day}`,
          SK: `${day}T00:00:00.000Z#cs_test_damaged`,
          amountTotal: 'lots',
        },
      }),
    );
    api.notifier.failing = false;
    clock.now += 61_000;
    expect(await api.retryNotifications(() => 0)).toMatchObject({ sent: 0 }); // no time left: claims nothing
    expect(await api.retryNotifications()).toMatchObject({ sent: 2, unreadable: 1 });
    expect(api.notifier.sent.map((o) => o.sessionId)).toEqual([older.sessionId, newer.sessionId]);
    expect(
      api.telemetry.logs.some((l) => l.level === 'error' && l.message.includes('cannot be read back')),
    ).toBe(true);
  });

  it('finishes an event whose notification claim answer was lost; the retry sends it once the lease lapses', async () => {
    let loseClaimAnswers = 1;
    const flaky = interceptTable(table.client, async ({ input }, proceed) => {
      const result = await proceed();
      if (loseClaimAnswers > 0 && String(input.UpdateExpression ?? '').startsWith('SET notifyLeaseUntil')) {
        loseClaimAnswers -= 1;
        throw new Error('simulated lost answer: the claim was written');
      }
      return result;
    });
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now, tableClient: flaky });
    const { sessionId } = await api.buy(nextCart());
    const event = makeSessionEvent(
      'checkout.session.completed',
      stripe.completeSession(sessionId),
      nowSeconds(),
    );

    expect((await deliver(api, event)).statusCode).toBe(500);
    // The redelivery records nothing new and finds the claim held: the order is a fact, so the event
    // is done; the notification is owed.
    const redelivered = await deliver(api, event);
    expect(parse(redelivered)).toEqual({ received: true, result: 'processed' });
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.notifier.sent).toHaveLength(0);
    expect(await api.retryNotifications()).toMatchObject({ sent: 0 }); // the lease still holds

    clock.now += 61_000; // the lost claim's lease lapses
    expect(await api.retryNotifications()).toMatchObject({ sent: 1 });
    expect(api.notifier.sent.map((o) => o.sessionId)).toEqual([sessionId]);
    expect((await sessionRecord(sessionId))?.notifiedAt).toBeDefined();
    expect(parse(await deliver(api, event)).result).toBe('duplicate');
    expect(await api.retryNotifications()).toMatchObject({ pending: 0 });
    expect(api.notifier.sent).toHaveLength(1);
  });

  it('recovers from the coupon delete failing: 5xx, then the retry deletes it with no duplicate order', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, couponId } = await api.buy(nextCart());
    const event = makeSessionEvent(
      'checkout.session.completed',
      stripe.completeSession(sessionId),
      nowSeconds(),
    );
    stripe.faults.add({ method: 'DELETE', path: '/v1/coupons/*', status: 500 });
    expect((await deliver(api, event)).statusCode).toBeGreaterThanOrEqual(500);
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect((await deliver(api, event)).statusCode).toBe(200);
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.notifier.sent.filter((o) => o.sessionId === sessionId)).toHaveLength(1);
    expect(stripe.state().coupons.find((c) => c.coupon.id === couponId)?.deleted).toBe(true);
  });

  it('answers by its deadline when a step is slow, and the redelivery finds the work done', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now, webhookDeadlineMs: 200 });
    const { sessionId } = await api.buy(nextCart());
    const event = makeSessionEvent(
      'checkout.session.completed',
      stripe.completeSession(sessionId),
      nowSeconds(),
    );
    stripe.faults.add({ method: 'DELETE', path: '/v1/coupons/*', delayMs: 1_000 });
    // Without the deadline the answer would be a 200 after the slow delete; 503 proves it answered first.
    const late = await deliver(api, event);
    expect(late.statusCode).toBe(503);
    expect(parse(late).error.code).toBe('processing_timeout');
    expect(api.telemetry.countOf('WebhookFailed')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_300)); // the abandoned work completes
    expect(parse(await deliver(api, event)).result).toBe('duplicate');
    expect(await ordersOf(sessionId)).toHaveLength(1);
  });

  it('fulfils once when the success page and the webhook race on one session', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    const event = makeSessionEvent(
      'checkout.session.completed',
      stripe.completeSession(sessionId),
      nowSeconds(),
    );
    const statusRequest = makeProxyEvent({
      method: 'GET',
      path: '/checkout/session-status',
      query: { session_id: sessionId },
    });
    const [hook, status1, status2] = await Promise.all([
      deliver(api, event),
      api.status(statusRequest),
      api.status(statusRequest),
    ]);
    // Whichever of them held the notification sent it; the webhook never waits for it.
    expect(hook.statusCode).toBe(200);
    expect(status1.statusCode).toBe(200);
    expect(parse(status2)).toMatchObject({ status: 'complete', paymentStatus: 'paid', currency: 'usd' });
    expect(Object.keys(parse(status2)).sort()).toEqual([
      'amountTotal',
      'currency',
      'paymentStatus',
      'status',
    ]);
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.notifier.sent.filter((o) => o.sessionId === sessionId)).toHaveLength(1);
  });

  it('processes a replay of 200 events, each delivered 3 times, shuffled, 8 at a time, exactly once', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const paidIds: string[] = [];
    const expiredIds: string[] = [];
    const coupons: string[] = [];
    const events: object[] = [];
    for (let i = 0; i < 100; i += 1) {
      const bought = await api.buy(nextCart(), `198.51.100.${(i % 250) + 1}`);
      coupons.push(String(bought.couponId));
      if (i < 60) {
        const paid = stripe.completeSession(bought.sessionId);
        paidIds.push(bought.sessionId);
        events.push(makeSessionEvent('checkout.session.completed', paid, nowSeconds()));
        // A late, contradictory expiry for a paid session must change nothing.
        events.push(
          makeSessionEvent('checkout.session.expired', { ...paid, status: 'expired' }, nowSeconds()),
        );
      } else {
        expiredIds.push(bought.sessionId);
        events.push(
          makeSessionEvent('checkout.session.expired', stripe.expireSession(bought.sessionId), nowSeconds()),
        );
      }
    }
    expect(events).toHaveLength(160);
    for (let i = 0; i < 40; i += 1)
      events.push(makeSessionEvent('charge.succeeded', { id: `ch_${i}`, object: 'charge' }, nowSeconds()));
    const deliveries = shuffle(
      events.flatMap((e) => [e, e, e]),
      42,
    );

    // Stripe redelivers whatever was not answered 2xx; loop until every delivery succeeded.
    let pending = deliveries;
    for (let round = 0; pending.length > 0 && round < 10; round += 1) {
      const failed: object[] = [];
      await runConcurrently(pending, 8, async (event) => {
        const result = await deliver(api, event);
        if (result.statusCode >= 300) failed.push(event);
      });
      pending = failed;
      clock.now += 31_000;
    }
    expect(pending).toHaveLength(0);

    const sessions = new Map((await scan(PREFIXES.session)).map((s) => [String(s.sessionId), s]));
    const orders = await scan(PREFIXES.orders);
    for (const id of paidIds) {
      expect(sessions.get(id)?.status).toBe('complete');
      expect(orders.filter((o) => o.sessionId === id)).toHaveLength(1);
    }
    for (const id of expiredIds) expect(sessions.get(id)?.status).toBe('expired');
    const notified = api.notifier.sent.map((o) => o.sessionId);
    expect(notified.sort()).toEqual([...paidIds].sort());
    const state = stripe.state();
    for (const id of coupons) expect(state.coupons.find((c) => c.coupon.id === id)?.deleted).toBe(true);
    expect((await scan(PREFIXES.event)).filter((e) => e.status !== 'done')).toHaveLength(0);
  });
});

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function runConcurrently<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await run(item);
    }
  });
  await Promise.all(workers);
}
