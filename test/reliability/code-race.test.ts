import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { createTableClient, type TableClient } from '../../src/adapters/dynamodb/table-client';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { createCode, listCodes } from '../../src/ops/codes';
import { testCode } from '../support/codes';
import { createTestReader, scanTable } from '../support/dynamo';
import { payOnHostedPage, postToStack, runConcurrently, startReliabilityStack } from './harness';

// Shoppers racing for a code with few uses, through HTTP, as the storefront and Stripe's hosted
// page would drive the local stack: the code's uses are counted by outcome, exactly.

interface Item {
  readonly sku: string;
  readonly quantity: number;
}

const SHOPPERS = 100;
const USES = 10;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startReliabilityStack({ env: { COUPON_FALLBACK: 'none' } });
});
afterAll(() => stack.close());

const emulator = () => {
  if (!stack.stripe) throw new Error('the reliability stack runs the Stripe emulator');
  return stack.stripe;
};

async function withTable<T>(
  run: (table: { client: TableClient; sdk: DynamoDBDocumentClient; tableName: string }) => Promise<T>,
) {
  const client = createTableClient({ endpoint: stack.dynamoEndpoint });
  const sdk = createTestReader(stack.dynamoEndpoint);
  try {
    return await run({ client, sdk, tableName: String(stack.env.COMMERCE_TABLE) });
  } finally {
    client.close();
    sdk.destroy();
  }
}

const call = (path: string, body: unknown) => postToStack(stack, path, body);
/** What the shopper does on the hosted page: presses Pay. */
const pay = (sessionId: string) => payOnHostedPage(stack, sessionId);

async function counts(code: string) {
  const found = (await withTable(listCodes)).find((c) => c.code === code);
  return { used: found?.used, held: found?.held };
}

