import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadAnswer, runLoad } from '../../bench/http-load';
import type { LocalStack } from '../../local/stack';
import { createTableClient, type TableClient } from '../../src/adapters/dynamodb/table-client';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { createCode, listCodes } from '../../src/ops/codes';
import { testCode } from '../support/codes';
import { createTestReader, scanTable } from '../support/dynamo';
import { startReliabilityStack } from './harness';

const QUOTES = 20;
const REQUESTS = 100;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startReliabilityStack();
});
afterAll(() => stack.close());

async function withStackTable<T>(
  run: (table: { client: TableClient; tableName: string }) => Promise<T>,
): Promise<T> {
  const client = createTableClient({ endpoint: stack.dynamoEndpoint });
  try {
    return await run({ client, tableName: String(stack.env.COMMERCE_TABLE) });
  } finally {
    client.close();
  }
}

async function scanStackTable(): Promise<Record<string, unknown>[]> {
  const sdk = createTestReader(stack.dynamoEndpoint);
  try {
    return await scanTable({ sdk, tableName: String(stack.env.COMMERCE_TABLE) });
  } finally {
    sdk.destroy();
  }
}

describe('checkout storm through the local stack', () => {
  it(`turns ${REQUESTS} concurrent checkouts of ${QUOTES} quotes into exactly ${QUOTES} sessions, coupons, records and code uses`, async () => {
    const origin = new URL(stack.url).origin;
    const headers = { 'Content-Type': 'application/json', Origin: origin };
    // Half the quotes carry a code with exactly as many uses as they are: five clicks on a quote
    // must hold its one use once, or the last quotes would find the code used up.
    await withStackTable((table) =>
      createCode(table, testCode('STORM', { limit: QUOTES / 2 }), Math.floor(Date.now() / 1000)),
    );
    const quotes: { items: { sku: string; quantity: number }[]; quoteSignature: string }[] = [];
    for (let i = 0; i < QUOTES; i += 1) {
      // Two tees (a bundle discount, so a coupon) and a varying number of stickers: 20 distinct carts.
      const items = [
        { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
        { sku: 'STICKER-HEART', quantity: i + 1 },
      ];
      const response = await fetch(`${stack.url}/cart/quote`, {
        method: 'POST',
        headers,
        body: JSON.stringify(i % 2 === 0 ? { items, code: 'STORM' } : { items }),
      });
      const body = (await response.json()) as { quoteSignature: string };
      quotes.push({ items, quoteSignature: body.quoteSignature });
    }
    const answers: LoadAnswer[] = [];

    // Every request in flight at once: five per quote, interleaved.
    await runLoad({
      url: `${stack.url}/checkout/create-session`,
      requests: REQUESTS,
      concurrency: REQUESTS,
      request: (i) => ({ body: JSON.stringify(quotes[i % QUOTES]), headers }),
      onAnswer: (answer) => answers.push(answer),
    });

    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
    const sessionsByQuote = new Map<string, Set<string>>();
    for (const answer of answers) {
      const signature = quotes[answer.index % QUOTES]?.quoteSignature ?? '';
      const sessionId = String((JSON.parse(answer.body) as { sessionId: string }).sessionId);
      sessionsByQuote.set(signature, (sessionsByQuote.get(signature) ?? new Set()).add(sessionId));
    }
    // Each quote's five answers name one and the same session.
    expect([...sessionsByQuote.values()].map((ids) => ids.size)).toEqual(Array(QUOTES).fill(1));

    const emulator = stack.stripe?.state();
    expect(emulator?.sessions).toHaveLength(QUOTES);
    expect(emulator?.coupons).toHaveLength(QUOTES);
    // Each session has its own coupon.
    expect(new Set(emulator?.coupons.map((c) => c.coupon.id))).toEqual(
      new Set(emulator?.sessions.map((s) => s.couponId)),
    );
    const items = await scanStackTable();
    const pk = (prefix: string) => items.filter((item) => String(item.PK).startsWith(prefix));
    expect(pk(PREFIXES.session)).toHaveLength(QUOTES);
    expect(pk(PREFIXES.coupon)).toHaveLength(QUOTES);
    expect(pk(PREFIXES.checkout).filter((slot) => slot.status === 'open' && !slot.leaseToken)).toHaveLength(
      QUOTES,
    );
    const recorded = new Set(pk(PREFIXES.session).map((item) => String(item.sessionId)));
    expect(recorded).toEqual(new Set([...sessionsByQuote.values()].flatMap((ids) => [...ids])));
    expect(pk(PREFIXES.session).filter((item) => item.code === 'STORM')).toHaveLength(QUOTES / 2);
    const storm = (await withStackTable(listCodes)).find((code) => code.code === 'STORM');
    expect(storm).toMatchObject({ used: 0, held: QUOTES / 2 });
  });
});
