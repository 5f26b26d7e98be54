import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadAnswer, runLoad } from '../../bench/http-load';
import type { LocalStack } from '../../local/stack';
import { hashCart, normaliseCart } from '../../src/domain/cart';
import { priceCart } from '../../src/domain/pricing';
import { parseSigningKeys, verifyQuoteSignature } from '../../src/domain/quote-signature';
import { loadBundledCatalog } from '../../src/wiring';
import { seededRandom } from '../support/seeded-random';
import { randomCart, startReliabilityStack } from './harness';
import { capturedLogs } from './log-audit';

const REQUESTS = 2_000;
const CONCURRENCY = 20;

const Cents = v.pipe(v.number(), v.integer(), v.minValue(0));
const QuoteAnswer = v.strictObject({
  quoteSignature: v.pipe(v.string(), v.regex(/^qs2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)),
  expiresAt: v.pipe(v.string(), v.isoTimestamp()),
  quote: v.strictObject({
    cartHash: v.string(),
    items: v.array(
      v.strictObject({ sku: v.string(), quantity: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
    ),
    currency: v.literal('usd'),
    catalogVersion: v.string(),
    lines: v.array(
      v.strictObject({
        sku: v.string(),
        name: v.string(),
        unitAmount: Cents,
        quantity: v.pipe(v.number(), v.integer(), v.minValue(1)),
        subtotal: Cents,
        discount: Cents,
        total: Cents,
        availability: v.nullable(
          v.strictObject({
            status: v.picklist(['in_stock', 'low_stock', 'sold_out', 'backorder']),
            available: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
            message: v.nullable(v.string()),
            backorder: v.boolean(),
          }),
        ),
      }),
    ),
    subtotal: Cents,
    discount: Cents,
    total: Cents,
    appliedBundles: v.array(v.looseObject({ id: v.string(), discount: Cents })),
    hints: v.array(v.looseObject({ bundleId: v.string(), quantityToAdd: v.number(), extraSaving: Cents })),
    search: v.picklist(['exact', 'heuristic']),
    issuedAt: v.pipe(v.string(), v.isoTimestamp()),
  }),
});

let stack: LocalStack;
beforeAll(async () => {
  stack = await startReliabilityStack();
});
afterAll(() => stack.close());

describe('load through the local stack', () => {
  it(`answers ${REQUESTS} quotes at concurrency ${CONCURRENCY} with valid, correctly priced, verifiable quotes`, async () => {
    const catalog = loadBundledCatalog();
    const random = seededRandom(7);
    // 600 distinct carts, each asked for three or four times: fresh quotes and cache hits mixed.
    const pool = Array.from({ length: 600 }, () => randomCart(catalog, random));
    const carts = Array.from({ length: REQUESTS }, () => pool[Math.floor(random() * pool.length)] ?? []);
    const origin = new URL(stack.url).origin;
    const answers: LoadAnswer[] = [];

    const result = await runLoad({
      url: `${stack.url}/cart/quote`,
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      request: (i) => ({ body: JSON.stringify({ items: carts[i] }), headers: { Origin: origin } }),
      onAnswer: (answer) => answers.push(answer),
    });

    expect(result.statuses).toEqual({ 200: REQUESTS });
    const keys = parseSigningKeys(
      String(stack.env.QUOTE_SIGNING_KEYS),
      String(stack.env.QUOTE_SIGNING_KEY_ID),
    );
    const problems: string[] = [];
    for (const answer of answers) {
      const parsed = v.safeParse(QuoteAnswer, JSON.parse(answer.body));
      if (!parsed.success) {
        problems.push(`#${answer.index}: ${parsed.issues[0]?.message}`);
        continue;
      }
      const { quote, quoteSignature } = parsed.output;
      const items = normaliseCart(carts[answer.index] ?? []);
      const priced = priceCart(catalog, items);
      const issuedAt = Date.parse(quote.issuedAt) / 1000;
      const check = verifyQuoteSignature(
        quoteSignature,
        {
          cartHash: hashCart(items),
          currency: priced.currency,
          total: priced.total,
          catalogVersion: catalog.version,
        },
        { keys, now: issuedAt, ttlSeconds: 600 },
      );
      if (quote.cartHash !== hashCart(items)) problems.push(`#${answer.index}: another cart`);
      if (quote.total !== priced.total || quote.discount !== priced.discount)
        problems.push(`#${answer.index}: price`);
      if (quote.lines.reduce((sum, l) => sum + l.total, 0) !== quote.total)
        problems.push(`#${answer.index}: lines`);
      if (check.status !== 'valid') problems.push(`#${answer.index}: signature ${check.status}`);
    }
    expect(problems).toEqual([]);
    expect(answers.filter((a) => a.headers['x-quote-cache'] === 'hit').length).toBeGreaterThan(0);
    // The access log of every request was written (and is audited when the file ends).
    expect(capturedLogs().match(/"message":"request"/g)?.length).toBeGreaterThanOrEqual(REQUESTS);
  });
});
