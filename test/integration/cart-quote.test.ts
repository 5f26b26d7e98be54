import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStockStore } from '../../src/adapters/dynamodb/stock-store';
import { PREFIXES } from '../../src/adapters/dynamodb/table-items';
import { hashCart } from '../../src/domain/cart';
import type { Catalog } from '../../src/domain/catalog';
import { priceCart } from '../../src/domain/pricing';
import { parseSigningKeys, verifyQuoteSignature } from '../../src/domain/quote-signature';
import type { ApiHandler } from '../../src/http/route';
import { buildCatalogHandler, buildSharedDeps, cartQuoteHandlerOf } from '../../src/wiring';
import { loadSampleCatalog, makeCatalog } from '../support/catalog-factory';
import { startTestTable, type TestTable } from '../support/dynamo';
import { makeTestEnv } from '../support/env';
import { makeProxyEvent } from '../support/events';
import { createRecordingTelemetry, type RecordingTelemetry } from '../support/telemetry';

const SHOP = 'https://shop.example.com';
const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable('quote-handler-test');
});
afterAll(async () => {
  await table.close();
});

interface Harness {
  readonly handler: ApiHandler;
  readonly telemetry: RecordingTelemetry;
  readonly env: Record<string, string | undefined>;
  clock: { now: number };
}

async function makeHarness(
  options: { catalog?: Catalog; env?: Record<string, string>; endpoint?: string } = {},
): Promise<Harness> {
  const telemetry = createRecordingTelemetry();
  const clock = { now: NOW_MS };
  const env = makeTestEnv(
    { endpoint: options.endpoint ?? table.endpoint, tableName: table.tableName },
    options.env ?? {},
  );
  const shared = await buildSharedDeps(env, {
    telemetry,
    now: () => clock.now,
    ...(options.catalog ? { catalog: options.catalog } : {}),
  });
  return { handler: cartQuoteHandlerOf(shared), telemetry, env, clock };
}

function quoteEvent(body: unknown, overrides: Parameters<typeof makeProxyEvent>[0] = {}) {
  return makeProxyEvent({
    body,
    headers: { 'Content-Type': 'application/json', Origin: SHOP },
    ...overrides,
  });
}

function parse(result: APIGatewayProxyResult) {
  return JSON.parse(result.body) as Record<string, any>;
}

async function countItems(prefix: string): Promise<number> {
  const { Items } = await table.sdk.send(new ScanCommand({ TableName: table.tableName }));
  return (Items ?? []).filter((item) => String(item.PK).startsWith(prefix)).length;
}

