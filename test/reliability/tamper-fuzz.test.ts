import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { type CartItem, hashCart, normaliseCart } from '../../src/domain/cart';
import { validateCart } from '../../src/domain/cart-validation';
import { priceCart } from '../../src/domain/pricing';
import {
  parseSigningKeys,
  type QuoteClaims,
  signQuote,
  verifyQuoteSignature,
} from '../../src/domain/quote-signature';
import { loadBundledCatalog } from '../../src/wiring';
import { SHOP } from '../support/commerce-harness';
import { startTestTable, type TestTable } from '../support/dynamo';
import { makeProxyEvent } from '../support/events';
import { seededRandom } from '../support/seeded-random';
import { startTestEmulator } from '../support/stripe';
import { makeLiveApi, randomCart } from './harness';
import { registerClientIps, registerSecrets } from './log-audit';

const SIGNATURE_MUTATIONS = 6_000;
const CART_MUTATIONS = 4_000;
const THROUGH_THE_HANDLER = 200;
const NOW = 1_795_000_000;
const TTL = 600;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const catalog = loadBundledCatalog();
const secretA = randomBytes(32).toString('base64');
const secretB = randomBytes(32).toString('base64');
// Two keys verify (a rotation in progress); t1 signs.
const keys = parseSigningKeys(`t1:${secretA},t2:${secretB}`, 't1');
registerSecrets(secretA, secretB);

type Random = () => number;
const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)] as T;

function claimsOf(items: readonly CartItem[], issuedAt: number): QuoteClaims {
  const priced = priceCart(catalog, items);
  return {
    cartHash: hashCart(items),
    currency: priced.currency,
    total: priced.total,
    catalogVersion: priced.catalogVersion,
    issuedAt,
    quoteId: randomBytes(12).toString('base64url'),
  };
}

/** One random alteration of a token: characters, segments, claims or MAC. Never the token itself. */
function mutateToken(token: string, other: string, random: Random): string {
  const [version, keyId, claims, mac] = token.split('.') as [string, string, string, string];
  const decoded = Buffer.from(claims, 'base64url').toString('utf8').split('|');
  const at = Math.floor(random() * token.length);
  const operators: (() => string)[] = [
    () => token.slice(0, at) + pick([...BASE64URL, '.', '=', '+', '/'], random) + token.slice(at + 1),
    () => token.slice(0, at) + token.slice(at + 1),
    () => token.slice(0, at) + pick([...BASE64URL], random) + token.slice(at),
    () => token.slice(0, at) + token.slice(at + 1, at + 2) + token.slice(at, at + 1) + token.slice(at + 2),
    () => token.slice(0, at),
    () => `${version}.t2.${claims}.${mac}`,
    () => `${version}.${keyId}.${claims}.${other.split('.')[3]}`,
    () => `${version}.${keyId}.${other.split('.')[2]}.${mac}`,
    () => `qs3.${keyId}.${claims}.${mac}`,
    () => `qs1.${keyId}.${claims}.${mac}`,
    () => `${version}.${keyId}.${mac}.${claims}`,
    () => `${token}.${mac}`,
    () => `${version}.${keyId}.${claims}.${Buffer.from(mac, 'base64url').toString('base64')}`,
    () => `${version}.${keyId}.${claims}=.${mac}`,
    () => token.toUpperCase(),
    () => {
      // Re-encoded claims with one field changed, under the original MAC.
      const fields = [...decoded];
      const index = Math.floor(random() * fields.length);
      const value = fields[index] ?? '';
      fields[index] = /^\d+$/.test(value)
        ? String(Number(value) + 1 + Math.floor(random() * 1000))
        : `${value}x`;
      return `${version}.${keyId}.${Buffer.from(fields.join('|')).toString('base64url')}.${mac}`;
    },
    () => {
      // A lower total, signed by a key this deployment does not hold.
      const forgedKeys = parseSigningKeys(`t1:${randomBytes(32).toString('base64')}`, 't1');
      const fields = [...decoded];
      fields[2] = String(Math.max(0, Number(fields[2]) - 500));
      const [cartHash = '', currency = '', total = '0', catalogVersion = '', issuedAt = '0', quoteId = ''] =
        fields;
      return signQuote(
        { cartHash, currency, total: Number(total), catalogVersion, issuedAt: Number(issuedAt), quoteId },
        forgedKeys,
      );
    },
  ];
  for (;;) {
    const mutated = pick(operators, random)();
    if (mutated !== token) return mutated;
  }
}

/** One random change of a cart: quantities, lines, SKUs. May keep the same contents (reordering). */
function mutateCart(items: readonly CartItem[], random: Random): CartItem[] {
  const out = items.map((i) => ({ ...i }));
  const at = Math.floor(random() * out.length);
  const skus = catalog.products.filter((p) => p.active).map((p) => p.sku);
  switch (Math.floor(random() * 6)) {
    case 0:
      out[at] = {
        sku: out[at]?.sku ?? '',
        quantity: (out[at]?.quantity ?? 1) + pick([-2, -1, 1, 2, 3], random),
      };
      break;
    case 1:
      out.push({ sku: pick(skus, random), quantity: 1 + Math.floor(random() * 3) });
      break;
    case 2:
      if (out.length > 1) out.splice(at, 1);
      else out.push({ sku: pick(skus, random), quantity: 1 });
      break;
    case 3:
      out[at] = { sku: pick(skus, random), quantity: out[at]?.quantity ?? 1 };
      break;
    case 4:
      // The same line split in two: the same contents, which must keep verifying.
      if ((out[at]?.quantity ?? 0) > 1) {
        const line = out[at] as CartItem;
        out.splice(at, 1, { sku: line.sku, quantity: 1 }, { sku: line.sku, quantity: line.quantity - 1 });
      }
      break;
    default:
      out.reverse();
  }
  return out;
}

