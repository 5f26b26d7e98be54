import { createHmac, timingSafeEqual } from 'node:crypto';
import { CODE_PATTERN } from './discount-code';

/**
 * Quote signatures.
 *
 * A signature is a self-describing token: `qs2.<keyId>.<claims>.<mac>`, where `claims` is the
 * base64url of `cartHash|currency|total|catalogVersion|issuedAt|quoteId` and `mac` the base64url
 * HMAC-SHA256 of `qs2.<keyId>.<claims>` under the key named by `keyId`. A quote priced with a
 * discount code it applied is a `qs3` token, whose claims end with `|code`: the code is bound like
 * the total, and checkout reads it from the token. Quotes without a code stay `qs2`, as before. The quote id is random per
 * issued quote: two shoppers with the same cart hold different quotes, so nothing keyed by a
 * signature (a checkout, its coupon, its Stripe idempotency keys) is ever shared between them. Carrying the claims lets a
 * verifier tell *why* a quote no longer holds (a different cart, a new price, an old quote) without a
 * database read; the MAC makes every claim tamper-proof. Several keys verify, one signs: keys rotate
 * without downtime by adding the new key, switching the signing id, and later retiring the old key.
 */

const VERSION = 'qs2';
/** The format of a quote with an applied discount code: the claims carry the code. */
const CODE_VERSION = 'qs3';
/** Tokens of the first format (no quote id) still verify, as expired quotes, so they are re-issued. */
const LEGACY_VERSION = 'qs1';
const QUOTE_ID_PATTERN = /^[A-Za-z0-9_-]{8,32}$/;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAC_LENGTH = 43; // base64url of 32 bytes, unpadded
/** Tokens longer than this are malformed without further work (bounds the HMAC input). */
const MAX_TOKEN_LENGTH = 400;
/** An issue time this far in the future (clock skew between instances) is still accepted. */
const MAX_CLOCK_SKEW_SECONDS = 60;
const MIN_SECRET_BYTES = 32;

/** The facts a quote signature binds. */
export interface QuoteClaims {
  readonly cartHash: string;
  readonly currency: string;
  /** Quoted total in minor units. */
  readonly total: number;
  readonly catalogVersion: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /**
   * Random per issued quote (8–32 characters of base64url): the quote's own identity. Empty only
   * in a token of the legacy format, which is never valid (see {@link verifyQuoteSignature}).
   */
  readonly quoteId: string;
  /** The discount code the quote applied (normalised); absent or `''` for none. */
  readonly code?: string;
}

/** Signing keys by id, and the id new signatures use. */
export interface SigningKeys {
  readonly signingKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** Configuration of signing keys is wrong; the message says which part. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
  readonly code = 'invalid_signing_keys';
}

/**
 * Parses `kid:base64secret,kid2:base64secret` (the `QUOTE_SIGNING_KEYS` format) and checks that
 * `signingKeyId` is among them. Secrets must decode to at least 32 bytes.
 */
export function parseSigningKeys(spec: string, signingKeyId: string): SigningKeys {
  const keys = new Map<string, Buffer>();
  for (const entry of spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    if (separator < 1 || !KEY_ID_PATTERN.test(id)) {
      throw new SigningKeyError(
        'QUOTE_SIGNING_KEYS: each entry must be "<keyId>:<base64 secret>" with a keyId of A–Z, a–z, 0–9, _ or -',
      );
    }
    const secret = Buffer.from(entry.slice(separator + 1), 'base64');
    if (secret.length < MIN_SECRET_BYTES) {
      throw new SigningKeyError(
        `QUOTE_SIGNING_KEYS: the secret of key "${id}" must decode to at least ${MIN_SECRET_BYTES} bytes`,
      );
    }
    if (keys.has(id)) throw new SigningKeyError(`QUOTE_SIGNING_KEYS: key "${id}" is listed twice`);
    keys.set(id, secret);
  }
  if (!keys.has(signingKeyId)) {
    throw new SigningKeyError(
      `QUOTE_SIGNING_KEY_ID: "${signingKeyId}" is not one of the keys in QUOTE_SIGNING_KEYS`,
    );
  }
  return { signingKeyId, keys };
}

/** Signs `claims` with the signing key. Deterministic: the same claims give the same token. */
export function signQuote(claims: QuoteClaims, keys: SigningKeys): string {
  if (!QUOTE_ID_PATTERN.test(claims.quoteId)) {
    throw new SigningKeyError('a quote id must be 8–32 characters of A–Z, a–z, 0–9, _ or -');
  }
  const code = claims.code ?? '';
  if (code !== '' && !CODE_PATTERN.test(code)) {
    throw new SigningKeyError('a quote’s code must be a normalised discount code');
  }
  const secret = keys.keys.get(keys.signingKeyId);
  if (!secret) throw new SigningKeyError(`no key "${keys.signingKeyId}" to sign with`);
  const encoded = Buffer.from(encodeClaims(claims)).toString('base64url');
  const version = code === '' ? VERSION : CODE_VERSION;
  const unsigned = `${version}.${keys.signingKeyId}.${encoded}`;
  return `${unsigned}.${mac(secret, unsigned)}`;
}

/** What a presented signature turned out to be. */
export type QuoteSignatureCheck =
  /** Authentic, for this cart and price, and within its lifetime. */
  | { readonly status: 'valid'; readonly claims: QuoteClaims }
  /** Authentic and for this cart and price, but older than the quote lifetime. */
  | { readonly status: 'expired'; readonly claims: QuoteClaims }
  /** Authentic and for this cart, but the price or catalog changed since it was issued. */
  | { readonly status: 'outdated'; readonly claims: QuoteClaims }
  /** Not for this cart, or not authentic (a forged or altered token). */
  | { readonly status: 'mismatch' }
  /** Not a quote signature at all. */
  | { readonly status: 'malformed' }
  /** Signed with a key this deployment does not hold (retired, or never ours). */
  | { readonly status: 'unknown_key'; readonly keyId: string };