describe('POST /cart/quote', () => {
  it('prices a cart from the catalog and signs the quote', async () => {
    const { handler, env, telemetry } = await makeHarness();
    const items = [
      { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
      { sku: 'STICKER-HEART', quantity: 3 },
    ];
    const result = await handler(quoteEvent({ items }));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(SHOP);
    expect(result.headers?.Vary).toBe('Origin');
    expect(result.headers?.['X-Quote-Cache']).toBe('miss');
    const body = parse(result);
    const expected = priceCart(loadSampleCatalog(), items);
    expect(body.quote.total).toBe(expected.total);
    expect(body.quote.subtotal).toBe(2 * 3200 + 3 * 400);
    expect(body.quote.discount).toBe(body.quote.subtotal - body.quote.total);
    expect(body.quote.discount).toBeGreaterThan(0);
    expect(body.quote.lines).toHaveLength(2);
    expect(body.quote.cartHash).toBe(hashCart(items));
    expect(new Date(body.expiresAt).getTime()).toBe(NOW_MS + 600_000);

    const keys = parseSigningKeys(String(env.QUOTE_SIGNING_KEYS), 't1');
    const check = verifyQuoteSignature(
      body.quoteSignature,
      {
        cartHash: hashCart(items),
        currency: 'usd',
        total: expected.total,
        catalogVersion: expected.catalogVersion,
      },
      { keys, now: NOW_MS / 1000 + 1, ttlSeconds: 600 },
    );
    expect(check.status).toBe('valid');
    expect(telemetry.countOf('QuoteIssued')).toBe(1);
  });

  it('reuses the cached pricing for the same cart in any order, without writing, under a signature of its own', async () => {
    const { handler, telemetry, clock } = await makeHarness();
    const first = parse(
      await handler(
        quoteEvent({
          items: [
            { sku: 'CAP-DAD-BLK', quantity: 1 },
            { sku: 'TOTE-CANVAS', quantity: 1 },
          ],
        }),
      ),
    );
    const quoteItemsBefore = (await countItems(PREFIXES.cart)) + (await countItems('QUOTE#'));
    clock.now += 60_000;
    const second = await handler(
      quoteEvent({
        items: [
          { sku: 'TOTE-CANVAS', quantity: 1 },
          { sku: 'CAP-DAD-BLK', quantity: 1 },
        ],
      }),
    );
    expect(second.headers?.['X-Quote-Cache']).toBe('hit');
    // The pricing is shared; the quote is this shopper's own: another signature, its own lifetime.
    expect(parse(second).quoteSignature).not.toBe(first.quoteSignature);
    expect({ ...parse(second).quote, issuedAt: first.quote.issuedAt }).toEqual(first.quote);
    expect(Date.parse(parse(second).quote.issuedAt)).toBe(Date.parse(first.quote.issuedAt) + 60_000);
    expect(Date.parse(parse(second).expiresAt)).toBe(Date.parse(first.expiresAt) + 60_000);
    expect((await countItems(PREFIXES.cart)) + (await countItems('QUOTE#'))).toBe(quoteItemsBefore);
    expect(telemetry.countOf('QuoteCacheHit')).toBe(1);

    clock.now += 600_000; // past the quote's lifetime: a fresh quote
    const third = await handler(
      quoteEvent({
        items: [
          { sku: 'CAP-DAD-BLK', quantity: 1 },
          { sku: 'TOTE-CANVAS', quantity: 1 },
        ],
      }),
    );
    expect(third.headers?.['X-Quote-Cache']).toBe('miss');
    expect(parse(third).quoteSignature).not.toBe(first.quoteSignature);
  });

  it('issues a new quote when the catalog version changes', async () => {
    const items = [{ sku: 'BEANIE-PNK', quantity: 2 }];
    const before = parse(await (await makeHarness()).handler(quoteEvent({ items })));
    const changed = await makeHarness({
      catalog: makeCatalog({ version: 'v-next', prices: { 'BEANIE-PNK': 2600 } }),
    });
    const after = await changed.handler(quoteEvent({ items }));
    expect(after.headers?.['X-Quote-Cache']).toBe('miss');
    expect(parse(after).quote.total).toBe(5200);
    expect(parse(after).quoteSignature).not.toBe(before.quoteSignature);
  });

  it("names an unknown field in its own words, with the fields allowed, never the validator's", async () => {
    const { handler } = await makeHarness();
    const result = parse(
      await handler(
        quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1, price: 1 }], coupon: 'X' }),
      ),
    );
    expect(result.error.code).toBe('validation_error');
    expect(result.error.details).toEqual([
      { path: 'items[0].price', message: 'price is not a field of this request; allowed: sku, quantity' },
      { path: 'coupon', message: 'coupon is not a field of this request; allowed: items, code, cartId' },
    ]);
    expect(JSON.stringify(result)).not.toMatch(/Expected|never|Invalid key/);
    const notAnObject = parse(await handler(quoteEvent(undefined, { rawBody: '[1]' })));
    expect(notAnObject.error.details).toEqual([{ message: 'the body must be a JSON object' }]);
    const scalar = parse(await handler(quoteEvent(undefined, { rawBody: '5' })));
    expect(scalar.error.details).toEqual([{ message: 'the body must be a JSON object with items' }]);
    const empty = parse(await handler(quoteEvent({})));
    expect(empty.error.details).toEqual([{ path: 'items', message: 'items is required' }]);
  });

  it('merges repeated SKUs and checks their combined quantity', async () => {
    const { handler } = await makeHarness();
    const ok = parse(
      await handler(
        quoteEvent({
          items: [
            { sku: 'HOODIE-ZIP-GRY-M', quantity: 2 },
            { sku: 'HOODIE-ZIP-GRY-M', quantity: 3 },
          ],
        }),
      ),
    );
    expect(ok.quote.items).toEqual([{ sku: 'HOODIE-ZIP-GRY-M', quantity: 5 }]);
    const tooMany = await handler(
      quoteEvent({
        items: [
          { sku: 'HOODIE-ZIP-GRY-M', quantity: 3 },
          { sku: 'HOODIE-ZIP-GRY-M', quantity: 3 },
        ],
      }),
    );
    expect(tooMany.statusCode).toBe(422);
    expect(parse(tooMany).error).toMatchObject({
      code: 'quantity_out_of_range',
      details: [{ sku: 'HOODIE-ZIP-GRY-M', maxQuantity: 5 }],
    });
  });

  describe('refuses bad input with a contract error and writes nothing', () => {
    const cases: {
      name: string;
      event: () => ReturnType<typeof makeProxyEvent>;
      status: number;
      code: string;
    }[] = [
      {
        name: 'broken JSON',
        event: () => quoteEvent(undefined, { rawBody: '{"items": [' }),
        status: 400,
        code: 'invalid_json',
      },
      {
        name: 'no body',
        event: () => quoteEvent(undefined, { rawBody: null }),
        status: 400,
        code: 'invalid_json',
      },
      { name: 'a JSON array', event: () => quoteEvent([]), status: 400, code: 'validation_error' },
      { name: 'missing items', event: () => quoteEvent({}), status: 400, code: 'validation_error' },
      { name: 'empty items', event: () => quoteEvent({ items: [] }), status: 400, code: 'validation_error' },
      {
        name: 'a string quantity',
        event: () => quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: '2' }] }),
        status: 400,
        code: 'validation_error',
      },
      {
        name: 'a fractional quantity',
        event: () => quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1.5 }] }),
        status: 400,
        code: 'validation_error',
      },
      {
        name: 'a lower-case SKU',
        event: () => quoteEvent({ items: [{ sku: 'tee-classic-blk', quantity: 1 }] }),
        status: 400,
        code: 'validation_error',
      },
      {
        name: 'an unknown field',
        event: () => quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }], price: 1 }),
        status: 400,
        code: 'validation_error',
      },
      {
        name: 'a __proto__ key',
        event: () =>
          quoteEvent(undefined, {
            rawBody: '{"items":[{"sku":"TEE-CLASSIC-BLK-M","quantity":1}],"__proto__":{"x":1}}',
          }),
        status: 400,
        code: 'validation_error',
      },
      {
        name: '51 lines',
        event: () =>
          quoteEvent({ items: Array.from({ length: 51 }, () => ({ sku: 'STICKER-STAR', quantity: 1 })) }),
        status: 400,
        code: 'validation_error',
      },
      {
        name: 'a body over 16 KB',
        event: () =>
          quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }], pad: 'x'.repeat(17_000) }),
        status: 413,
        code: 'payload_too_large',
      },
      {
        name: 'a text/plain body',
        event: () =>
          makeProxyEvent({
            rawBody: '{"items":[{"sku":"TEE-CLASSIC-BLK-M","quantity":1}]}',
            headers: { 'Content-Type': 'text/plain', Origin: SHOP },
          }),
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        name: 'an unknown SKU',
        event: () => quoteEvent({ items: [{ sku: 'TEE-NOPE', quantity: 1 }] }),
        status: 422,
        code: 'unknown_sku',
      },
      {
        name: 'a retired product',
        event: () => quoteEvent({ items: [{ sku: 'KEYCHAIN-ENAMEL', quantity: 1 }] }),
        status: 422,
        code: 'inactive_sku',
      },
      {
        name: 'a zero quantity',
        event: () => quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 0 }] }),
        status: 422,
        code: 'quantity_out_of_range',
      },
      {
        name: 'a negative quantity',
        event: () => quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: -3 }] }),
        status: 422,
        code: 'quantity_out_of_range',
      },
      {
        name: 'a negative line that would net out another line of the same SKU',
        event: () =>
          quoteEvent({
            items: [
              { sku: 'TEE-CLASSIC-BLK-M', quantity: 5 },
              { sku: 'TEE-CLASSIC-BLK-M', quantity: -3 },
            ],
          }),
        status: 422,
        code: 'quantity_out_of_range',
      },
      {
        name: 'a zero line next to another line of the same SKU',
        event: () =>
          quoteEvent({
            items: [
              { sku: 'TEE-CLASSIC-BLK-M', quantity: 0 },
              { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
            ],
          }),
        status: 422,
        code: 'quantity_out_of_range',
      },
      {
        name: 'a huge quantity',
        event: () => quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1e12 }] }),
        status: 422,
        code: 'quantity_out_of_range',
      },
      {
        name: 'a filled honeypot',
        event: () =>
          quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }], website: 'http://spam.example' }),
        status: 422,
        code: 'honeypot',
      },
      {
        name: 'a foreign origin',
        event: () =>
          quoteEvent(
            { items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }] },
            { headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' } },
          ),
        status: 403,
        code: 'origin_not_allowed',
      },
      {
        name: 'a GET',
        event: () => makeProxyEvent({ method: 'GET', headers: { Origin: SHOP } }),
        status: 405,
        code: 'method_not_allowed',
      },
    ];

    it.each(cases)('$name → $status $code', async ({ event, status, code }) => {
      const { handler } = await makeHarness();
      const before = await table.sdk.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
      const result = await handler(event());
      expect(result.statusCode).toBe(status);
      const body = parse(result);
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe('string');
      expect(body.requestId).toMatch(/^req-/);
      const after = await table.sdk.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
      expect(after.Count).toBe(before.Count);
    });
  });

  it('counts a filled honeypot in its metric', async () => {
    const { handler, telemetry } = await makeHarness();
    await handler(quoteEvent({ items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 1 }], website: 'x' }));
    expect(telemetry.countOf('HoneypotTriggered')).toBe(1);
    expect(telemetry.countOf('QuoteIssued')).toBe(0);
  });

  it('accepts an empty honeypot and a base64-encoded body', async () => {
    const { handler } = await makeHarness();
    const raw = JSON.stringify({ items: [{ sku: 'SOCKS-CREW-WHT', quantity: 2 }], website: '' });
    const result = await handler(
      quoteEvent(undefined, { rawBody: Buffer.from(raw).toString('base64'), isBase64Encoded: true }),
    );
    expect(result.statusCode).toBe(200);
    expect(parse(result).quote.total).toBe(2800);
  });

  it('rate-limits per client address, ignoring headers a client can set', async () => {
    const { handler, telemetry } = await makeHarness({ env: { RATE_LIMIT_QUOTE_PER_HOUR: '3' } });
    const send = (forwardedFor: string, sourceIp = '198.51.100.7') =>
      handler(
        quoteEvent(
          { items: [{ sku: 'STICKER-STAR', quantity: 1 }] },
          {
            sourceIp,
            headers: { 'Content-Type': 'application/json', Origin: SHOP, 'X-Forwarded-For': forwardedFor },
          },
        ),
      );
    for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) expect((await send(ip)).statusCode).toBe(200);
    const limited = await send('4.4.4.4');
    expect(limited.statusCode).toBe(429);
    expect(parse(limited).error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers?.['Retry-After']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limited.headers?.['Access-Control-Allow-Origin']).toBe(SHOP);
    expect(limited.headers?.['Access-Control-Expose-Headers']).toBe('Retry-After');
    expect(telemetry.countOf('RateLimited')).toBe(1);
    expect((await send('4.4.4.4', '198.51.100.8')).statusCode).toBe(200);
  });

  it('keeps quoting when DynamoDB is unreachable: fails open with an error log and a metric', async () => {
    const { handler, telemetry } = await makeHarness({ endpoint: 'http://127.0.0.1:9' });
    const result = await handler(
      quoteEvent({
        items: [
          { sku: 'TEE-CROP-BLK-M', quantity: 1 },
          { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
        ],
      }),
    );
    expect(result.statusCode).toBe(200);
    expect(parse(result).quote.total).toBe(3000 + 6800);
    // The stock could not be read: said so per line, never a refusal (checkout's hold decides).
    expect(parse(result).quote.lines.map((l: { availability: unknown }) => l.availability)).toEqual([
      null,
      null,
    ]);
    expect(telemetry.countOf('RateLimiterError')).toBe(1);
    expect(telemetry.logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(
      expect.arrayContaining([
        'rate limiter unavailable; letting the request through',
        'stock read failed; quoting without availability',
      ]),
    );
  });

  it('never logs the client address', async () => {
    const { handler, telemetry } = await makeHarness();
    await handler(
      quoteEvent({ items: [{ sku: 'TEE-CROP-BLK-M', quantity: 1 }] }, { sourceIp: '192.0.2.44' }),
    );
    await handler(quoteEvent({ items: [] }, { sourceIp: '192.0.2.44' }));
    expect(telemetry.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(telemetry.logs)).not.toContain('192.0.2.44');
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the methods and headers it may use', async () => {
    const { handler } = await makeHarness();
    const result = await handler(
      makeProxyEvent({
        method: 'OPTIONS',
        headers: { Origin: 'https://www.shop.example.com' },
        rawBody: null,
      }),
    );
    expect(result.statusCode).toBe(204);
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://www.shop.example.com',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
      Vary: 'Origin',
    });
  });

  it('gives a preflight from any other origin no CORS headers', async () => {
    const { handler } = await makeHarness();
    for (const origin of [
      'https://evil.example',
      'https://shop.example.com.evil.example',
      'http://shop.example.com',
    ]) {
      const result = await handler(
        makeProxyEvent({ method: 'OPTIONS', headers: { Origin: origin }, rawBody: null }),
      );
      expect(result.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
      expect(result.headers?.['Access-Control-Allow-Methods']).toBeUndefined();
    }
  });
});

