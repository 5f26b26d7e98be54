import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { createDynamoStockStore } from '../../src/adapters/dynamodb/stock-store';
import { keys, PREFIXES } from '../../src/adapters/dynamodb/table-items';
import type { StockStore } from '../../src/app/ports';
import { type CommerceApi, makeCommerceApi, SHOP } from '../support/commerce-harness';
import { scanTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator } from '../support/stripe';
import { deliverLatestEvent } from '../support/webhook';

// Stock holds through the routes, as shoppers and Stripe drive them. The test catalog tracks the
// logo hoodie (refused when short) and the zip hoodie (sold on backorder).

let table: TestTable;
let stripe: StripeEmulator;
let stock: StockStore;
const clock = { now: Date.UTC(2026, 10, 28, 12, 0, 0) };
const nowSeconds = () => Math.floor(clock.now / 1000);

beforeAll(async () => {
  table = await startTestTable('stock-holds');
  stripe = await startTestEmulator({ now: () => clock.now });
  stock = createDynamoStockStore(table);
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});

type Item = { sku: string; quantity: number };
const headers = { 'Content-Type': 'application/json', Origin: SHOP };
const parse = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Record<string, any>;
let shopper = 0;

async function quote(api: CommerceApi, items: Item[], cartId?: string) {
  const body = { items, ...(cartId ? { cartId } : {}) };
  const result = await api.quote(makeProxyEvent({ body, headers, sourceIp: '203.0.113.40' }));
  return { status: result.statusCode, body: parse(result) };
}

async function checkout(
  api: CommerceApi,
  items: Item[],
  extra: { cartId?: string; quoteSignature?: string } = {},
) {
  shopper += 1;
  const quoteSignature = extra.quoteSignature ?? (await quote(api, items, extra.cartId)).body.quoteSignature;
  const result = await api.checkout(
    makeProxyEvent({
      path: '/checkout/create-session',
      body: {
        items,
        quoteSignature,
        email: `shopper${shopper}@example.com`,
        ...(extra.cartId ? { cartId: extra.cartId } : {}),
      },
      headers,
      sourceIp: '203.0.113.41',
    }),
  );
  return { status: result.statusCode, body: parse(result) };
}

async function deliverLatest(api: CommerceApi, sessionId: string, type: string) {
  await deliverLatestEvent(stripe, api.webhook, sessionId, type, nowSeconds());
}

async function level(sku: string) {
  const found = (await stock.levels([sku])).get(sku);
  return found
    ? { onHand: found.onHand, held: found.held, available: found.available, sold: found.sold }
    : null;
}

/** The live holds on a SKU. */
async function liveHolds(sku: string) {
  return (await scanTable(table)).filter(
    (item) => item.PK === PREFIXES.holds && String(item.lines).includes(`"${sku}"`),
  );
}

const newApi = () => makeCommerceApi({ table, stripe, now: () => clock.now });
const nextQuarter = () => {
  clock.now += 15 * 60_000;
};