describe('tamper fuzz', () => {
  it(`accepts none of ${SIGNATURE_MUTATIONS} altered signatures and ${CART_MUTATIONS} altered carts (domain functions)`, () => {
    const random = seededRandom(424242);
    const quotes = Array.from({ length: 60 }, (_, i) => {
      const items = normaliseCart(randomCart(catalog, random));
      const claims = claimsOf(items, NOW - (i % 500));
      return { items, claims, token: signQuote(claims, keys) };
    });
    const options = { keys, now: NOW, ttlSeconds: TTL };
    const accepted: string[] = [];
    const outcomes = new Map<string, number>();
    const count = (status: string) => outcomes.set(status, (outcomes.get(status) ?? 0) + 1);

    for (let i = 0; i < SIGNATURE_MUTATIONS; i += 1) {
      const quote = pick(quotes, random);
      const mutated = mutateToken(quote.token, pick(quotes, random).token, random);
      const check = verifyQuoteSignature(mutated, quote.claims, options);
      count(check.status);
      // Any status that vouches for the claims (valid, expired, outdated) would be an acceptance.
      if (!['mismatch', 'malformed', 'unknown_key'].includes(check.status)) accepted.push(mutated);
    }
    let sameContents = 0;
    for (let i = 0; i < CART_MUTATIONS; i += 1) {
      const quote = pick(quotes, random);
      const mutated = mutateCart(quote.items, random);
      let items: CartItem[];
      try {
        items = validateCart(catalog, mutated);
      } catch {
        count('refused cart');
        continue;
      }
      const check = verifyQuoteSignature(quote.token, claimsOf(items, NOW), options);
      if (hashCart(items) === quote.claims.cartHash) {
        sameContents += 1;
        expect(check.status).toBe('valid');
        continue;
      }
      count(check.status);
      if (check.status !== 'mismatch') accepted.push(JSON.stringify(mutated));
    }

    expect(accepted).toEqual([]);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0) + sameContents).toBe(
      SIGNATURE_MUTATIONS + CART_MUTATIONS,
    );
    // The fuzz reached every refusal the verifier has.
    expect(outcomes.get('mismatch')).toBeGreaterThan(1_000);
    expect(outcomes.get('malformed')).toBeGreaterThan(100);
    expect(outcomes.get('unknown_key')).toBeGreaterThan(0);
  });

  describe('through the checkout handler', () => {
    let table: TestTable;
    let stripe: StripeEmulator;
    beforeAll(async () => {
      table = await startTestTable('tamper-test');
      stripe = await startTestEmulator();
      registerClientIps('203.0.113.10');
    });
    afterAll(async () => {
      await stripe.close();
      await table.close();
    });

    it(`refuses ${THROUGH_THE_HANDLER} altered signatures and carts with a 4xx and creates nothing at Stripe`, async () => {
      const api = await makeLiveApi({ table, stripe });
      const random = seededRandom(5150);
      const headers = { 'Content-Type': 'application/json', Origin: SHOP };
      const quotes: { items: CartItem[]; token: string }[] = [];
      for (let i = 0; i < 10; i += 1) {
        const items = randomCart(catalog, random);
        const answer = await api.quote(makeProxyEvent({ body: { items }, headers }));
        quotes.push({
          items,
          token: String((JSON.parse(answer.body) as { quoteSignature: string }).quoteSignature),
        });
      }
      const statuses = new Map<number, number>();
      for (let i = 0; i < THROUGH_THE_HANDLER; i += 1) {
        const quote = pick(quotes, random);
        let body: { items: CartItem[]; quoteSignature: string };
        if (i % 2 === 0) {
          body = {
            items: quote.items,
            quoteSignature: mutateToken(quote.token, pick(quotes, random).token, random),
          };
        } else {
          let items = mutateCart(quote.items, random);
          while (
            hashCart(normaliseCart(items.filter((l) => l.quantity > 0))) ===
            hashCart(normaliseCart(quote.items))
          ) {
            items = mutateCart(items, random);
          }
          body = { items, quoteSignature: quote.token };
        }
        const result = await api.checkout(
          makeProxyEvent({ path: '/checkout/create-session', body, headers }),
        );
        statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      }
      expect([...statuses.keys()].filter((s) => s < 400 || s >= 500)).toEqual([]);
      expect(statuses.get(422)).toBeGreaterThan(THROUGH_THE_HANDLER / 2);
      expect(stripe.state().sessions).toEqual([]);
      expect(stripe.state().coupons).toEqual([]);
    });
  });
});
