import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionObject, StripeEmulator } from '../../local/stripe-emulator';
import { createDynamoCodeStore } from '../../src/adapters/dynamodb/code-store';
import { createDynamoStockStore } from '../../src/adapters/dynamodb/stock-store';
import { keys } from '../../src/adapters/dynamodb/table-items';
import { codeEmailKey } from '../../src/domain/discount-code';
import { storeCode, testCode } from '../support/codes';
import { type CommerceApi, makeCommerceApi, SHOP } from '../support/commerce-harness';
import { startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { startTestEmulator } from '../support/stripe';
import { makeSessionEvent, signedDelivery } from '../support/webhook';

/*
 * A code's uses counted by outcome: checkout holds one (in the hold's transaction) before the
 * session exists; paid → used, once; expired, replaced or abandoned → given back, once; a code with
 * no use left answers 409 code_unavailable with the cart priced without it.
 */

let table: TestTable;
let stripe: StripeEmulator;
const clock = { now: Date.UTC(2026, 10, 29, 9, 0, 0) };
const nowSeconds = () => Math.floor(clock.now / 1000);

beforeAll(async () => {
  table = await startTestTable('code-holds-test');
  stripe = await startTestEmulator({ now: () => clock.now });
});
afterAll(async () => {
  await stripe.close();
  await table.close();
});
afterEach(() => stripe.faults.clear());

const headers = { 'Content-Type': 'application/json', Origin: SHOP };
const parse = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Record<string, any>;
/** Two tees and `socks` pairs of socks: a distinct cart per number. */
const cart = (socks: number) => [
  { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
  { sku: 'SOCKS-CREW-WHT', quantity: socks },
];

async function counts(code: string) {
  const found = await createDynamoCodeStore(table).findCode(code, { consistent: true });
  return { used: found?.used, held: found?.held };
}

async function emailCounts(code: string, email: string) {
  const { Item } = await table.sdk.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.codeEmail(code, codeEmailKey(email)),
      ConsistentRead: true,
    }),
  );
  return { used: Item?.used ?? 0, held: Item?.held ?? 0 };
}

async function quote(api: CommerceApi, items: ReturnType<typeof cart>, code: string) {
  const result = parse(await api.quote(makeProxyEvent({ body: { items, code }, headers })));
  expect(result.quote.code.status).toBe('applied');
  return result;
}

function checkout(api: CommerceApi, body: Record<string, unknown>, sourceIp = '203.0.113.90') {
  return api.checkout(makeProxyEvent({ path: '/checkout/create-session', body, headers, sourceIp }));
}

async function deliver(api: CommerceApi, type: string, session: Record<string, unknown> | SessionObject) {
  const payload = JSON.stringify(makeSessionEvent(type, session, nowSeconds()));
  const result = await api.webhook(signedDelivery(payload, { timestamp: nowSeconds() }));
  expect(result.statusCode).toBe(200);
}