/** What the verifier compares the token with: the fresh re-pricing of the presented cart. */
export interface QuoteExpectation {
  readonly cartHash: string;
  readonly currency: string;
  readonly total: number;
  readonly catalogVersion: string;
  /** The code the fresh pricing applied; absent or `''` for none. */
  readonly code?: string;
}

/**
 * Checks a presented signature against a fresh pricing of the presented cart. The MAC is compared in
 * constant time. Checks run from the cheapest to the most specific, so a forged token never learns
 * more than `mismatch`.
 */
export function verifyQuoteSignature(
  token: string,
  expected: QuoteExpectation,
  options: { readonly keys: SigningKeys; readonly now: number; readonly ttlSeconds: number },
): QuoteSignatureCheck {
  const read = readQuoteSignature(token, options.keys);
  if (read.status !== 'authentic') return read;
  const { claims } = read;
  if (
    claims.cartHash !== expected.cartHash ||
    claims.currency !== expected.currency ||
    (claims.code ?? '') !== (expected.code ?? '')
  )
    return { status: 'mismatch' };
  if (claims.total !== expected.total || claims.catalogVersion !== expected.catalogVersion) {
    return { status: 'outdated', claims };
  }
  if (claims.issuedAt > options.now + MAX_CLOCK_SKEW_SECONDS) return { status: 'malformed' };
  // A legacy token has no quote id of its own: it may be shared by every shopper with this cart, so
  // it is never checked out as it is, only re-issued like an expired quote.
  if (claims.quoteId === '') return { status: 'expired', claims };
  if (options.now >= claims.issuedAt + options.ttlSeconds) return { status: 'expired', claims };
  return { status: 'valid', claims };
}

/** Parses and authenticates a token without comparing it with a cart. */
export function readQuoteSignature(
  token: string,
  keys: SigningKeys,
):
  | { readonly status: 'authentic'; readonly claims: QuoteClaims }
  | { readonly status: 'mismatch' }
  | { readonly status: 'malformed' }
  | { readonly status: 'unknown_key'; readonly keyId: string } {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { status: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 4) return { status: 'malformed' };
  const [version, keyId, encoded, presentedMac] = parts as [string, string, string, string];
  const format = FORMATS[version];
  if (!format || !KEY_ID_PATTERN.test(keyId)) return { status: 'malformed' };
  if (
    !BASE64URL_PATTERN.test(encoded) ||
    presentedMac.length !== MAC_LENGTH ||
    !BASE64URL_PATTERN.test(presentedMac)
  ) {
    return { status: 'malformed' };
  }
  const secret = keys.keys.get(keyId);
  if (!secret) return { status: 'unknown_key', keyId };
  const expectedMac = Buffer.from(mac(secret, `${version}.${keyId}.${encoded}`), 'base64url');
  const givenMac = Buffer.from(presentedMac, 'base64url');
  // Base64url has several spellings of the same bytes in its last character; compare the
  // canonical text too, so that only the exact token this service issued is accepted.
  if (givenMac.length !== expectedMac.length || !timingSafeEqual(givenMac, expectedMac))
    return { status: 'mismatch' };
  if (givenMac.toString('base64url') !== presentedMac) return { status: 'mismatch' };
  const claims = decodeClaims(Buffer.from(encoded, 'base64url').toString('utf8'), format);
  if (!claims || Buffer.from(encodeClaims(claims)).toString('base64url') !== encoded)
    return { status: 'malformed' };
  return { status: 'authentic', claims };
}

function mac(secret: Buffer, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}

function encodeClaims(claims: QuoteClaims): string {
  const fields = [claims.cartHash, claims.currency, claims.total, claims.catalogVersion, claims.issuedAt];
  if (claims.quoteId === '') return fields.join('|');
  const code = claims.code ?? '';
  return [...fields, claims.quoteId, ...(code === '' ? [] : [code])].join('|');
}

/** What each version's claims hold beyond the first five fields. */
type ClaimsFormat = 'legacy' | 'current' | 'with_code';
const FORMATS: Readonly<Record<string, ClaimsFormat>> = {
  [LEGACY_VERSION]: 'legacy',
  [VERSION]: 'current',
  [CODE_VERSION]: 'with_code',
};
const FIELD_COUNT: Readonly<Record<ClaimsFormat, number>> = { legacy: 5, current: 6, with_code: 7 };

/** Reads the claims of a token: legacy (no quote id), current (a quote id), or with a code too. */
function decodeClaims(text: string, format: ClaimsFormat): QuoteClaims | null {
  const fields = text.split('|');
  if (fields.length !== FIELD_COUNT[format]) return null;
  const [cartHash, currency, total, catalogVersion, issuedAt, quoteId = '', code = ''] = fields as [
    string,
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  if (!/^(0|[1-9][0-9]{0,11})$/.test(total) || !/^[1-9][0-9]{0,10}$/.test(issuedAt)) return null;
  if (!cartHash || !currency || !catalogVersion) return null;
  if (format !== 'legacy' && !QUOTE_ID_PATTERN.test(quoteId)) return null;
  if (format === 'with_code' && !CODE_PATTERN.test(code)) return null;
  return {
    cartHash,
    currency,
    total: Number(total),
    catalogVersion,
    issuedAt: Number(issuedAt),
    quoteId,
    ...(format === 'with_code' ? { code } : {}),
  };
}
