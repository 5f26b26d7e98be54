import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseSigningKeys,
  type QuoteClaims,
  readQuoteSignature,
  signQuote,
  verifyQuoteSignature,
} from '../../src/domain/quote-signature';

const secretA = randomBytes(32).toString('base64');
const secretB = randomBytes(32).toString('base64');
const keys = parseSigningKeys(`a1:${secretA},b2:${secretB}`, 'a1');
const ttlSeconds = 600;

function makeClaims(overrides: Partial<QuoteClaims> = {}): QuoteClaims {
  return {
    cartHash: 'Zq3x0l5w2mTtLr9bYk1pAg',
    currency: 'usd',
    total: 12_345,
    catalogVersion: '2026-11-26.1',
    issuedAt: 1_790_000_000,
    quoteId: 'r4nd0mQuoteId_16',
    ...overrides,
  };
}

const expectationOf = (claims: QuoteClaims) => ({
  cartHash: claims.cartHash,
  currency: claims.currency,
  total: claims.total,
  catalogVersion: claims.catalogVersion,
});

describe('quote signatures', () => {
  it('gives two quotes of the same cart, price and second different signatures (each its own quote id)', () => {
    const first = signQuote(makeClaims({ quoteId: 'shopperA_quote01' }), keys);
    const second = signQuote(makeClaims({ quoteId: 'shopperB_quote02' }), keys);
    expect(first).not.toBe(second);
    const options = { keys, now: makeClaims().issuedAt, ttlSeconds };
    expect(verifyQuoteSignature(first, expectationOf(makeClaims()), options)).toMatchObject({
      status: 'valid',
      claims: { quoteId: 'shopperA_quote01' },
    });
  });

  it('treats a token of the first format (no quote id, shared by every shopper of a cart) as expired', () => {
    const claims = makeClaims();
    const encoded = Buffer.from(
      [claims.cartHash, claims.currency, claims.total, claims.catalogVersion, claims.issuedAt].join('|'),
    ).toString('base64url');
    const unsigned = `qs1.a1.${encoded}`;
    const mac = createHmac('sha256', Buffer.from(secretA, 'base64')).update(unsigned).digest('base64url');
    const check = verifyQuoteSignature(`${unsigned}.${mac}`, expectationOf(claims), {
      keys,
      now: claims.issuedAt + 5,
      ttlSeconds,
    });
    expect(check).toMatchObject({ status: 'expired', claims: { quoteId: '' } });
    // Its MAC still protects it: another total is no longer the same token.
    expect(
      verifyQuoteSignature(`${unsigned}.${mac}x`, expectationOf(claims), {
        keys,
        now: claims.issuedAt,
        ttlSeconds,
      }).status,
    ).toBe('malformed');
  });

  it('refuses to sign a quote without a well-formed quote id', () => {
    expect(() => signQuote(makeClaims({ quoteId: '' }), keys)).toThrow(/quote id/);
    expect(() => signQuote(makeClaims({ quoteId: 'has|pipe-in-it' }), keys)).toThrow(/quote id/);
  });

  it('verifies a signature it issued within the quote lifetime', () => {
    const claims = makeClaims();
    const token = signQuote(claims, keys);
    expect(token.startsWith('qs2.a1.')).toBe(true);
    const check = verifyQuoteSignature(token, expectationOf(claims), {
      keys,
      now: claims.issuedAt + 5,
      ttlSeconds,
    });
    expect(check).toEqual({ status: 'valid', claims });
  });

  it('reports an old but otherwise matching quote as expired', () => {
    const claims = makeClaims();
    const token = signQuote(claims, keys);
    const check = verifyQuoteSignature(token, expectationOf(claims), {
      keys,
      now: claims.issuedAt + ttlSeconds,
      ttlSeconds,
    });
    expect(check.status).toBe('expired');
  });

  it('reports a new price or catalog version as outdated, and another cart as mismatch', () => {
    const claims = makeClaims();
    const token = signQuote(claims, keys);
    const options = { keys, now: claims.issuedAt, ttlSeconds };
    expect(verifyQuoteSignature(token, { ...expectationOf(claims), total: 12_000 }, options).status).toBe(
      'outdated',
    );
    expect(
      verifyQuoteSignature(token, { ...expectationOf(claims), catalogVersion: 'v2' }, options).status,
    ).toBe('outdated');
    expect(verifyQuoteSignature(token, { ...expectationOf(claims), cartHash: 'other' }, options).status).toBe(
      'mismatch',
    );
    expect(verifyQuoteSignature(token, { ...expectationOf(claims), currency: 'eur' }, options).status).toBe(
      'mismatch',
    );
  });

  it('keeps verifying signatures of a retired signing key while it is still listed', () => {
    const claims = makeClaims();
    const oldToken = signQuote(claims, keys);
    const rotated = parseSigningKeys(`a1:${secretA},b2:${secretB}`, 'b2');
    const newToken = signQuote(claims, rotated);
    expect(newToken.startsWith('qs2.b2.')).toBe(true);
    const options = { keys: rotated, now: claims.issuedAt, ttlSeconds };
    expect(verifyQuoteSignature(oldToken, expectationOf(claims), options).status).toBe('valid');
    expect(verifyQuoteSignature(newToken, expectationOf(claims), options).status).toBe('valid');
    const withoutOld = parseSigningKeys(`b2:${secretB}`, 'b2');
    expect(verifyQuoteSignature(oldToken, expectationOf(claims), { ...options, keys: withoutOld })).toEqual({
      status: 'unknown_key',
      keyId: 'a1',
    });
  });

  it('rejects tokens that are not quote signatures as malformed', () => {
    for (const token of [
      '',
      'qs1',
      'qs1.a1.x',
      'qs2.a1.abc.def',
      `qs1.a1.${'A'.repeat(500)}.x`,
      'qs1.a!.abc.def',
    ]) {
      expect(readQuoteSignature(token, keys).status).toBe('malformed');
    }
  });

  it('rejects a signature made with a key it does not hold even under a known key id', () => {
    const foreign = parseSigningKeys(`a1:${randomBytes(32).toString('base64')}`, 'a1');
    const claims = makeClaims();
    const forged = signQuote(claims, foreign);
    expect(
      verifyQuoteSignature(forged, expectationOf(claims), { keys, now: claims.issuedAt, ttlSeconds }).status,
    ).toBe('mismatch');
  });

  it('refuses weak, duplicate or missing signing keys with the variable named', () => {
    expect(() => parseSigningKeys('a1:c2hvcnQ=', 'a1')).toThrow(/QUOTE_SIGNING_KEYS.*at least 32 bytes/);
    expect(() => parseSigningKeys(`a1:${secretA},a1:${secretB}`, 'a1')).toThrow(/listed twice/);
    expect(() => parseSigningKeys(`a1:${secretA}`, 'zz')).toThrow(/QUOTE_SIGNING_KEY_ID/);
    expect(() => parseSigningKeys(`:${secretA}`, 'a1')).toThrow(/keyId/);
  });
});

