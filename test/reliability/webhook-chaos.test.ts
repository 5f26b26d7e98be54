import type { APIGatewayProxyResult } from 'aws-lambda';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import type { RetryNotice } from '../../src/adapters/aws/json-client';
import { createDynamoOrderLifeStore } from '../../src/adapters/dynamodb/order-life-store';
import { createTableClient, type TableClient } from '../../src/adapters/dynamodb/table-client';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import type { PaymentState } from '../../src/domain/payment-state';
import { createCode, listCodes } from '../../src/ops/codes';
import { type AwsProxy, startAwsProxy } from '../support/aws-proxy';
import { testCode } from '../support/codes';
import { scanTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { seededRandom } from '../support/seeded-random';
import { startTestEmulator, TEST_STRIPE_KEY } from '../support/stripe';
import { makeSessionEvent, signedDelivery } from '../support/webhook';
import { flakyTable, type LiveApi, makeLiveApi, runConcurrently, shuffled } from './harness';
import { registerClientIps } from './log-audit';

const DELIVERIES = 500;
const BUYER_IP = '203.0.113.61';

let table: TestTable;
let stripe: StripeEmulator;
/** DynamoDB as the webhook meets it: behind a proxy that throttles, fails and drops connections. */
let wire: AwsProxy;
let wireClient: TableClient;
const wireRetries: RetryNotice[] = [];
const WIRE_SECRET = 'chaos-wire-secret';
const clock = { now: Date.UTC(2026, 10, 27, 15, 0, 0) };
const nowSeconds = () => Math.floor(clock.now / 1000);

beforeAll(async () => {
  table = await startTestTable('chaos-test');
  stripe = await startTestEmulator({ now: () => clock.now });
  wire = await startAwsProxy({ target: table.endpoint, secretAccessKey: WIRE_SECRET, service: 'dynamodb' });
  wireClient = createTableClient({
    endpoint: wire.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDCHAOS', secretAccessKey: WIRE_SECRET },
    onRetry: (retry) => wireRetries.push(retry),
  });
  registerClientIps(BUYER_IP, '203.0.113.10');
});
afterAll(async () => {
  wireClient.close();
  await wire.close();
  await stripe.close();
  await table.close();
});

async function scan(): Promise<Record<string, any>[]> {
  return scanTable(table);
}

/** Every other shopper buys with a discount code, whose uses the chaos must count exactly. */
const CODE = 'CHAOS';
const withCode = (n: number) => n % 2 === 0;

async function buy(api: LiveApi, n: number): Promise<string> {
  const headers = { 'Content-Type': 'application/json', Origin: 'https://shop.example.com' };
  const items = [
    { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
    { sku: 'STICKER-HEART', quantity: (n % 25) + 1 },
    { sku: 'SOCKS-CREW-WHT', quantity: Math.floor(n / 25) + 1 },
  ];
  const body = withCode(n) ? { items, code: CODE } : { items };
  const quote = JSON.parse((await api.quote(makeProxyEvent({ body, headers, sourceIp: BUYER_IP }))).body) as {
    quoteSignature: string;
  };
  const result = await api.checkout(
    makeProxyEvent({
      path: '/checkout/create-session',
      body: { items, quoteSignature: quote.quoteSignature, email: 'chaos.buyer@example.com' },
      headers,
      sourceIp: BUYER_IP,
    }),
  );
  if (result.statusCode >= 300) throw new Error(`checkout failed: ${result.body}`);
  return String((JSON.parse(result.body) as { sessionId: string }).sessionId);
}

describe('webhook chaos', () => {
  it(`fulfils every paid session exactly once from ${DELIVERIES} shuffled, duplicated, concurrent deliveries despite DynamoDB and Stripe faults`, async () => {
    const random = seededRandom(2026);
    const buyer = await makeLiveApi({ table, stripe, now: () => clock.now });
    // Two layers of trouble: on the wire, throttling, 5xx, resets and lost answers that the table
    // client retries as the SDK would; above it, calls lost outright (a request or an answer the
    // retries did not save), which the webhook's idempotent steps and Stripe's redelivery absorb.
    const flaky = flakyTable({ client: wireClient }, seededRandom(99));
    const wireRandom = seededRandom(7);
    const api = await makeLiveApi({ table, stripe, now: () => clock.now, tableClient: flaky.client });

    await createCode(table, testCode(CODE, { limit: 1_000 }), nowSeconds());
    const sessions: string[] = [];
    for (let i = 0; i < 150; i += 1) sessions.push(await buy(buyer, i));
    const coded = new Set(sessions.filter((_, i) => withCode(i)));
    const paid = sessions.slice(0, 90);
    const asyncPaid = sessions.slice(90, 102);
    const asyncFailed = sessions.slice(102, 110);
    const expired = sessions.slice(110, 135);
    const open = sessions.slice(135);
    for (const id of paid) stripe.completeSession(id);
    for (const id of [...asyncPaid, ...asyncFailed]) stripe.completeSession(id, { async: true });
    for (const id of asyncPaid) stripe.settleAsyncPayment(id, true);
    for (const id of asyncFailed) stripe.settleAsyncPayment(id, false);
    for (const id of expired) stripe.expireSession(id);

    // The events Stripe sent, a late and contradictory expiry for 20 paid sessions, and 30 events of
    // types this system ignores; every one delivered at least once, then duplicates up to 500.
    const events: object[] = stripe.events().map((record) => record.event);
    for (const id of paid.slice(0, 20)) {
      events.push(
        makeSessionEvent(
          'checkout.session.expired',
          { ...stripe.session(id), status: 'expired' },
          nowSeconds(),
        ),
      );
    }
    for (let i = 0; i < 30; i += 1) {
      events.push(
        makeSessionEvent('charge.succeeded', { id: `ch_chaos_${i}`, object: 'charge' }, nowSeconds()),
      );
    }
    const deliveries = [...events];
    while (deliveries.length < DELIVERIES)
      deliveries.push(events[Math.floor(random() * events.length)] as object);
    let pending = shuffled(deliveries, random);

    stripe.faults.add({ method: 'DELETE', path: '/v1/coupons/*', status: 500, times: 10 });
    stripe.faults.add({
      method: 'DELETE',
      path: '/v1/coupons/*',
      status: 500,
      afterProcessing: true,
      times: 10,
    });
    stripe.faults.add({ method: 'DELETE', path: '/v1/coupons/*', status: 429, times: 5 });
    stripe.faults.add({
      method: 'DELETE',
      path: '/v1/coupons/*',
      disconnect: true,
      afterProcessing: true,
      times: 5,
    });

    // Stripe redelivers whatever was not answered 2xx. Faults fade out over the rounds; the clock
    // moves past the 30-second event lease between rounds, as Stripe's backoff would.
    const answered: number[] = [];
    let rounds = 0;
    for (; pending.length > 0 && rounds < 20; rounds += 1) {
      flaky.state.failureRate = rounds < 4 ? 0.08 : rounds < 7 ? 0.03 : 0;
      wire.chaos(rounds < 4 ? 0.06 : rounds < 7 ? 0.02 : 0, wireRandom);
      const failed: object[] = [];
      await runConcurrently(pending, 10, async (event) => {
        const result: APIGatewayProxyResult = await api.webhook(
          signedDelivery(JSON.stringify(event), { timestamp: nowSeconds() }),
        );
        answered.push(result.statusCode);
        if (result.statusCode >= 300) failed.push(event);
      });
      pending = failed;
      clock.now += 31_000;
    }

    expect(pending).toEqual([]);
    // Every event is acknowledged; notifications whose claim or send was lost are owed, and the
    // scheduled retry (after the lost claims' leases lapse) sends each of them.
    // The retry runs under the same faults; a run that fails is simply followed by the next one.
    for (let run = 0, owed = 1; run < 10 && owed > 0; run += 1) {
      clock.now += 61_000;
      owed = await api.retryNotifications().then(
        (summary) => summary.pending,
        () => 1,
      );
    }
    // The chaos happened: calls failed, Stripe faults were used, Stripe was told to retry.
    wire.chaos(0, wireRandom);
    expect(flaky.state.injected).toBeGreaterThan(20);
    // On the wire: every kind of fault met, each retried by the client with backoff (throttling on
    // its 1 s base), and no request ever sent unsigned or wrongly signed.
    expect(wire.requests.filter((r) => r.fault !== null).length).toBeGreaterThan(40);
    expect(wire.requests.every((r) => r.signatureValid)).toBe(true);
    expect(new Set(wireRetries.map((r) => r.failure))).toEqual(new Set(['throttling', 'transient']));
    expect(wireRetries.filter((r) => r.failure === 'throttling').every((r) => r.capMs >= 1_000)).toBe(true);
    expect(wireRetries.every((r) => r.delayMs < r.capMs)).toBe(true);
    expect(stripe.faults.list()).toEqual([]);
    expect(answered.filter((s) => s >= 500).length).toBeGreaterThan(0);
    expect(answered.filter((s) => s >= 400 && s < 500 && s !== 409)).toEqual([]);

    const items = await scan();
    const records = new Map(
      items.filter((i) => String(i.PK).startsWith(PREFIXES.session)).map((i) => [i.sessionId, i]),
    );
    const orders = items.filter((i) => String(i.PK).startsWith(PREFIXES.orders));
    const paidAll = [...paid, ...asyncPaid];
    const problems: string[] = [];
    for (const id of paidAll) {
      const record = records.get(id);
      const notified = api.notifier.sent.filter((o) => o.sessionId === id).length;
      const coupon = stripe.state().coupons.find((c) => c.coupon.id === record?.couponId);
      if (record?.status !== 'complete') problems.push(`${id}: status ${record?.status}`);
      if (orders.filter((o) => o.sessionId === id).length !== 1) problems.push(`${id}: orders`);
      if (record?.notifiedAt === undefined) problems.push(`${id}: not marked notified`);
      const allowed = 1 + (flaky.state.lostNotifyMarks.get(`${PREFIXES.session}${id}`) ?? 0);
      if (notified < 1 || notified > allowed) problems.push(`${id}: notified ${notified}×`);
      if (!coupon?.deleted) problems.push(`${id}: coupon kept`);
    }
    for (const [ids, status] of [
      [asyncFailed, 'payment_failed'],
      [expired, 'expired'],
      [open, 'open'],
    ] as const) {
      for (const id of ids) {
        if (records.get(id)?.status !== status)
          problems.push(`${id}: status ${records.get(id)?.status}, not ${status}`);
        const coupon = stripe.state().coupons.find((c) => c.coupon.id === records.get(id)?.couponId);
        if (coupon?.deleted !== (status !== 'open'))
          problems.push(`${id}: coupon deleted ${coupon?.deleted}`);
      }
    }
    expect(problems).toEqual([]);
    expect(orders).toHaveLength(paidAll.length);
    expect(items.filter((i) => String(i.PK).startsWith(PREFIXES.coupon)).length).toBe(open.length);
    const markers = items.filter((i) => String(i.PK).startsWith(PREFIXES.event));
    expect(markers.filter((m) => m.status !== 'done')).toEqual([]);
    expect(markers).toHaveLength(events.length - 30);
    // The code's uses, by outcome: one used per paid session that carried it, one held per open one,
    // none for those that expired or whose transfer failed — whatever was redelivered or lost.
    const counted = (ids: readonly string[]) => ids.filter((id) => coded.has(id)).length;
    expect((await listCodes(table)).find((c) => c.code === CODE)).toMatchObject({
      used: counted(paidAll),
      held: counted(open),
    });
    expect(orders.filter((o) => o.code === CODE)).toHaveLength(counted(paidAll));
  });
});

/** The payment state Stripe's own objects say an order is in (the expectation, computed apart). */
function stripeState(paymentIntentId: string): { state: PaymentState; amountRefunded: number } {
  const charge = stripe.chargeOfPaymentIntent(paymentIntentId);
  if (!charge) throw new Error(`no charge for ${paymentIntentId}`);
  const disputes = stripe.state().disputes.filter((d) => d.payment_intent === paymentIntentId);
  const amountRefunded = charge.amount_refunded;
  if (disputes.some((d) => d.status === 'lost')) return { state: 'dispute_lost', amountRefunded };
  if (disputes.some((d) => !['won', 'lost', 'warning_closed'].includes(d.status))) {
    return { state: 'disputed', amountRefunded };
  }
  if (disputes.some((d) => d.status === 'won')) return { state: 'dispute_won', amountRefunded };
  if (amountRefunded >= charge.amount) return { state: 'refunded', amountRefunded };
  return { state: amountRefunded > 0 ? 'partially_refunded' : 'paid', amountRefunded };
}

describe('webhook chaos after payment', () => {
  it("ends every order in Stripe's payment state, alerting once per change, from shuffled, duplicated refund and dispute events racing the success page under faults", async () => {
    const random = seededRandom(77);
    const buyer = await makeLiveApi({ table, stripe, now: () => clock.now });
    const flaky = flakyTable(table, seededRandom(5));
    const api = await makeLiveApi({ table, stripe, now: () => clock.now, tableClient: flaky.client });
    const sdk = new Stripe(TEST_STRIPE_KEY, { ...stripe.sdkOptions(), maxNetworkRetries: 0 });
    const tick = () => {
      clock.now += 2_000;
    };

    const from = stripe.events().length;
    const sessions: string[] = [];
    for (let i = 0; i < 48; i += 1) sessions.push(await buy(buyer, 200 + i));
    const intents = new Map<string, string>();
    for (const id of sessions) intents.set(id, String(stripe.completeSession(id).payment_intent));
    const pi = (id: string) => intents.get(id) ?? '';
    const [partial, several, failedRefund, won, lost, inquiry] = [0, 8, 16, 24, 32, 40].map((start) =>
      sessions.slice(start, start + 6),
    );
    // Refunds (the Dashboard's or the CLI's: the same API) and disputes, a few seconds apart.
    for (const id of partial ?? []) {
      tick();
      await sdk.refunds.create({ payment_intent: pi(id), amount: 700 });
    }
    for (const id of several ?? []) {
      tick();
      await sdk.refunds.create({ payment_intent: pi(id), amount: 500 });
      tick();
      await sdk.refunds.create({ payment_intent: pi(id), amount: 300 });
      tick();
      await sdk.refunds.create({ payment_intent: pi(id) });
    }
    for (const id of failedRefund ?? []) {
      tick();
      const refund = await sdk.refunds.create({ payment_intent: pi(id), amount: 900 });
      tick();
      stripe.failRefund(refund.id);
    }
    for (const [group, outcome] of [
      [won, 'won'],
      [lost, 'lost'],
    ] as const) {
      for (const id of group ?? []) {
        tick();
        const dispute = stripe.openDispute(pi(id));
        tick();
        stripe.updateDispute(dispute.id, 'under_review');
        tick();
        stripe.closeDispute(dispute.id, outcome);
      }
    }
    for (const id of inquiry ?? []) {
      tick();
      const question = stripe.openDispute(pi(id), { inquiry: true });
      tick();
      stripe.closeDispute(question.id, 'warning_closed');
    }

    const events: object[] = stripe
      .events()
      .slice(from)
      .map((record) => record.event);
    const deliveries = [...events];
    while (deliveries.length < 3 * events.length) {
      deliveries.push(events[Math.floor(random() * events.length)] as object);
    }
    let pending = shuffled(deliveries, random);
    const answered: number[] = [];
    let rounds = 0;
    for (; pending.length > 0 && rounds < 20; rounds += 1) {
      flaky.state.failureRate = rounds < 3 ? 0.06 : rounds < 6 ? 0.02 : 0;
      const failed: object[] = [];
      await Promise.all([
        runConcurrently(pending, 10, async (event) => {
          const result = await api.webhook(
            signedDelivery(JSON.stringify(event), { timestamp: nowSeconds() }),
          );
          answered.push(result.statusCode);
          if (result.statusCode >= 300) failed.push(event);
        }),
        // Shoppers on the success page meanwhile: the same fulfilment, racing the webhook.
        runConcurrently(shuffled(sessions, random).slice(0, 20), 4, async (id) => {
          await api.status(
            makeProxyEvent({
              method: 'GET',
              path: '/checkout/session-status',
              query: { session_id: id },
              sourceIp: BUYER_IP,
            }),
          );
        }),
      ]);
      pending = failed;
      clock.now += 31_000;
    }
    expect(pending).toEqual([]);
    flaky.state.failureRate = 0;
    for (let run = 0, owed = 1; run < 10 && owed > 0; run += 1) {
      clock.now += 61_000;
      const summary = await api.retryNotifications();
      owed = summary.pending + (summary.mail.owed - summary.mail.sent);
    }
    expect(flaky.state.injected).toBeGreaterThan(10);
    expect(answered.filter((s) => s >= 500).length).toBeGreaterThan(0);
    expect(answered.filter((s) => s >= 400 && s < 500 && s !== 409)).toEqual([]);

    const store = createDynamoOrderLifeStore(table);
    const problems: string[] = [];
    let alertsExpected = 0;
    for (const id of sessions) {
      const life = await store.findOrder(id);
      if (!life) {
        problems.push(`${id}: no order`);
        continue;
      }
      const expected = stripeState(pi(id));
      const state = life.payment?.state ?? 'paid';
      const refunded = life.payment?.amountRefunded ?? 0;
      if (state !== expected.state || refunded !== expected.amountRefunded) {
        problems.push(
          `${id}: ${state}/${refunded}, Stripe says ${expected.state}/${expected.amountRefunded}`,
        );
      }
      // Each change is recorded once: never the same state and amount twice in a row.
      life.history.forEach((entry, i) => {
        const previous = life.history[i - 1];
        if (entry.seq !== i + 1) problems.push(`${id}: history seq ${entry.seq} at ${i}`);
        if (previous && previous.state === entry.state && previous.amountRefunded === entry.amountRefunded) {
          problems.push(`${id}: change ${entry.seq} repeats ${previous.seq}`);
        }
      });
      const allowed = 1 + (flaky.state.lostAlertMarks.get(`${life.order.paidAt}#${id}`) ?? 0);
      for (const entry of life.history.filter((h) => h.alert)) {
        alertsExpected += 1;
        const sent = api.mail.alerts.filter(
          (a) => a.order.sessionId === id && a.change.seq === entry.seq,
        ).length;
        if (sent < 1 || sent > allowed) problems.push(`${id}: alert ${entry.seq} sent ${sent}×`);
      }
      if (life.alertedSeq < Math.max(0, ...life.history.filter((h) => h.alert).map((h) => h.seq))) {
        problems.push(`${id}: alerts not all marked sent`);
      }
      const notified = api.notifier.sent.filter((o) => o.sessionId === id).length;
      const allowedNotices = 1 + (flaky.state.lostNotifyMarks.get(`${PREFIXES.session}${id}`) ?? 0);
      if (notified < 1 || notified > allowedNotices) problems.push(`${id}: order notified ${notified}×`);
    }
    expect(problems).toEqual([]);
    // The groups ended where Stripe left them, and those that took money were alerted.
    const finalStates = new Set(sessions.map((id) => stripeState(pi(id)).state));
    expect(finalStates).toEqual(
      new Set(['partially_refunded', 'refunded', 'paid', 'dispute_won', 'dispute_lost']),
    );
    expect(alertsExpected).toBeGreaterThanOrEqual(18);
    expect(
      api.mail.alerts.filter((a) => a.change.state === 'paid' || a.change.state === 'dispute_won'),
    ).toEqual([]);
    expect(await scanTable(table, PREFIXES.owed)).toEqual([]);
  });
});