describe('stock holds', () => {
  it('holds a checkout’s units until its session is paid, then sells them exactly once', async () => {
    nextQuarter();
    const api = await newApi();
    await stock.setOnHand('HOODIE-LOGO-BLK-M', 20, nowSeconds());
    // Two lines of one SKU count together.
    const items = [
      { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
      { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
    ];
    const quoted = await quote(api, items);
    expect(quoted.body.quote.lines[0].availability).toEqual({
      status: 'in_stock',
      available: 20,
      message: null,
      backorder: false,
    });
    const started = await checkout(api, items, { quoteSignature: quoted.body.quoteSignature });
    expect(started.status).toBe(201);
    expect(await level('HOODIE-LOGO-BLK-M')).toEqual({ onHand: 20, held: 2, available: 18, sold: 0 });
    // The session ends when the hold does.
    const [hold] = await liveHolds('HOODIE-LOGO-BLK-M');
    expect(hold?.until).toBe(stripe.session(started.body.sessionId)?.expires_at);
    expect(hold?.sessionId).toBe(started.body.sessionId);

    stripe.completeSession(started.body.sessionId);
    // The webhook twice (a redelivery) and the success page: one sale.
    await deliverLatest(api, started.body.sessionId, 'checkout.session.completed');
    await deliverLatest(api, started.body.sessionId, 'checkout.session.completed');
    const status = await api.status(
      makeProxyEvent({
        method: 'GET',
        path: '/checkout/session-status',
        query: { session_id: started.body.sessionId },
        headers: { Origin: SHOP },
      }),
    );
    expect(status.statusCode).toBe(200);
    expect(await level('HOODIE-LOGO-BLK-M')).toEqual({ onHand: 18, held: 0, available: 18, sold: 2 });
    expect(await liveHolds('HOODIE-LOGO-BLK-M')).toEqual([]);
  });

  it('releases an abandoned checkout’s units when its session expires, once, whatever is redelivered', async () => {
    nextQuarter();
    const api = await newApi();
    await stock.setOnHand('HOODIE-LOGO-BLK-L', 2, nowSeconds());
    const started = await checkout(api, [{ sku: 'HOODIE-LOGO-BLK-L', quantity: 2 }]);
    expect(started.status).toBe(201);
    expect(await level('HOODIE-LOGO-BLK-L')).toMatchObject({ held: 2, available: 0 });
    // Meanwhile the size is sold out for everyone else.
    const other = await quote(api, [{ sku: 'HOODIE-LOGO-BLK-L', quantity: 1 }]);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({
      code: 'out_of_stock',
      details: [{ sku: 'HOODIE-LOGO-BLK-L', available: 0, message: 'Logo Hoodie — Black, L is sold out.' }],
    });

    stripe.expireSession(started.body.sessionId);
    await deliverLatest(api, started.body.sessionId, 'checkout.session.expired');
    await deliverLatest(api, started.body.sessionId, 'checkout.session.expired');
    expect(await level('HOODIE-LOGO-BLK-L')).toMatchObject({ onHand: 2, held: 0, available: 2, sold: 0 });
    expect((await quote(api, [{ sku: 'HOODIE-LOGO-BLK-L', quantity: 2 }])).status).toBe(200);
  });

  it('gives back the units of a cart’s replaced session at once, and of a failed bank transfer', async () => {
    nextQuarter();
    const api = await newApi();
    await stock.setOnHand('HOODIE-LOGO-BLK-XL', 3, nowSeconds());
    const cartId = 'stock-replaced-cart-0001';
    const first = await checkout(api, [{ sku: 'HOODIE-LOGO-BLK-XL', quantity: 3 }], { cartId });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // The shopper takes one out. Their own held units count as theirs in the quote…
    const requoted = await quote(api, [{ sku: 'HOODIE-LOGO-BLK-XL', quantity: 2 }], cartId);
    expect(requoted.body.quote.lines[0].availability).toMatchObject({ available: 3 });
    // …but not in anyone else's.
    expect((await quote(api, [{ sku: 'HOODIE-LOGO-BLK-XL', quantity: 1 }])).status).toBe(409);
    // At checkout the old session is expired and its three units come back before the new session
    // holds its two — without waiting for Stripe's `expired` event.
    const second = await checkout(api, [{ sku: 'HOODIE-LOGO-BLK-XL', quantity: 2 }], { cartId });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(stripe.session(first.body.sessionId)?.status).toBe('expired');
    expect(await level('HOODIE-LOGO-BLK-XL')).toMatchObject({ held: 2, available: 1 });
    // The late `expired` event finds the hold already released.
    await deliverLatest(api, first.body.sessionId, 'checkout.session.expired');
    expect(await level('HOODIE-LOGO-BLK-XL')).toMatchObject({ held: 2, available: 1 });

    stripe.completeSession(second.body.sessionId, { async: true });
    await deliverLatest(api, second.body.sessionId, 'checkout.session.completed');
    expect(await level('HOODIE-LOGO-BLK-XL')).toMatchObject({ held: 2, available: 1 }); // still awaiting the transfer
    stripe.settleAsyncPayment(second.body.sessionId, false);
    await deliverLatest(api, second.body.sessionId, 'checkout.session.async_payment_failed');
    expect(await level('HOODIE-LOGO-BLK-XL')).toMatchObject({ onHand: 3, held: 0, available: 3, sold: 0 });
  });

  it('refuses at checkout the units another shopper took since the quote, naming what is left', async () => {
    nextQuarter();
    const api = await newApi();
    await stock.setOnHand('HOODIE-LOGO-BLK-XXL', 1, nowSeconds());
    const items = [{ sku: 'HOODIE-LOGO-BLK-XXL', quantity: 1 }];
    const a = await quote(api, items);
    const b = await quote(api, items);
    expect((await checkout(api, items, { quoteSignature: a.body.quoteSignature })).status).toBe(201);
    const late = await checkout(api, items, { quoteSignature: b.body.quoteSignature });
    expect(late.status).toBe(409);
    expect(late.body.error.details).toEqual([
      { sku: 'HOODIE-LOGO-BLK-XXL', available: 0, message: 'Logo Hoodie — Black, XXL is sold out.' },
    ]);
    expect(await level('HOODIE-LOGO-BLK-XXL')).toMatchObject({ held: 1, available: 0 });
    expect(await liveHolds('HOODIE-LOGO-BLK-XXL')).toHaveLength(1);
  });

  it('releases the hold when Stripe fails to make the session, and holds again on the retry', async () => {
    nextQuarter();
    const api = await newApi();
    await stock.setOnHand('HOODIE-LOGO-BLK-M', 1, nowSeconds());
    const before = (await level('HOODIE-LOGO-BLK-M'))?.sold ?? 0;
    const items = [{ sku: 'HOODIE-LOGO-BLK-M', quantity: 1 }];
    const quoted = await quote(api, items);
    stripe.faults.add({ method: 'POST', path: '/v1/checkout/sessions', status: 500, times: 3 });
    const failed = await checkout(api, items, { quoteSignature: quoted.body.quoteSignature });
    expect(failed.status).toBe(502);
    expect(await level('HOODIE-LOGO-BLK-M')).toMatchObject({ held: 0, available: 1 });
    const retried = await checkout(api, items, { quoteSignature: quoted.body.quoteSignature });
    expect(retried.status).toBe(201);
    expect(await level('HOODIE-LOGO-BLK-M')).toMatchObject({ held: 1, available: 0, sold: before });
  });

  it('sells a backorder beyond the stock and flags the order; so too a sale after on-hand was corrected down', async () => {
    nextQuarter();
    const api = await newApi();
    await stock.setOnHand('HOODIE-ZIP-GRY-M', 1, nowSeconds());
    const backorder = await checkout(api, [{ sku: 'HOODIE-ZIP-GRY-M', quantity: 3 }]);
    expect(backorder.status).toBe(201);
    expect(await level('HOODIE-ZIP-GRY-M')).toMatchObject({ held: 3, available: -2 });

    await stock.setOnHand('HOODIE-LOGO-BLK-S', 2, nowSeconds());
    const corrected = await checkout(api, [{ sku: 'HOODIE-LOGO-BLK-S', quantity: 2 }]);
    expect(corrected.status).toBe(201);
    await stock.setOnHand('HOODIE-LOGO-BLK-S', 1, nowSeconds()); // one was found damaged

    for (const { body } of [backorder, corrected]) {
      stripe.completeSession(body.sessionId);
      await deliverLatest(api, body.sessionId, 'checkout.session.completed');
    }
    expect(await level('HOODIE-ZIP-GRY-M')).toMatchObject({ onHand: -2, held: 0, sold: 3 });
    expect(await level('HOODIE-LOGO-BLK-S')).toMatchObject({ onHand: -1, held: 0, available: -1 });
    const orders = (await scanTable(table)).filter((i) => String(i.PK).startsWith(PREFIXES.orders));
    for (const [session, sku] of [
      [backorder.body.sessionId, 'HOODIE-ZIP-GRY-M'],
      [corrected.body.sessionId, 'HOODIE-LOGO-BLK-S'],
    ]) {
      const order = orders.find((o) => o.sessionId === session);
      expect(order?.problems).toEqual(['short_stock']);
      expect(order?.shortSkus).toEqual([sku]);
    }
    expect(api.notifier.sent.filter((o) => o.problems.includes('short_stock'))).toHaveLength(2);
    expect(api.telemetry.countOf('OrderStockShort')).toBe(2);
  });

  it('sweeps the hold of a checkout that stopped before its session, and of a session that expired unheard, only once their end has passed', async () => {
    nextQuarter();
    const api = await newApi();
    await stock.setOnHand('HOODIE-LOGO-BLK-L', 4, nowSeconds());
    const until = nowSeconds() + 3_600;
    const orphan = {
      holdId: 'orphan-attempt',
      until,
      lines: [{ sku: 'HOODIE-LOGO-BLK-L', quantity: 2, whenShort: 'refuse' as const }],
    };
    expect(await stock.takeHold({ ...orphan, slotId: 'cart#orphan', now: nowSeconds() })).toEqual({
      outcome: 'taken',
    });
    // Taking it again (a retry of the same attempt) holds nothing more.
    expect(await stock.takeHold({ ...orphan, slotId: 'cart#orphan', now: nowSeconds() })).toEqual({
      outcome: 'taken',
    });
    const withSession = await checkout(api, [{ sku: 'HOODIE-LOGO-BLK-L', quantity: 1 }]);
    expect(withSession.status).toBe(201);
    expect(await level('HOODIE-LOGO-BLK-L')).toMatchObject({ held: 3, available: 1 });

    expect(await api.sweepHolds()).toMatchObject({ released: 0 }); // not ended yet
    clock.now = (until + 16 * 60) * 1000;
    const [first, second] = await Promise.all([api.sweepHolds(), api.sweepHolds()]);
    expect((first?.released ?? 0) + (second?.released ?? 0)).toBe(1);
    expect(await level('HOODIE-LOGO-BLK-L')).toMatchObject({ held: 1, available: 3 });
    // The session's hold is its session's: left while Stripe says the session is open…
    const remaining = await liveHolds('HOODIE-LOGO-BLK-L');
    expect(remaining.map((h) => h.sessionId)).toEqual([withSession.body.sessionId]);
    expect(remaining[0]?.SK).toBe(keys.hold(Number(remaining[0]?.until), String(remaining[0]?.holdId)).SK);
    // …and released once it expired, even with its `expired` event never delivered (webhook down).
    const sessionEnd = Number(remaining[0]?.until);
    clock.now = (sessionEnd + 16 * 60) * 1000;
    expect(await api.sweepHolds()).toMatchObject({ released: 0 }); // Stripe: still open
    stripe.expireSession(withSession.body.sessionId);
    expect(await api.sweepHolds()).toMatchObject({ released: 1 });
    expect(await level('HOODIE-LOGO-BLK-L')).toMatchObject({ held: 0, available: 4 });
    expect(await liveHolds('HOODIE-LOGO-BLK-L')).toEqual([]);
  });
});