describe('quote signature tamper resistance (property)', () => {
  const claimsArb = fc.record({
    cartHash: fc.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    currency: fc.constantFrom('usd', 'eur'),
    total: fc.integer({ min: 0, max: 10_000_000 }),
    catalogVersion: fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/),
    issuedAt: fc.integer({ min: 1_700_000_000, max: 2_000_000_000 }),
    quoteId: fc.stringMatching(/^[A-Za-z0-9_-]{8,32}$/),
  });

  it('rejects every single-character change of a signature', () => {
    fc.assert(
      fc.property(claimsArb, fc.nat(), fc.integer({ min: 1, max: 127 }), (claims, position, delta) => {
        const token = signQuote(claims, keys);
        const index = position % token.length;
        const changed = String.fromCharCode((token.charCodeAt(index) + delta) % 128);
        fc.pre(changed !== token[index]);
        const tampered = token.slice(0, index) + changed + token.slice(index + 1);
        const check = verifyQuoteSignature(tampered, expectationOf(claims), {
          keys,
          now: claims.issuedAt,
          ttlSeconds,
        });
        expect(check.status).not.toBe('valid');
        expect(check.status).not.toBe('expired');
        expect(check.status).not.toBe('outdated');
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a signature presented with any bound field changed', () => {
    const field = fc.constantFrom('cartHash', 'currency', 'total', 'catalogVersion', 'issuedAt', 'quoteId');
    fc.assert(
      fc.property(claimsArb, claimsArb, field, (claims, other, name) => {
        fc.pre(claims[name] !== other[name]);
        const token = signQuote(claims, keys);
        const altered = { ...claims, [name]: other[name] };
        const now = claims.issuedAt;
        const check = verifyQuoteSignature(token, expectationOf(altered), { keys, now, ttlSeconds });
        if (name === 'issuedAt' || name === 'quoteId') {
          // The presenter cannot choose the issue time: it comes from the token, so forging a
          // fresher quote means forging a token, which a signature over different claims is not.
          const forged = `${token.split('.').slice(0, 2).join('.')}.${Buffer.from(
            [
              altered.cartHash,
              altered.currency,
              altered.total,
              altered.catalogVersion,
              altered.issuedAt,
              altered.quoteId,
            ].join('|'),
          ).toString('base64url')}.${token.split('.')[3]}`;
          expect(verifyQuoteSignature(forged, expectationOf(altered), { keys, now, ttlSeconds }).status).toBe(
            'mismatch',
          );
        } else {
          expect(check.status).not.toBe('valid');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('quote signatures with a discount code', () => {
  const options = { keys, now: makeClaims().issuedAt, ttlSeconds };

  it('binds the code: a qs3 token carries it, and verifies only with that code', () => {
    const claims = makeClaims({ code: 'BABES10' });
    const token = signQuote(claims, keys);
    expect(token.startsWith('qs3.a1.')).toBe(true);
    const expected = { ...expectationOf(claims), code: 'BABES10' };
    expect(verifyQuoteSignature(token, expected, options)).toEqual({ status: 'valid', claims });
    expect(verifyQuoteSignature(token, { ...expected, code: 'BABES20' }, options).status).toBe('mismatch');
    expect(verifyQuoteSignature(token, expectationOf(claims), options).status).toBe('mismatch');
  });

  it('keeps quotes without a code in the qs2 format, which a code does not verify', () => {
    const claims = makeClaims();
    const token = signQuote({ ...claims, code: '' }, keys);
    expect(token).toBe(signQuote(claims, keys));
    expect(token.startsWith('qs2.a1.')).toBe(true);
    expect(verifyQuoteSignature(token, { ...expectationOf(claims), code: 'BABES10' }, options).status).toBe(
      'mismatch',
    );
  });

  it('refuses to move a code between formats or forge one into the claims', () => {
    const token = signQuote(makeClaims({ code: 'BABES10' }), keys);
    const [, keyId, encoded, mac] = token.split('.');
    // The same claims under the qs2 version: the MAC covers the version too.
    expect(readQuoteSignature(`qs2.${keyId}.${encoded}.${mac}`, keys).status).not.toBe('authentic');
    // Correctly MACed claims of seven fields under qs2, or a lower-case code under qs3: malformed.
    const sign = (version: string, text: string) => {
      const unsigned = `${version}.a1.${Buffer.from(text).toString('base64url')}`;
      return `${unsigned}.${createHmac('sha256', Buffer.from(secretA, 'base64')).update(unsigned).digest('base64url')}`;
    };
    const fields = 'Zq3x0l5w2mTtLr9bYk1pAg|usd|12345|v1|1790000000|r4nd0mQuoteId_16';
    expect(readQuoteSignature(sign('qs2', `${fields}|BABES10`), keys).status).toBe('malformed');
    expect(readQuoteSignature(sign('qs3', `${fields}|babes10`), keys).status).toBe('malformed');
    expect(readQuoteSignature(sign('qs3', fields), keys).status).toBe('malformed');
    expect(readQuoteSignature(sign('qs3', `${fields}|BABES10`), keys)).toMatchObject({
      status: 'authentic',
      claims: { code: 'BABES10' },
    });
  });

  it('will not sign a code that is not a normalised one', () => {
    expect(() => signQuote(makeClaims({ code: 'babes|10' }), keys)).toThrow(/normalised discount code/);
  });
});
