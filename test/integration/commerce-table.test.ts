import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoQuoteStore } from '../../src/adapters/dynamodb/quote-store';
import { createDynamoRateLimiter, windowsAt } from '../../src/adapters/dynamodb/rate-limiter';
import { createDynamoSessionStore } from '../../src/adapters/dynamodb/session-store';
import {
  CorruptItemError,
  keys,
  readSessionRecord,
  sessionItem,
} from '../../src/adapters/dynamodb/table-items';
import type { StoredQuote } from '../../src/app/ports';
import type { PricedCart } from '../../src/domain/priced-cart';
import { startTestTable, type TestTable } from '../support/dynamo';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.close();
});

const NOW = 1_790_000_000;

function makeQuote(overrides: Partial<StoredQuote> = {}): StoredQuote {
  const pricedCart: PricedCart = {
    currency: 'usd',
    catalogVersion: 'v1',
    lines: [
      {
        sku: 'TEE-CLASSIC-BLK-M',
        name: 'Tee',
        unitAmount: 3200,
        quantity: 2,
        subtotal: 6400,
        discount: 640,
        total: 5760,
      },
    ],
    subtotal: 6400,
    discount: 640,
    total: 5760,
    appliedBundles: [],
    hints: [],
  };
  return {
    quoteSignature: `qs1.k1.sig-${Math.random().toString(36).slice(2)}.mac`,
    cartHash: 'hash-a',
    items: [{ sku: 'TEE-CLASSIC-BLK-M', quantity: 2 }],
    pricedCart,
    issuedAt: NOW,
    expiresAt: NOW + 600,
    ...overrides,
  };
}

describe('quote store on DynamoDB', () => {
  it("finds the newest cached pricing of a cart, without any shopper's signature", async () => {
    const store = createDynamoQuoteStore(table);
    const older = makeQuote({ cartHash: 'hash-newest', issuedAt: NOW - 100, expiresAt: NOW + 500 });
    const newer = makeQuote({ cartHash: 'hash-newest', issuedAt: NOW - 10, expiresAt: NOW + 590 });
    await store.saveQuote(older);
    await store.saveQuote(newer);
    const { quoteSignature, ...pricing } = newer;
    expect(await store.findCachedQuote('hash-newest', 'v1', NOW)).toEqual(pricing);
    const { Items } = await table.sdk.send(new ScanCommand({ TableName: table.tableName }));
    expect(JSON.stringify(Items)).not.toContain(quoteSignature);
    expect(JSON.stringify(Items)).not.toContain(older.quoteSignature);
  });

  it('treats an expired quote as absent even though the table still holds it', async () => {
    const store = createDynamoQuoteStore(table);
    const quote = makeQuote({ cartHash: 'hash-expired' });
    await store.saveQuote(quote);
    expect(await store.findCachedQuote('hash-expired', 'v1', quote.expiresAt - 1)).not.toBeNull();
    expect(await store.findCachedQuote('hash-expired', 'v1', quote.expiresAt)).toBeNull();
    const { Item } = await table.sdk.send(
      new GetCommand({ TableName: table.tableName, Key: { PK: 'CART#hash-expired', SK: `QUOTE#${NOW}` } }),
    );
    expect(Item).toBeDefined();
  });

  it('does not serve a cached quote of another catalog version', async () => {
    const store = createDynamoQuoteStore(table);
    await store.saveQuote(makeQuote({ cartHash: 'hash-version' }));
    expect(await store.findCachedQuote('hash-version', 'v2', NOW)).toBeNull();
  });

  it('saves the same quote twice without harm', async () => {
    const store = createDynamoQuoteStore(table);
    const quote = makeQuote({ cartHash: 'hash-twice' });
    await store.saveQuote(quote);
    await store.saveQuote(quote);
    const { quoteSignature: _signature, ...pricing } = quote;
    expect(await store.findCachedQuote('hash-twice', 'v1', NOW)).toEqual(pricing);
  });
});

