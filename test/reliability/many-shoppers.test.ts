import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import type { SessionObject } from '../../local/stripe-emulator';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { createTestReader, scanTable } from '../support/dynamo';
import { payOnHostedPage, postToStack, startReliabilityStack } from './harness';

// Many shoppers at once, through HTTP, as the storefront and Stripe's hosted page would drive the
// local stack. The stack runs with COUPON_FALLBACK=none: a session that lost its bundle coupon would
// charge the undiscounted subtotal, so every "charged = quoted" assertion below also proves that no
// shopper ever lost a discount.

interface Item {
  readonly sku: string;
  readonly quantity: number;
}
interface Quoted {
  readonly quoteSignature: string;
  readonly quote: { readonly total: number; readonly discount: number; readonly currency: string };
}

const CARTS: readonly (readonly Item[])[] = [
  [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }],
  [{ sku: 'STICKER-HEART', quantity: 3 }],
  [
    { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
    { sku: 'STICKER-HEART', quantity: 3 },
  ],
];

let stack: LocalStack;
const clock = { offsetMs: 0 };
const now = () => Date.now() + clock.offsetMs;

beforeAll(async () => {
  stack = await startReliabilityStack({ env: { COUPON_FALLBACK: 'none' }, now });
});
afterAll(() => stack.close());

const emulator = () => {
  if (!stack.stripe) throw new Error('the reliability stack runs the Stripe emulator');
  return stack.stripe;
};

const call = (path: string, body: unknown) => postToStack(stack, path, body);

async function quote(items: readonly Item[]): Promise<Quoted> {
  const answer = await call('/cart/quote', { items });
  expect(answer.status).toBe(200);
  return answer.body as Quoted;
}

async function checkout(input: {
  items: readonly Item[];
  quoteSignature: string;
  email?: string;
  cartId?: string;
}) {
  return call('/checkout/create-session', input);
}

/** What the customer does on the hosted page. */
const pay = (sessionId: string, action: 'pay' | 'pay_async' = 'pay') =>
  payOnHostedPage(stack, sessionId, action);

async function settleTransfer(sessionId: string, outcome: 'succeeded' | 'failed'): Promise<void> {
  const response = await fetch(`${emulator().url}/pay/${encodeURIComponent(sessionId)}/settle`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ outcome }).toString(),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  expect(response.status).toBe(303);
}

async function tableItems(): Promise<Record<string, unknown>[]> {
  const sdk = createTestReader(stack.dynamoEndpoint);
  try {
    return await scanTable({ sdk, tableName: String(stack.env.COMMERCE_TABLE) });
  } finally {
    sdk.destroy();
  }
}

