import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { type CommerceApi, makeCommerceApi } from '../support/commerce-harness';
import { interceptTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator } from '../support/stripe';
import { makeSessionEvent } from '../support/webhook';
import { webhookSuiteHelpers } from '../support/webhook-suite';

let table: TestTable;
let stripe: StripeEmulator;
const clock = { now: Date.UTC(2026, 10, 27, 9, 0, 0) };

beforeAll(async () => {
  table = await startTestTable('session-status-test');
  stripe = await startTestEmulator({ now: () => clock.now });
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});
afterEach(() => stripe.faults.clear());

const { nowSeconds, scan, nextCart, parse, deliver, ordersOf } = webhookSuiteHelpers({
  table: () => table,
  clock,
});

describe('GET /checkout/session-status', () => {
  const statusOf = (api: CommerceApi, id: string, sourceIp = '203.0.113.90') =>
    api.status(
      makeProxyEvent({
        method: 'GET',
        path: '/checkout/session-status',
        query: { session_id: id },
        sourceIp,
      }),
    );

  it('reports an open session without fulfilling it', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId, quote } = await api.buy(nextCart());
    const result = await statusOf(api, sessionId);
    expect(parse(result)).toEqual({
      status: 'open',
      paymentStatus: 'unpaid',
      amountTotal: quote.total,
      currency: 'usd',
    });
    expect(await ordersOf(sessionId)).toHaveLength(0);
  });

  it('fulfils a paid session even before the webhook arrives', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    stripe.completeSession(sessionId);
    expect(parse(await statusOf(api, sessionId)).paymentStatus).toBe('paid');
    expect(await ordersOf(sessionId)).toHaveLength(1);
    expect(api.notifier.sent.map((o) => o.sessionId)).toEqual([sessionId]);
  });

  it('writes nothing and calls no coupon delete when shown again after fulfilment', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    stripe.completeSession(sessionId);
    expect(parse(await statusOf(api, sessionId)).paymentStatus).toBe('paid');
    const fulfilled = (await scan('')).filter((item) => !String(item.PK).startsWith(PREFIXES.limit));
    const couponDeletes = stripe.requestCount('DELETE /v1/coupons/:id');
    clock.now += 60_000;

    const again = await statusOf(api, sessionId);
    expect(parse(again)).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
    expect((await scan('')).filter((item) => !String(item.PK).startsWith(PREFIXES.limit))).toEqual(fulfilled);
    expect(stripe.requestCount('DELETE /v1/coupons/:id')).toBe(couponDeletes);
    expect(api.notifier.sent.filter((o) => o.sessionId === sessionId)).toHaveLength(1);
  });

  it('answers the success page while another caller holds the order notification', async () => {
    const lostClaim = interceptTable(table.client, async ({ input }, proceed) => {
      const result = await proceed();
      if (String(input.UpdateExpression ?? '').startsWith('SET notifyLeaseUntil'))
        throw new Error('lost answer');
      return result;
    });
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now, tableClient: lostClaim });
    const { sessionId } = await api.buy(nextCart());
    const paid = stripe.completeSession(sessionId);
    expect(
      (await deliver(api, makeSessionEvent('checkout.session.completed', paid, nowSeconds()))).statusCode,
    ).toBe(500);

    const result = await statusOf(api, sessionId);
    expect(result.statusCode).toBe(200);
    expect(parse(result)).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
    expect(api.notifier.sent).toHaveLength(0);
  });

  it('answers the success page when the notifier fails, and does not try again on every poll', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const { sessionId } = await api.buy(nextCart());
    stripe.completeSession(sessionId);
    api.notifier.failing = true;
    expect(parse(await statusOf(api, sessionId))).toMatchObject({
      status: 'complete',
      paymentStatus: 'paid',
    });
    expect(parse(await statusOf(api, sessionId))).toMatchObject({ paymentStatus: 'paid' });
    expect(await ordersOf(sessionId)).toHaveLength(1);
    // One failed attempt; the next poll finds fulfilment done and leaves the notification to the retry.
    expect(api.telemetry.countOf('NotificationFailed')).toBe(1);
  });

  it('answers 400 for a malformed id and 404 for a session it did not create', async () => {
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    const malformed = await statusOf(api, 'not-a-session');
    expect(malformed.statusCode).toBe(400);
    expect(parse(malformed).error.code).toBe('validation_error');
    const unknown = await statusOf(api, 'cs_test_UnknownSession0000000000');
    expect(unknown.statusCode).toBe(404);
    expect(parse(unknown).error.code).toBe('not_found');
  });

  it('is rate-limited per client address', async () => {
    const api = await makeCommerceApi({
      table,
      stripe,
      now: () => clock.now,
      env: { RATE_LIMIT_STATUS_PER_HOUR: '2' },
    });
    const id = 'cs_test_RateLimitedSession000000';
    expect((await statusOf(api, id, '192.0.2.77')).statusCode).toBe(404);
    expect((await statusOf(api, id, '192.0.2.77')).statusCode).toBe(404);
    const limited = await statusOf(api, id, '192.0.2.77');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers?.['Retry-After']).toBeDefined();
  });
});