describe('rate limiter on DynamoDB', () => {
  it('lets exactly the limit through when 50 requests race against a limit of 20', async () => {
    const limiter = createDynamoRateLimiter(table);
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () =>
        limiter.checkRateLimit({
          scope: 'quote',
          key: 'race',
          limits: { perHour: 20, perDay: 100 },
          now: NOW,
        }),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
    const refused = decisions.find((d) => !d.allowed);
    expect(refused).toMatchObject({ allowed: false, window: 'hour' });
  });

  it('opens the next hour and says how long to wait', async () => {
    const limiter = createDynamoRateLimiter(table);
    const start = NOW - (NOW % 3600) + 3000; // 10 minutes before the hour ends
    const limits = { perHour: 2, perDay: 100 };
    const check = (now: number) => limiter.checkRateLimit({ scope: 'quote', key: 'hourly', limits, now });
    expect((await check(start)).allowed).toBe(true);
    expect((await check(start + 1)).allowed).toBe(true);
    expect(await check(start + 2)).toEqual({ allowed: false, window: 'hour', retryAfterSeconds: 598 });
    expect((await check(start + 600)).allowed).toBe(true);
  });

  it('enforces the daily window across hours', async () => {
    const limiter = createDynamoRateLimiter(table);
    const dayStart = NOW - (NOW % 86_400);
    const limits = { perHour: 10, perDay: 3 };
    const check = (now: number) => limiter.checkRateLimit({ scope: 'quote', key: 'daily', limits, now });
    expect((await check(dayStart + 100)).allowed).toBe(true);
    expect((await check(dayStart + 3_700)).allowed).toBe(true);
    expect((await check(dayStart + 7_300)).allowed).toBe(true);
    const refused = await check(dayStart + 10_000);
    expect(refused).toEqual({ allowed: false, window: 'day', retryAfterSeconds: 86_400 - 10_000 });
    expect((await check(dayStart + 86_400)).allowed).toBe(true);
  });

  it('keeps scopes and keys apart', async () => {
    const limiter = createDynamoRateLimiter(table);
    const limits = { perHour: 1, perDay: 1 };
    expect((await limiter.checkRateLimit({ scope: 'quote', key: 'apart', limits, now: NOW })).allowed).toBe(
      true,
    );
    expect(
      (await limiter.checkRateLimit({ scope: 'checkout', key: 'apart', limits, now: NOW })).allowed,
    ).toBe(true);
    expect((await limiter.checkRateLimit({ scope: 'quote', key: 'apart-2', limits, now: NOW })).allowed).toBe(
      true,
    );
    expect((await limiter.checkRateLimit({ scope: 'quote', key: 'apart', limits, now: NOW })).allowed).toBe(
      false,
    );
  });

  it('names UTC windows by day and hour', () => {
    const at = Date.UTC(2026, 10, 26, 23, 59, 59) / 1000;
    expect(windowsAt(at)).toEqual({
      day: '20261126',
      hourAttribute: 'h23',
      dayEnds: at + 1,
      hourEnds: at + 1,
    });
  });
});

describe('table items read back', () => {
  it('refuses a damaged session item with its key and what is wrong, instead of reading NaN or "undefined"', async () => {
    const sessions = createDynamoSessionStore(table);
    await table.sdk.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...keys.session('cs_test_damaged'),
          sessionId: 'cs_test_damaged',
          quoteSignature: 'qs2.k.x.y',
          cartHash: 'h',
          catalogVersion: 'v1',
          status: 'paid-ish',
          discountMode: 'coupon',
          currency: 'usd',
          amountSubtotal: '100',
          amountDiscount: 0,
          amountTotal: 100,
          lines: '[{"sku":"A"',
          checkoutUrl: 'https://pay.example/cs',
          sessionExpiresAt: 1,
          createdAt: 1,
        },
      }),
    );
    const read = sessions.getSession('cs_test_damaged');
    await expect(read).rejects.toBeInstanceOf(CorruptItemError);
    await expect(read).rejects.toThrow(/SESSION#cs_test_damaged \/ METADATA/);
    await expect(read).rejects.toThrow(/status: must be one of open/);
    await expect(read).rejects.toThrow(/amountSubtotal: must be a number/);
    await expect(read).rejects.toThrow(/lines: is not valid JSON/);
  });

  it('reads back exactly what it wrote for a session, with a legacy item given its quote slot', async () => {
    const sessions = createDynamoSessionStore(table);
    const record = {
      sessionId: 'cs_test_roundtrip',
      slotId: 'cart#roundtrip-cart-0001',
      quoteSignature: 'qs2.k.claims.mac',
      cartHash: 'hash',
      catalogVersion: 'v1',
      status: 'open' as const,
      couponId: 'checkout_abc',
      discountMode: 'coupon' as const,
      code: 'BABES10',
      codeDiscount: 576,
      currency: 'usd',
      amountSubtotal: 6400,
      amountDiscount: 640,
      amountTotal: 5760,
      lines: [{ sku: 'TEE', name: 'Tee', quantity: 2, unitAmount: 3200, total: 5760 }],
      emailMasked: 'j***@example.com',
      checkoutUrl: 'https://pay.example/cs_test_roundtrip',
      sessionExpiresAt: NOW + 3_600,
      createdAt: NOW,
      hold: {
        holdId: 'attempt-key',
        until: NOW + 3_600,
        lines: [{ sku: 'TEE', quantity: 2, whenShort: 'refuse' as const }],
      },
    };
    await sessions.recordSession(record, NOW);
    expect(await sessions.getSession(record.sessionId)).toEqual({ ...record, fulfilled: false });
    // An item written before checkout slots existed has no slotId: it belongs to its quote's slot.
    const { slotId: _slot, hold: _hold, ...legacyItem } = sessionItem(record, NOW);
    expect(readSessionRecord(legacyItem).slotId).toMatch(/^quote#[A-Za-z0-9_-]{32}$/);
    // …and, made before stock was tracked, holds nothing.
    expect(readSessionRecord(legacyItem).hold).toBeNull();
  });
});