async function orderOf(sessionId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i += 1) {
    const order = (await tableItems()).find(
      (item) => String(item.PK).startsWith(PREFIXES.orders) && item.sessionId === sessionId,
    );
    if (order) return order;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no order for ${sessionId}`);
}

async function sessionStatusOf(sessionId: string, predicate: (status: string) => boolean) {
  for (let i = 0; i < 200; i += 1) {
    const record = (await tableItems()).find((item) => item.PK === `${PREFIXES.session}${sessionId}`);
    if (record && predicate(String(record.status))) return String(record.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`session ${sessionId} never reached the wanted status`);
}

function stripeSession(id: string): SessionObject {
  const session = emulator().session(id);
  if (!session) throw new Error(`no session ${id} at Stripe`);
  return session;
}

/** What Stripe charged for the items: the total less shipping and tax. */
function chargedForItems(session: SessionObject): number {
  return (
    (session.amount_total ?? 0) -
    (session.total_details?.amount_shipping ?? 0) -
    (session.total_details?.amount_tax ?? 0)
  );
}

const newCartId = () => randomBytes(16).toString('base64url');

describe('many shoppers at once', () => {
  it('gives 30 concurrent shoppers on 3 identical carts 30 sessions and 30 orders, each with its own email, each charged its quote', async () => {
    const shoppers = Array.from({ length: 30 }, (_, i) => ({
      email: `shopper${i}@example.com`,
      items: CARTS[i % CARTS.length] as readonly Item[],
      cartId: newCartId(),
    }));
    const results = await Promise.all(
      shoppers.map(async (shopper) => {
        const quoted = await quote(shopper.items);
        const created = await checkout({
          items: shopper.items,
          quoteSignature: quoted.quoteSignature,
          email: shopper.email,
          cartId: shopper.cartId,
        });
        expect(created.status).toBe(201);
        expect(await pay(String(created.body.sessionId))).toBe(303);
        return { ...shopper, quoted, sessionId: String(created.body.sessionId) };
      }),
    );

    expect(new Set(results.map((r) => r.quoted.quoteSignature)).size).toBe(30);
    expect(new Set(results.map((r) => r.sessionId)).size).toBe(30);
    for (const result of results) {
      const session = stripeSession(result.sessionId);
      expect(session.customer_email).toBe(result.email);
      expect(session.payment_status).toBe('paid');
      expect(chargedForItems(session)).toBe(result.quoted.quote.total);
      expect(session.total_details?.amount_discount).toBe(result.quoted.quote.discount);
      const order = await orderOf(result.sessionId);
      expect(order.customerEmail).toBe(result.email);
      expect(order.amountTotal).toBe(session.amount_total);
      expect(order.problems).toEqual([]);
    }
    // Every coupon belongs to one session.
    const coupons = results.map((r) =>
      emulator()
        .state()
        .sessions.find((s) => s.session.id === r.sessionId),
    );
    expect(new Set(coupons.map((s) => s?.couponId)).size).toBe(30);
  });

  it('lets a returning shopper whose session expired pay exactly the quote, with a fresh coupon', async () => {
    const items = CARTS[0] as readonly Item[];
    const quoted = await quote(items);
    const first = await checkout({ items, quoteSignature: quoted.quoteSignature, email: 'back@example.com' });
    expect(first.status).toBe(201);
    emulator().expireSession(String(first.body.sessionId));
    await sessionStatusOf(String(first.body.sessionId), (s) => s === 'expired');

    // The same quote, still valid: a new session with its own coupon (the first one was deleted).
    const again = await checkout({ items, quoteSignature: quoted.quoteSignature, email: 'back@example.com' });
    expect(again.status).toBe(201);
    expect(again.body.sessionId).not.toBe(first.body.sessionId);
    expect(await pay(String(again.body.sessionId))).toBe(303);
    const session = stripeSession(String(again.body.sessionId));
    expect(chargedForItems(session)).toBe(quoted.quote.total);
    expect((await orderOf(String(again.body.sessionId))).amountTotal).toBe(session.amount_total);

    // Long after, the quote itself expired: re-issued at the same price, charged exactly that.
    clock.offsetMs += 3 * 3_600_000;
    const later = await checkout({ items, quoteSignature: quoted.quoteSignature, email: 'back@example.com' });
    expect(later.status).toBe(201);
    expect(later.body.quoteSignature).not.toBe(quoted.quoteSignature);
    expect(await pay(String(later.body.sessionId))).toBe(303);
    expect(chargedForItems(stripeSession(String(later.body.sessionId)))).toBe(quoted.quote.total);
  });

  it('lets a shopper whose bank transfer failed pay the same quote by card, charged exactly the quote', async () => {
    const items = CARTS[2] as readonly Item[];
    const quoted = await quote(items);
    const cartId = newCartId();
    const first = await checkout({
      items,
      quoteSignature: quoted.quoteSignature,
      email: 'bank@example.com',
      cartId,
    });
    const firstId = String(first.body.sessionId);
    expect(await pay(firstId, 'pay_async')).toBe(303);
    await sessionStatusOf(firstId, (s) => s === 'awaiting_payment');
    await settleTransfer(firstId, 'failed');
    await sessionStatusOf(firstId, (s) => s === 'payment_failed');

    const status = await fetch(`${stack.url}/checkout/session-status?session_id=${firstId}`, {
      headers: { Origin: new URL(stack.url).origin },
    });
    expect(((await status.json()) as { paymentStatus: string }).paymentStatus).toBe('failed');

    const card = await checkout({
      items,
      quoteSignature: quoted.quoteSignature,
      email: 'bank@example.com',
      cartId,
    });
    expect(card.status).toBe(201);
    expect(await pay(String(card.body.sessionId))).toBe(303);
    const session = stripeSession(String(card.body.sessionId));
    expect(chargedForItems(session)).toBe(quoted.quote.total);
    expect((await orderOf(String(card.body.sessionId))).amountTotal).toBe(session.amount_total);
    expect(
      (await tableItems()).filter((i) => String(i.PK).startsWith(PREFIXES.orders) && i.sessionId === firstId),
    ).toEqual([]);
  });

  it('charges two tabs of one cart once, across a quote expiry', async () => {
    const items = CARTS[1] as readonly Item[];
    const cartId = newCartId();
    const tab1Quote = await quote(items);
    const tab1 = await checkout({ items, quoteSignature: tab1Quote.quoteSignature, cartId });
    expect(tab1.status).toBe(201);

    clock.offsetMs += 11 * 60_000; // tab 1's quote has expired; tab 2 presents it and is re-issued
    const tab2 = await checkout({ items, quoteSignature: tab1Quote.quoteSignature, cartId });
    expect(tab2.status).toBe(201);
    expect(tab2.body.sessionId).not.toBe(tab1.body.sessionId);

    // Tab 1's page can no longer take money; tab 2 pays exactly the quote.
    expect(stripeSession(String(tab1.body.sessionId)).status).toBe('expired');
    expect(await pay(String(tab1.body.sessionId))).toBeGreaterThanOrEqual(400);
    expect(await pay(String(tab2.body.sessionId))).toBe(303);
    expect(chargedForItems(stripeSession(String(tab2.body.sessionId)))).toBe(tab1Quote.quote.total);
    await orderOf(String(tab2.body.sessionId));

    // A third checkout of the paid cart is refused, pointing at the paid session.
    const third = await checkout({ items, quoteSignature: (await quote(items)).quoteSignature, cartId });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('cart_already_paid');
    expect(third.body.sessionId).toBe(tab2.body.sessionId);
    const paidOrders = (await tableItems()).filter(
      (i) =>
        String(i.PK).startsWith(PREFIXES.orders) &&
        (i.sessionId === tab1.body.sessionId || i.sessionId === tab2.body.sessionId),
    );
    expect(paidOrders).toHaveLength(1);
  });
});
