import { randomBytes } from 'node:crypto';
import { type CartItem, hashCart } from '../domain/cart';
import { validateCart } from '../domain/cart-validation';
import type { Catalog } from '../domain/catalog';
import type { PricedCart } from '../domain/priced-cart';
import { type HintPricings, priceCart } from '../domain/pricing';
import { applyCode, type CodeLookup, refuseCode } from '../domain/pricing-codes';
import { type SigningKeys, signQuote } from '../domain/quote-signature';
import type { Availability } from '../domain/stock';
import { checkoutSlotId } from './checkout-slot';
import { type CodeFinding, type CodeLookupDeps, findCodeForQuote } from './code-lookup';
import type {
  CachedPricing,
  QuoteStore,
  RateLimiter,
  RateLimits,
  SessionStore,
  StockStore,
  StoredQuote,
} from './ports';
import { enforceRateLimit } from './rate-limit';
import { availabilityOfCart, refuseShortCart } from './stock-holds';
import { describeError, type Telemetry } from './telemetry';

export interface QuoteCartDeps extends CodeLookupDeps {
  readonly catalog: Catalog;
  readonly store: QuoteStore;
  readonly limiter: RateLimiter;
  readonly stock: StockStore;
  /** The cart's checkout slot, read for the units its open session holds. */
  readonly sessions: Pick<SessionStore, 'getSlot'>;
  readonly signingKeys: SigningKeys;
  readonly quoteTtlSeconds: number;
  readonly rateLimits: RateLimits;
  readonly telemetry: Telemetry;
}

export interface QuoteCartRequest {
  readonly items: readonly CartItem[];
  /** A discount code as the shopper typed it; absent or blank for none. */
  readonly code?: string | undefined;
  /** Pseudonym of the client (keyed hash of its IP) for rate limits. */
  readonly clientKey: string;
  /** The storefront's cart id (as at checkout): its open session's held units count as its own. */
  readonly cartId?: string | undefined;
  /** Epoch seconds. */
  readonly now: number;
}

export interface QuoteCartResult {
  readonly quote: StoredQuote;
  readonly cached: boolean;
  /** Per SKU of the cart; empty when the stock could not be read (checkout still enforces it). */
  readonly availability: ReadonlyMap<string, Availability>;
}

/**
 * Prices a cart and returns a signed quote of its own: every answer carries a fresh quote id, so two
 * shoppers with the same cart never share a signature (nor the checkout, coupon and Stripe
 * idempotency keys made from it). The pricing is what is shared: the same normalised cart at the
 * same catalog version reuses the cached pricing (no write) while it lives. Bad carts are refused
 * before anything is written, rate-limit counters included.
 *
 * A discount code is applied on top of the bundle pricing (pricing-codes.ts), afresh on every
 * request: the cache holds the bundle pricing only, which no code changes, so a pricing is never
 * shared across codes, and a code's state (its dates, its remaining uses) is always today's. A code
 * that does not apply never fails the quote: `quote.code` says why, and the cart prices without it.
 */
export async function quoteCart(deps: QuoteCartDeps, request: QuoteCartRequest): Promise<QuoteCartResult> {
  const { catalog, store, telemetry, now } = { ...deps, now: request.now };
  const items = validateCart(catalog, request.items);
  const cartHash = hashCart(items);
  const code = request.code?.trim() ? request.code : undefined;
  // The cache lookup, the stock and the code only read, so they run alongside the rate-limit count:
  // one round trip to the table. A refused request has cost those reads for nothing; every other
  // saves time.
  const ownHold = readOwnHold(deps, items, request.cartId, code !== undefined);
  const [, cached, availability, found, own] = await Promise.all([
    enforceRateLimit(deps, { scope: 'quote', key: request.clientKey, limits: deps.rateLimits, now }),
    findCachedQuoteSafely(deps, cartHash, now),
    readAvailabilitySafely(deps, items, ownHold),
    code === undefined
      ? Promise.resolve(null)
      : findCodeForQuote(deps, { code, clientKey: request.clientKey, now }).catch(
          (err: unknown): CodeFinding => {
            telemetry.log.error('code lookup failed; pricing without the code', {
              error: describeError(err),
            });
            return { kind: 'unavailable', code: code.trim().toUpperCase().slice(0, 40) };
          },
        ),
    ownHold.catch(() => null),
  ]);
  const finding = withOwnUse(found, own?.code ?? null);
  refuseShortCart(catalog, items, availability);
  if (cached) {
    telemetry.metrics.count('QuoteCacheHit');
    const priced = withCode(deps, cached.items, cached.pricedCart, finding);
    return {
      quote: signPricedCart(deps, cached.items, cartHash, priced, now),
      cached: true,
      availability,
    };
  }

  // Kept for the code: the hints' own bundle choices, so that none is priced twice.
  const hintPricings: HintPricings = new Map();
  const pricedCart = priceCart(catalog, items, { hintPricings });
  try {
    await store.saveQuote({
      cartHash,
      items,
      pricedCart,
      issuedAt: now,
      expiresAt: now + deps.quoteTtlSeconds,
    });
  } catch (err: unknown) {
    // The signature stands on its own (checkout re-prices and verifies it without the cache), so a
    // failed cache write costs a cache miss later, not the customer's quote.
    telemetry.log.error('quote cache write failed; answering uncached', { error: describeError(err) });
  }
  telemetry.metrics.count('QuoteIssued');
  const priced = withCode(deps, items, pricedCart, finding, hintPricings);
  return { quote: signPricedCart(deps, items, cartHash, priced, now), cached: false, availability };
}

