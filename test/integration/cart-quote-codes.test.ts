import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { hashCart } from '../../src/domain/cart';
import { parseSigningKeys, readQuoteSignature, verifyQuoteSignature } from '../../src/domain/quote-signature';
import { buildSharedDeps, cartQuoteHandlerOf } from '../../src/wiring';
import { storeCode, testCode } from '../support/codes';
import { scanTable, startTestTable, type TestTable } from '../support/dynamo';
import { makeTestEnv } from '../support/env';
import { makeProxyEvent } from '../support/events';
import { createRecordingTelemetry } from '../support/telemetry';

/*
 * `POST /cart/quote` with a discount code: the code's answer in `quote.code`, the cart always
 * priced, the signature binding an applied code, and guesses counted per client.
 */

const SHOP = 'https://shop.example.com';
const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);
const NOW = NOW_MS / 1000;
const TWO_TEES = [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }];

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable('quote-codes-test');
  await storeCode(table, testCode('BABES10'), NOW - 3_600);
  await storeCode(table, testCode('TAKEN'), NOW - 3_600);
  await storeCode(
    table,
    testCode('FIVEOFF', { discount: { kind: 'amount_off', amountOff: 500, currency: 'usd' } }),
    NOW,
  );
  await storeCode(table, testCode('LATER', { startsAt: NOW + 86_400 }), NOW);
  await storeCode(table, testCode('LIMITED', { limit: 2 }), NOW);
  // Two of LIMITED's two uses taken by checkouts not yet paid.
  await table.sdk.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.code('LIMITED'),
      UpdateExpression: 'SET held = :two, claimed = :two',
      ExpressionAttributeValues: { ':two': 2 },
    }),
  );
});
afterAll(async () => {
  await table.close();
});

async function makeHarness(env: Record<string, string> = {}) {
  const telemetry = createRecordingTelemetry();
  const testEnv = makeTestEnv(table, env);
  const shared = await buildSharedDeps(testEnv, { telemetry, now: () => NOW_MS });
  const handler = cartQuoteHandlerOf(shared);
  const quote = async (body: unknown, sourceIp = '203.0.113.9') =>
    parse(
      await handler(
        makeProxyEvent({ body, sourceIp, headers: { 'Content-Type': 'application/json', Origin: SHOP } }),
      ),
    );
  return { quote, telemetry, keys: parseSigningKeys(String(testEnv.QUOTE_SIGNING_KEYS), 't1') };
}

function parse(result: APIGatewayProxyResult) {
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, any> };
}