/** Waits for the webhook deliveries to settle the table into `wanted`. */
async function eventually<T>(read: () => Promise<T>, wanted: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 300 && !wanted(value); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

const ordersWith = async (code: string) =>
  (await withTable((table) => scanTable(table, PREFIXES.orders))).filter((o) => o.code === code);

/** Shopper `i`'s cart: two tees (a bundle) and one to eight stickers. */
const cartOf = (i: number): Item[] => [
  { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
  { sku: 'STICKER-HEART', quantity: (i % 8) + 1 },
];

describe('shoppers racing for a code', () => {
  it(`gives a ${USES}-use code to exactly ${USES} of ${SHOPPERS} concurrent shoppers, who pay; the others check out without it`, async () => {
    await withTable((table) =>
      createCode(table, testCode('RACE10', { limit: USES }), Math.floor(Date.now() / 1000)),
    );
    // Every shopper priced the cart while all ten uses were free: every quote applied the code.
    const shoppers = await Promise.all(
      Array.from({ length: SHOPPERS }, async (_, i) => {
        const quoted = await call('/cart/quote', { items: cartOf(i), code: 'race10' });
        expect(quoted.body.quote.code.status).toBe('applied');
        return { i, items: cartOf(i), quoted: quoted.body, cartId: randomBytes(16).toString('base64url') };
      }),
    );

    // Every checkout in flight at once.
    const answers = await Promise.all(
      shoppers.map((s) =>
        call('/checkout/create-session', {
          items: s.items,
          quoteSignature: s.quoted.quoteSignature,
          email: `racer${s.i}@example.com`,
          cartId: s.cartId,
        }),
      ),
    );
    const won = answers.flatMap((a, i) =>
      a.status === 201 ? [{ shopper: shoppers[i], sessionId: String(a.body.sessionId) }] : [],
    );
    const lost = answers.flatMap((a, i) =>
      a.status === 409 ? [{ shopper: shoppers[i], answer: a.body }] : [],
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(won).toHaveLength(USES);
    expect(lost).toHaveLength(SHOPPERS - USES);
    for (const { answer } of lost) {
      expect(answer.error.code).toBe('code_unavailable');
      expect(answer.discountCode.status).toBe('limit_reached');
      expect(answer.quote.code).toBeUndefined();
    }
    expect(await counts('RACE10')).toEqual({ used: 0, held: USES });

    // The winners pay their quotes, the code and all; the others check out the cart without it.
    await runConcurrently(won, 10, async ({ shopper, sessionId }) => {
      expect(await pay(sessionId)).toBe(303);
      const session = emulator().session(sessionId);
      expect(session?.amount_total).toBe(shopper?.quoted.quote.total);
    });
    await runConcurrently(lost, 10, async ({ shopper, answer }) => {
      const again = await call('/checkout/create-session', {
        items: shopper?.items,
        quoteSignature: answer.quoteSignature,
        email: `racer${shopper?.i}@example.com`,
        cartId: shopper?.cartId,
      });
      expect(again.status).toBe(201);
      expect(await pay(String(again.body.sessionId))).toBe(303);
    });

    const orders = await eventually(
      () => ordersWith('RACE10'),
      (found) => found.length >= USES,
    );
    expect(orders.map((o) => o.sessionId).sort()).toEqual(won.map((w) => w.sessionId).sort());
    const allOrders = await eventually(
      () => withTable((table) => scanTable(table, PREFIXES.orders)),
      (found) => found.length >= SHOPPERS,
    );
    expect(allOrders).toHaveLength(SHOPPERS);
    expect(allOrders.filter((o) => o.code !== null && o.code !== undefined)).toHaveLength(USES);
    expect(
      await eventually(
        () => counts('RACE10'),
        (c) => c.held === 0,
      ),
    ).toEqual({ used: USES, held: 0 });
  });

  it('takes back the uses of abandoned checkouts, once each, for the next shoppers', async () => {
    const limit = 5;
    await withTable((table) =>
      createCode(table, testCode('COMEBACK5', { limit }), Math.floor(Date.now() / 1000)),
    );
    const checkOut = async (i: number) => {
      const quoted = await call('/cart/quote', { items: cartOf(i), code: 'COMEBACK5' });
      expect(quoted.body.quote.code.status).toBe('applied');
      return call('/checkout/create-session', {
        items: cartOf(i),
        quoteSignature: quoted.body.quoteSignature,
        email: `walker${i}@example.com`,
      });
    };
    const abandoned: string[] = [];
    for (let i = 0; i < limit; i += 1) {
      const answer = await checkOut(i);
      expect(answer.status).toBe(201);
      abandoned.push(String(answer.body.sessionId));
    }
    expect((await call('/cart/quote', { items: cartOf(9), code: 'COMEBACK5' })).body.quote.code.status).toBe(
      'limit_reached',
    );

    // The shoppers leave; Stripe expires their sessions (and tells the webhook, twice for one).
    for (const id of abandoned) emulator().expireSession(id);
    const firstExpiry = emulator()
      .events('checkout.session.expired')
      .find((record) => (record.event.data.object as { id?: string }).id === abandoned[0]);
    if (!firstExpiry) throw new Error('Stripe sent no expiry event for the first abandoned session');
    emulator().resendEvent(firstExpiry.event.id);
    expect(
      await eventually(
        () => counts('COMEBACK5'),
        (c) => c.held === 0,
      ),
    ).toEqual({ used: 0, held: 0 });

    // Every use is back: five new shoppers take them and pay, and no sixth.
    const next = await Promise.all(Array.from({ length: limit + 1 }, (_, i) => checkOut(20 + i)));
    const paid = next.filter((a) => a.status === 201);
    expect(paid).toHaveLength(limit);
    expect(next.filter((a) => a.status === 409)).toHaveLength(1);
    await runConcurrently(paid, 5, async (answer) => {
      expect(await pay(String(answer.body.sessionId))).toBe(303);
    });
    expect(
      await eventually(
        () => counts('COMEBACK5'),
        (c) => c.used === limit,
      ),
    ).toEqual({
      used: limit,
      held: 0,
    });
    expect(
      await eventually(
        () => ordersWith('COMEBACK5'),
        (o) => o.length >= limit,
      ),
    ).toHaveLength(limit);
  });
});