/** The bundle pricing with the shopper's code on top, or as it is without one. */
function withCode(
  deps: Pick<QuoteCartDeps, 'catalog' | 'telemetry'>,
  items: readonly CartItem[],
  pricedCart: PricedCart,
  finding: CodeFinding | null,
  hintPricings?: HintPricings,
): PricedCart {
  if (!finding) return pricedCart;
  if (finding.kind === 'refused') {
    return refuseCode(pricedCart, finding.code, 'too_many_attempts', finding.retryAfterSeconds);
  }
  if (finding.kind === 'unavailable') return refuseCode(pricedCart, finding.code, 'unavailable', 0);
  const priced = applyCode(
    deps.catalog,
    items,
    pricedCart,
    finding.lookup,
    hintPricings ? { hintPricings } : {},
  );
  if (priced.code?.status === 'applied') deps.telemetry.metrics.count('CodeApplied');
  return priced;
}

/** What the cart's own open checkout holds: units, and a code's use, that count as the cart's own. */
interface OwnHold {
  readonly units: readonly CartItem[];
  readonly code: string | null;
}

/**
 * The cart's open checkout, read only when it could matter (a `cartId`, and a tracked SKU or a code).
 * Rejects when the slot cannot be read: the availability then fails open, and the code is counted
 * as anyone's (checkout's hold decides either way).
 */
async function readOwnHold(
  deps: QuoteCartDeps,
  items: readonly CartItem[],
  cartId: string | undefined,
  withCode: boolean,
): Promise<OwnHold> {
  const tracked = items.some((i) => deps.catalog.sellablesBySku.get(i.sku)?.inventory.tracked);
  if (!cartId || (!tracked && !withCode)) return { units: [], code: null };
  const slot = await deps.sessions.getSlot(checkoutSlotId(cartId, ''));
  const open = slot?.current?.status === 'open' ? slot.current : null;
  return { units: open?.heldUnits ?? [], code: open?.heldCode ?? null };
}

/**
 * The code as this cart may use it: a use its own open checkout holds is the cart's, not one taken
 * by someone else (the storefront re-prices with its cart id when the shopper comes back from the
 * payment page, and checking out again moves that use to the new session).
 */
function withOwnUse(finding: CodeFinding | null, ownCode: string | null): CodeFinding | null {
  if (finding?.kind !== 'found') return finding;
  const stored = finding.lookup.found;
  if (!stored || stored.code !== ownCode || stored.held === 0) return finding;
  return { ...finding, lookup: { ...finding.lookup, found: { ...stored, held: stored.held - 1 } } };
}

/** Availability of the cart's SKUs; an unreadable stock fails open (logged): checkout's hold decides. */
async function readAvailabilitySafely(
  deps: QuoteCartDeps,
  items: readonly CartItem[],
  ownHold: Promise<OwnHold>,
): Promise<ReadonlyMap<string, Availability>> {
  try {
    return await availabilityOfCart(
      deps,
      items,
      ownHold.then((own) => own.units),
    );
  } catch (err: unknown) {
    deps.telemetry.log.error('stock read failed; quoting without availability', {
      error: describeError(err),
    });
    return new Map();
  }
}

/**
 * Prices and signs a normalised cart (no I/O), with a looked-up code when given. Checkout uses it
 * to re-issue a quote.
 */
export function issueQuote(
  deps: Pick<QuoteCartDeps, 'catalog' | 'signingKeys' | 'quoteTtlSeconds'>,
  items: readonly CartItem[],
  cartHash: string,
  now: number,
  lookup: CodeLookup | null = null,
): StoredQuote {
  const hintPricings: HintPricings = new Map();
  const bundles = priceCart(deps.catalog, items, { hintPricings });
  const priced = lookup ? applyCode(deps.catalog, items, bundles, lookup, { hintPricings }) : bundles;
  return signPricedCart(deps, items, cartHash, priced, now);
}

/**
 * A new quote (its own random id, issued `now`) for a priced cart. The signature binds the code
 * only when the code applied: a quote whose code did not apply is an ordinary quote.
 */
export function signPricedCart(
  deps: Pick<QuoteCartDeps, 'signingKeys' | 'quoteTtlSeconds'>,
  items: readonly CartItem[],
  cartHash: string,
  pricedCart: PricedCart,
  now: number,
): StoredQuote {
  const quoteSignature = signQuote(
    {
      cartHash,
      currency: pricedCart.currency,
      total: pricedCart.total,
      catalogVersion: pricedCart.catalogVersion,
      issuedAt: now,
      quoteId: randomBytes(12).toString('base64url'),
      code: pricedCart.code?.status === 'applied' ? pricedCart.code.code : '',
    },
    deps.signingKeys,
  );
  return {
    quoteSignature,
    cartHash,
    items,
    pricedCart,
    issuedAt: now,
    expiresAt: now + deps.quoteTtlSeconds,
  };
}

async function findCachedQuoteSafely(
  deps: QuoteCartDeps,
  cartHash: string,
  now: number,
): Promise<CachedPricing | null> {
  try {
    return await deps.store.findCachedQuote(cartHash, deps.catalog.version, now);
  } catch (err: unknown) {
    deps.telemetry.log.error('quote cache read failed; pricing afresh', { error: describeError(err) });
    return null;
  }
}