describe('POST /cart/quote with a discount code', () => {
  it('prices the cart without the code when the codes cannot be read, saying so, never a 500', async () => {
    const { quote, telemetry } = await makeHarness({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
    const answer = await quote({ items: TWO_TEES, code: 'babes10' });
    expect(answer.status).toBe(200);
    expect(answer.body.quote.total).toBe(5760); // the tee stack only
    expect(answer.body.quote.code).toMatchObject({ code: 'BABES10', status: 'unavailable', discount: 0 });
    expect(answer.body.quote.code.message).toMatch(/can’t be checked just now/);
    expect(telemetry.logs.map((l) => l.message)).toContain('code lookup failed; pricing without the code');
  });

  it('applies a code however it is typed, and binds it in the signature', async () => {
    const { quote, keys, telemetry } = await makeHarness();
    const { status, body } = await quote({ items: TWO_TEES, code: ' babes10 ' });
    expect(status).toBe(200);
    // $64.00, Tee stack −$6.40, then 10% of $57.60.
    expect(body.quote.code).toEqual({
      code: 'BABES10',
      status: 'applied',
      discount: 576,
      message: 'BABES10 applied: 10% off — you save $5.76.',
    });
    expect(body.quote.discount).toBe(640 + 576);
    expect(body.quote.total).toBe(6_400 - 640 - 576);
    expect(body.quote.lines.reduce((sum: number, l: { discount: number }) => sum + l.discount, 0)).toBe(
      body.quote.discount,
    );
    expect(String(body.quoteSignature).startsWith('qs3.')).toBe(true);
    const expected = {
      cartHash: hashCart(TWO_TEES),
      currency: 'usd',
      total: body.quote.total,
      catalogVersion: body.quote.catalogVersion,
    };
    const options = { keys, now: NOW, ttlSeconds: 600 };
    expect(verifyQuoteSignature(body.quoteSignature, { ...expected, code: 'BABES10' }, options).status).toBe(
      'valid',
    );
    expect(verifyQuoteSignature(body.quoteSignature, expected, options).status).toBe('mismatch');
    expect(telemetry.countOf('CodeApplied')).toBe(1);
  });

  it('answers every code that does not apply with a reason, and prices the cart without it', async () => {
    const { quote, keys } = await makeHarness();
    const plain = (await quote({ items: TWO_TEES })).body;
    expect(plain.quote.code).toBeUndefined();
    const cases: [string, string][] = [
      ['NOPE99', 'unknown'],
      ['not a code!', 'unknown'],
      ['LATER', 'not_started'],
      ['LIMITED', 'limit_reached'],
    ];
    for (const [code, status] of cases) {
      const { status: http, body } = await quote({ items: TWO_TEES, code });
      expect(http).toBe(200);
      expect(body.quote.code).toMatchObject({ status, discount: 0 });
      expect(body.quote.code.message.length).toBeGreaterThan(10);
      expect(body.quote.total).toBe(plain.quote.total);
      // Not applied, so not bound: the quote is an ordinary one.
      const read = readQuoteSignature(body.quoteSignature, keys);
      expect(read.status === 'authentic' && read.claims.code).toBeFalsy();
    }
    // A blank code is no code.
    expect((await quote({ items: TWO_TEES, code: '  ' })).body.quote.code).toBeUndefined();
  });

  it('refuses a code field that is not text, or too long to be any code, as bad input', async () => {
    const { quote } = await makeHarness();
    for (const code of [10, 'X'.repeat(65), null]) {
      const { status, body } = await quote({ items: TWO_TEES, code });
      expect(status).toBe(400);
      expect(body.error.code).toBe('validation_error');
      expect(body.error.details[0].path).toBe('code');
    }
  });

  it('shares a cart’s cached pricing across codes without ever caching a code', async () => {
    const { quote } = await makeHarness();
    const items = [{ sku: 'SWEAT-JOGGER-GRY-M', quantity: 1 }];
    const first = (await quote({ items, code: 'FIVEOFF' })).body;
    const second = (await quote({ items, code: 'BABES10' })).body;
    const third = (await quote({ items })).body;
    expect(first.quote.code).toMatchObject({ status: 'applied', discount: 500 });
    expect(second.quote.code).toMatchObject({ status: 'applied', discount: 580 });
    expect(third.quote.code).toBeUndefined();
    expect([first, second, third].map((b) => b.quote.total)).toEqual([5_300, 5_220, 5_800]);
    const cached = await scanTable(table, `${PREFIXES.cart}${hashCart(items)}`);
    expect(cached).toHaveLength(1);
    expect(JSON.parse(String(cached[0]?.pricedCart)).code).toBeUndefined();
  });

  it('counts codes that do not exist per client, and past the limit refuses any code, existing or not', async () => {
    const { quote, telemetry } = await makeHarness({ RATE_LIMIT_CODE_MISSES_PER_HOUR: '3' });
    const ip = '198.51.100.23';
    // Codes that exist never count.
    for (let i = 0; i < 5; i += 1) {
      expect((await quote({ items: TWO_TEES, code: 'BABES10' }, ip)).body.quote.code.status).toBe('applied');
    }
    for (const guess of ['GUESS1', 'GUESS2', 'GUESS3']) {
      expect((await quote({ items: TWO_TEES, code: guess }, ip)).body.quote.code.status).toBe('unknown');
    }
    const refused = await quote({ items: TWO_TEES, code: 'BABES10' }, ip);
    expect(refused.status).toBe(200);
    expect(refused.body.quote.code).toMatchObject({
      code: 'BABES10',
      status: 'too_many_attempts',
      discount: 0,
    });
    expect(refused.body.quote.code.message).toMatch(/^Too many codes were tried\. Please wait \d+ minutes?/);
    expect(refused.body.quote.total).toBe(6_400 - 640);
    // The cart itself still prices, and another client is not held back.
    expect((await quote({ items: TWO_TEES }, ip)).body.quote.code).toBeUndefined();
    expect((await quote({ items: TWO_TEES, code: 'BABES10' }, '198.51.100.24')).body.quote.code.status).toBe(
      'applied',
    );
    expect(telemetry.countOf('CodeMiss')).toBe(3);
    expect(telemetry.countOf('CodeGuessesLimited')).toBe(1);
  });

  it('lets no more guesses through than the limit when they arrive all at once', async () => {
    const { quote } = await makeHarness({ RATE_LIMIT_CODE_MISSES_PER_HOUR: '5' });
    const ip = '198.51.100.77';
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => quote({ items: TWO_TEES, code: `WILD${i}` }, ip)),
    );
    const statuses = answers.map((a) => a.body.quote.code.status);
    expect(statuses.filter((s) => s === 'unknown')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'too_many_attempts')).toHaveLength(20);
  });

  it('counts a code that does not exist once, however often the cart sends it again', async () => {
    const { quote, telemetry } = await makeHarness({ RATE_LIMIT_CODE_MISSES_PER_HOUR: '3' });
    const ip = '198.51.100.41';
    // A shopper whose cart keeps a mistyped code re-quotes it with every change of the cart.
    for (let i = 0; i < 12; i += 1) {
      const answer = await quote(
        { items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 + (i % 4) }], code: 'babes1o' },
        ip,
      );
      expect(answer.body.quote.code.status).toBe('unknown');
    }
    expect((await quote({ items: TWO_TEES, code: 'BABES10' }, ip)).body.quote.code.status).toBe('applied');
    // Two more distinct misses fill the limit of three; a fourth distinct code is refused, while
    // the codes already counted answer as before.
    for (const guess of ['GUESS1', 'GUESS2']) {
      expect((await quote({ items: TWO_TEES, code: guess }, ip)).body.quote.code.status).toBe('unknown');
    }
    expect((await quote({ items: TWO_TEES, code: 'GUESS3' }, ip)).body.quote.code.status).toBe(
      'too_many_attempts',
    );
    expect((await quote({ items: TWO_TEES, code: 'BABES10' }, ip)).body.quote.code.status).toBe(
      'too_many_attempts',
    );
    expect((await quote({ items: TWO_TEES, code: ' Babes1O ' }, ip)).body.quote.code.status).toBe('unknown');
    expect(telemetry.countOf('CodeMiss')).toBe(15);
  });

  it('applies one code to every one of a client’s concurrent quotes, one miss short of the limit', async () => {
    const { quote } = await makeHarness({ RATE_LIMIT_CODE_MISSES_PER_HOUR: '3' });
    const ip = '198.51.100.42';
    for (const guess of ['GUESS1', 'GUESS2']) {
      expect((await quote({ items: TWO_TEES, code: guess }, ip)).body.quote.code.status).toBe('unknown');
    }
    // Shoppers behind one address (an office, a carrier's shared address) during a promotion.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        quote({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 + (i % 5) }], code: 'BABES10' }, ip),
      ),
    );
    expect(answers.map((a) => a.body.quote.code.status)).toEqual(Array(30).fill('applied'));
    // The code found was taken back out: the client still has its one miss left.
    expect((await quote({ items: TWO_TEES, code: 'GUESS3' }, ip)).body.quote.code.status).toBe('unknown');
    expect((await quote({ items: TWO_TEES, code: 'GUESS4' }, ip)).body.quote.code.status).toBe(
      'too_many_attempts',
    );
  });

  it('gives back the count of every code found, so only misses fill a client’s limit', async () => {
    const { quote } = await makeHarness({ RATE_LIMIT_CODE_MISSES_PER_HOUR: '4' });
    const ip = '198.51.100.88';
    const statuses: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const code = i % 3 === 1 ? `MISS${i}` : 'TAKEN';
      statuses.push((await quote({ items: TWO_TEES, code }, ip)).body.quote.code.status);
    }
    // Seven hits among four misses, the last request being the fourth miss: the misses fill the
    // limit exactly, the hits leave it as it was.
    expect(statuses.filter((s) => s === 'unknown')).toHaveLength(4);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(7);
    const next = await quote({ items: TWO_TEES, code: 'TAKEN' }, ip);
    expect(next.body.quote.code.status).toBe('too_many_attempts');
  });
});