describe('a code’s uses, held at checkout and counted by outcome', () => {
  it('holds one use per checkout and refuses the checkout past the limit, priced without the code', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('LIMIT2', { limit: 2 }), nowSeconds());
    // Three shoppers priced while every use was free; each quote applied the code.
    const quotes = [
      await quote(api, cart(1), 'LIMIT2'),
      await quote(api, cart(2), 'LIMIT2'),
      await quote(api, cart(3), 'LIMIT2'),
    ];
    const answers = [];
    for (const [i, quoted] of quotes.entries()) {
      answers.push(await checkout(api, { items: cart(i + 1), quoteSignature: quoted.quoteSignature }));
    }
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 409]);
    const refused = parse(answers[2] as APIGatewayProxyResult);
    expect(refused.error.code).toBe('code_unavailable');
    expect(refused.discountCode).toEqual({
      code: 'LIMIT2',
      status: 'limit_reached',
      discount: 0,
      message: 'This code has been used up.',
    });
    // Two tees less the Tee stack's 10%, and three pairs of socks, without the code.
    expect(refused.quote.total).toBe(6_400 - 640 + 3 * 1_400);
    expect(refused.quote.code).toBeUndefined();
    expect(await counts('LIMIT2')).toEqual({ used: 0, held: 2 });
    const retried = await checkout(api, { items: cart(3), quoteSignature: refused.quoteSignature });
    expect(retried.statusCode).toBe(201);
  });

  it('gives a use back when its session expires unpaid and counts a paid one as used, each once', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('TWICE', { limit: 2 }), nowSeconds());
    const first = parse(
      await checkout(api, {
        items: cart(4),
        quoteSignature: (await quote(api, cart(4), 'TWICE')).quoteSignature,
      }),
    );
    const second = parse(
      await checkout(api, {
        items: cart(5),
        quoteSignature: (await quote(api, cart(5), 'TWICE')).quoteSignature,
      }),
    );
    expect(await counts('TWICE')).toEqual({ used: 0, held: 2 });

    const expired = stripe.expireSession(first.sessionId);
    await deliver(api, 'checkout.session.expired', expired);
    await deliver(api, 'checkout.session.expired', expired);
    expect(await counts('TWICE')).toEqual({ used: 0, held: 1 });

    const paid = stripe.completeSession(second.sessionId);
    await deliver(api, 'checkout.session.completed', paid);
    await deliver(api, 'checkout.session.completed', paid);
    expect(await counts('TWICE')).toEqual({ used: 1, held: 0 });

    // The use the expired session gave back is there for the next shopper, and then none is left.
    const third = await checkout(api, {
      items: cart(6),
      quoteSignature: (await quote(api, cart(6), 'TWICE')).quoteSignature,
    });
    expect(third.statusCode).toBe(201);
    const after = parse(
      await api.quote(makeProxyEvent({ body: { items: cart(7), code: 'TWICE' }, headers })),
    );
    expect(after.quote.code.status).toBe('limit_reached');
  });

  it('lets exactly as many concurrent checkouts take the code as it has uses', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('RUSH4', { limit: 4 }), nowSeconds());
    const quotes = [];
    for (let i = 0; i < 12; i += 1) quotes.push(await quote(api, cart(1 + (i % 3)), 'RUSH4'));
    const answers = await Promise.all(
      quotes.map((quoted, i) =>
        checkout(
          api,
          { items: cart(1 + (i % 3)), quoteSignature: quoted.quoteSignature },
          `198.51.100.${i + 1}`,
        ),
      ),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([...Array(4).fill(201), ...Array(8).fill(409)]);
    for (const answer of answers.filter((a) => a.statusCode === 409)) {
      expect(parse(answer).error.code).toBe('code_unavailable');
    }
    expect(await counts('RUSH4')).toEqual({ used: 0, held: 4 });
    const withCode = answers
      .filter((a) => a.statusCode === 201)
      .map((a) => stripe.session(parse(a).sessionId)?.metadata?.code);
    expect(withCode).toEqual(Array(4).fill('RUSH4'));
  });

  it('counts uses per email however the address is capitalised, and frees them when a checkout ends unpaid', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('ONCEPER', { limitPerEmail: 1 }), nowSeconds());
    const first = await checkout(api, {
      items: cart(1),
      quoteSignature: (await quote(api, cart(1), 'ONCEPER')).quoteSignature,
      email: 'Jane.Doe@Example.com',
    });
    expect(first.statusCode).toBe(201);
    const again = await checkout(api, {
      items: cart(2),
      quoteSignature: (await quote(api, cart(2), 'ONCEPER')).quoteSignature,
      email: 'jane.doe@example.com',
    });
    expect(again.statusCode).toBe(409);
    expect(parse(again).discountCode).toMatchObject({
      status: 'limit_reached',
      message: 'You have already used this code as many times as it allows.',
    });
    const someoneElse = await checkout(api, {
      items: cart(2),
      quoteSignature: (await quote(api, cart(2), 'ONCEPER')).quoteSignature,
      email: 'sam@example.com',
    });
    expect(someoneElse.statusCode).toBe(201);
    expect(await emailCounts('ONCEPER', 'jane.doe@example.com')).toEqual({ used: 0, held: 1 });

    await deliver(api, 'checkout.session.expired', stripe.expireSession(parse(first).sessionId));
    expect(await emailCounts('ONCEPER', 'JANE.DOE@example.com')).toEqual({ used: 0, held: 0 });
    const afterExpiry = await checkout(api, {
      items: cart(3),
      quoteSignature: (await quote(api, cart(3), 'ONCEPER')).quoteSignature,
      email: 'jane.doe@example.com',
    });
    expect(afterExpiry.statusCode).toBe(201);
    expect(await counts('ONCEPER')).toEqual({ used: 0, held: 2 });
  });

  it('gives back the use of a session replaced in its cart before the next one takes its own', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('SWAP', { limit: 1 }), nowSeconds());
    const cartId = 'code-holds-cart-0000001';
    const quoted = await quote(api, cart(1), 'SWAP');
    const first = await checkout(api, {
      items: cart(1),
      quoteSignature: quoted.quoteSignature,
      cartId,
      email: 'a@example.com',
    });
    expect(first.statusCode).toBe(201);
    // The same cart checked out with another email: a new session, the first one expired. The one
    // use moves to the new session instead of running out.
    const second = await checkout(api, {
      items: cart(1),
      quoteSignature: quoted.quoteSignature,
      cartId,
      email: 'b@example.com',
    });
    expect(second.statusCode, second.body).toBe(201);
    expect(parse(second).sessionId).not.toBe(parse(first).sessionId);
    expect(stripe.session(parse(first).sessionId)?.status).toBe('expired');
    expect(await counts('SWAP')).toEqual({ used: 0, held: 1 });
  });

  it('quotes a cart whose own open checkout holds the code’s last use and the last unit with both, for that cart alone', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('MINE', { limit: 1 }), nowSeconds());
    await createDynamoStockStore(table).setOnHand('HOODIE-LOGO-BLK-L', 1, nowSeconds());
    const items = [{ sku: 'HOODIE-LOGO-BLK-L', quantity: 1 }];
    const cartId = 'code-own-hold-cart-00001';
    const quoteOf = async (body: Record<string, unknown>) => {
      const result = await api.quote(makeProxyEvent({ body, headers }));
      return { status: result.statusCode, body: parse(result) };
    };
    const first = await quoteOf({ items, code: 'MINE', cartId });
    expect(first.body.quote.code.status).toBe('applied');
    const started = await checkout(api, { items, quoteSignature: first.body.quoteSignature, cartId });
    expect(started.statusCode).toBe(201);
    expect(await counts('MINE')).toEqual({ used: 0, held: 1 });

    // Back from the payment page, the storefront prices the cart again with its id and the code: the
    // use and the unit its own session holds are its own.
    const back = await quoteOf({ items, code: 'mine', cartId });
    expect(back.status).toBe(200);
    expect(back.body.quote.code).toMatchObject({ code: 'MINE', status: 'applied' });
    expect(back.body.quote.total).toBe(6_800 - 680);
    expect(back.body.quote.lines[0].availability).toMatchObject({ available: 1 });
    // Anyone else: the code is used up, the size sold out.
    const other = await quoteOf({ items: cart(1), code: 'MINE', cartId: 'code-own-hold-cart-00002' });
    expect(other.body.quote.code.status).toBe('limit_reached');
    expect((await quoteOf({ items, cartId: 'code-own-hold-cart-00002' })).status).toBe(409);

    // Checking out the new quote moves the use and the unit to the new session: still one held.
    const again = await checkout(api, { items, quoteSignature: back.body.quoteSignature, cartId });
    expect(again.statusCode, again.body).toBe(201);
    expect(parse(again).sessionId).not.toBe(parse(started).sessionId);
    expect(await counts('MINE')).toEqual({ used: 0, held: 1 });
    expect((await quoteOf({ items, code: 'MINE', cartId })).body.quote.code.status).toBe('applied');
  });

  it('gives the use back at once when checkout fails before its session, and the sweep frees an orphaned hold', async () => {
    clock.now += 3_600_000;
    const api = await makeCommerceApi({ table, stripe, now: () => clock.now });
    await storeCode(table, testCode('FLAKY', { limit: 1 }), nowSeconds());
    stripe.faults.add({ method: 'POST', path: '/v1/checkout/sessions', status: 500, times: 10 });
    const failed = await checkout(api, {
      items: cart(1),
      quoteSignature: (await quote(api, cart(1), 'FLAKY')).quoteSignature,
    });
    expect(failed.statusCode).toBe(502);
    expect(await counts('FLAKY')).toEqual({ used: 0, held: 0 });
    stripe.faults.clear();

    // A checkout that died between its hold and its session (the process stopped): only the sweep
    // can end its hold, once the hold's end has passed.
    const until = nowSeconds() + 1_800;
    const taken = await createDynamoStockStore(table).takeHold({
      holdId: 'orphan-hold-of-a-dead-checkout',
      until,
      lines: [],
      code: { code: 'FLAKY', emailKey: null, limitPerEmail: null },
      slotId: 'quote#orphan',
      now: nowSeconds(),
    });
    expect(taken).toEqual({ outcome: 'taken' });
    expect(await counts('FLAKY')).toEqual({ used: 0, held: 1 });
    expect((await api.sweepHolds()).released).toBe(0);
    clock.now = (until + 3_600) * 1000;
    const swept = await api.sweepHolds();
    expect(swept.released).toBe(1);
    expect(await counts('FLAKY')).toEqual({ used: 0, held: 0 });
    expect((await api.sweepHolds()).released).toBe(0);
  });
});
