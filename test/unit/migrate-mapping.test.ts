import { describe, expect, it } from 'vitest';
import {
  type CopyMapping,
  MigrationError,
  mapItem,
  parseMapping,
  renderTemplate,
  toEpochSeconds,
} from '../../src/migrate/mapping';

const NOW = 1_790_000_000;

function copyMapping(overrides: Record<string, unknown> = {}): CopyMapping {
  const mapping = parseMapping(
    {
      key: { PK: 'ORDERS#{paid_at|date}', SK: '{paid_at|iso}#{session}' },
      attributes: { sessionId: { from: 'session' }, total: { from: 'amount' }, source: { value: 'v1' } },
      ...overrides,
    },
    'test.json',
  );
  if ('skip' in mapping) throw new Error('expected a copy mapping');
  return mapping;
}

describe('migration mapping', () => {
  it('builds the keys from templates and copies, renames and adds attributes', () => {
    const result = mapItem(
      { session: 'cs_1', amount: 5760, paid_at: 1_767_225_600_000, extra: 'x' },
      copyMapping(),
      NOW,
    );
    expect(result).toEqual({
      kind: 'put',
      item: {
        PK: 'ORDERS#2026-01-01',
        SK: '2026-01-01T00:00:00.000Z#cs_1',
        sessionId: 'cs_1',
        total: 5760,
        source: 'v1',
      },
    });
  });

  it('reads epoch seconds, epoch milliseconds and ISO strings as the same instant', () => {
    const seconds = 1_767_225_600;
    expect(toEpochSeconds(seconds, 'a')).toBe(seconds);
    expect(toEpochSeconds(seconds * 1000, 'a')).toBe(seconds);
    expect(toEpochSeconds('2026-01-01T00:00:00Z', 'a')).toBe(seconds);
    expect(toEpochSeconds(String(seconds), 'a')).toBe(seconds);
  });

  it('chains transforms left to right', () => {
    expect(renderTemplate('{d|compactDate}|{n|trim|upper}', { d: '2026-03-04T05:06:07Z', n: ' ab ' })).toBe(
      '20260304|AB',
    );
  });

  it('skips an item that fails a where condition, and says which', () => {
    const mapping = copyMapping({ where: [{ attribute: 'status', in: ['paid', 'complete'] }] });
    const result = mapItem({ status: 'pending', session: 's', paid_at: 1 }, mapping, NOW);
    expect(result).toMatchObject({ kind: 'skip', reason: 'filtered' });
    expect(mapItem({ status: 'complete', session: 's', paid_at: 1_767_225_600 }, mapping, NOW).kind).toBe(
      'put',
    );
  });

  it('skips an item missing an attribute its key needs instead of writing a broken key', () => {
    expect(mapItem({ amount: 1, paid_at: 1_767_225_600 }, copyMapping(), NOW)).toEqual({
      kind: 'skip',
      reason: 'missing_attribute',
      detail: 'missing attribute session',
    });
  });

  it('skips an unreadable timestamp without echoing the value', () => {
    const result = mapItem({ session: 's', paid_at: 'jane@example.com' }, copyMapping(), NOW);
    expect(result).toMatchObject({ kind: 'skip', reason: 'bad_value' });
    expect(JSON.stringify(result)).not.toContain('jane@example.com');
  });

  it('computes expiresAt from a source attribute and drops items already expired', () => {
    const mapping = copyMapping({ ttl: { from: 'created', addSeconds: 600 } });
    const fresh = mapItem({ session: 's', paid_at: NOW, created: NOW - 60 }, mapping, NOW);
    expect(fresh).toMatchObject({ kind: 'put', item: { expiresAt: NOW + 540 } });
    const stale = mapItem({ session: 's', paid_at: NOW, created: NOW - 600 }, mapping, NOW);
    expect(stale).toMatchObject({ kind: 'skip', reason: 'expired' });
  });

  it('refuses to carry a raw IP address into the new table, in a key or an attribute', () => {
    const inKey = parseMapping(
      { key: { PK: 'LIMIT#quote#{ip}', SK: 'WINDOW#{day}' } },
      'k.json',
    ) as CopyMapping;
    expect(mapItem({ ip: '203.0.113.7', day: '20260101' }, inKey, NOW)).toMatchObject({
      kind: 'skip',
      reason: 'raw_ip',
    });
    const inAttribute = copyMapping({ attributes: { client: { from: 'ip' } } });
    expect(mapItem({ session: 's', paid_at: NOW, ip: '2001:db8::1' }, inAttribute, NOW)).toMatchObject({
      kind: 'skip',
      reason: 'raw_ip',
    });
  });

  it('copies items of the same layout whole, keys included, and drops the expired ones', () => {
    const mapping = parseMapping(
      { key: { PK: '{PK}', SK: '{SK}' }, copyAll: true },
      'restore.json',
    ) as CopyMapping;
    const session = {
      PK: 'SESSION#cs_1',
      SK: 'METADATA',
      status: 'complete',
      lines: [{ sku: 'A', quantity: 1 }],
    };
    expect(mapItem(session, mapping, NOW)).toEqual({ kind: 'put', item: session });
    const quote = { PK: 'CART#h', SK: 'QUOTE#1', expiresAt: NOW - 1 };
    expect(mapItem(quote, mapping, NOW)).toMatchObject({ kind: 'skip', reason: 'expired' });
  });

  it('accepts a mapping that skips a whole table, but only with a reason', () => {
    expect(parseMapping({ skip: 'windows expire within a day' }, 's.json')).toEqual({
      skip: 'windows expire within a day',
    });
    expect(() => parseMapping({ skip: '' }, 's.json')).toThrow(/skip: must say why/);
  });

  it('rejects a partition key outside the single table’s prefixes, an unknown transform and a reserved attribute', () => {
    let error: unknown;
    try {
      parseMapping(
        {
          key: { PK: 'RATE#{ip}', SK: '{x|reverse}' },
          attributes: { expiresAt: { from: 'ttl' } },
        },
        'bad.json',
      );
    } catch (err: unknown) {
      error = err;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('invalid_mapping');
    const message = (error as Error).message;
    expect(message).toMatch(/key\.PK: must start with one of the single table's prefixes/);
    expect(message).toMatch(/key\.SK: uses an unknown transform/);
    expect(message).toMatch(/attributes: must not set PK, SK or expiresAt/);
  });
});