describe('GET /catalog', () => {
  it('serves active products with their variants, availability and bundles, cached until the stock changes', async () => {
    const stock = createDynamoStockStore(table);
    await stock.setOnHand('HOODIE-LOGO-BLK-M', 2, 1_000);
    await stock.setOnHand('HOODIE-LOGO-BLK-L', 40, 1_000);
    const handler = buildCatalogHandler(makeTestEnv(table), { telemetry: createRecordingTelemetry() });
    const get = (headers: Record<string, string> = { Origin: SHOP }) =>
      handler(makeProxyEvent({ method: 'GET', path: '/catalog', headers }));
    const result = await get();
    expect(result.statusCode).toBe(200);
    const body = parse(result);
    const catalog = loadSampleCatalog();
    expect(body.version).toBe(catalog.version);
    expect(body.products).toHaveLength(catalog.products.filter((p) => p.active).length);
    const product = (sku: string) => body.products.find((p: { sku: string }) => p.sku === sku);
    expect(product('TEE-CLASSIC-BLK').bundleIds).toEqual(
      expect.arrayContaining(['tee-tiers', 'starter-kit']),
    );
    expect(product('TEE-CLASSIC-BLK').images).toEqual(['/images/tee-classic-blk.svg']);
    const sizes = (sku: string) =>
      Object.fromEntries(
        product(sku).variants.map((v: { label: string; availability: unknown }) => [v.label, v.availability]),
      );
    // Untracked: always in stock, no count.
    expect(sizes('TEE-CLASSIC-BLK').M).toEqual({
      status: 'in_stock',
      available: null,
      message: null,
      backorder: false,
    });
    // Tracked, refused when short: counts from the table; no item is nothing on hand.
    expect(sizes('HOODIE-LOGO-BLK')).toMatchObject({
      S: { status: 'sold_out', available: 0, message: 'Sold out' },
      M: { status: 'low_stock', available: 2, message: 'Only 2 left' },
      L: { status: 'in_stock', available: 40 },
    });
    // Tracked, sold beyond its stock.
    expect(sizes('HOODIE-ZIP-GRY').M).toMatchObject({ status: 'backorder', available: 0, backorder: true });
    // A product without sizes is its own one variant.
    expect(product('CAP-DAD-BLK').variants).toEqual([
      expect.objectContaining({ sku: 'CAP-DAD-BLK', label: '', options: {} }),
    ]);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(SHOP);
    const etag = String(result.headers?.ETag);
    expect((await get({ 'If-None-Match': etag })).statusCode).toBe(304);
    // A sale or a stock change is a new answer.
    await stock.addOnHand('HOODIE-LOGO-BLK-M', -1, 1_001);
    const changed = await get({ 'If-None-Match': etag });
    expect(changed.statusCode).toBe(200);
    expect(
      parse(changed).products.find((p: { sku: string }) => p.sku === 'HOODIE-LOGO-BLK').variants[1]
        .availability,
    ).toMatchObject({ available: 1, message: 'Only 1 left' });
  });
});
