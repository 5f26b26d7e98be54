import { randomBytes } from 'node:crypto';
import { type CartItem, hashCart } from '../domain/cart';
import { validateCart } from '../domain/cart-validation';
import type { Catalog } from '../domain/catalog';
import type { PricedCart } from '../domain/priced-cart';
import { priceCart } from '../domain/pricing';
import { type SigningKeys, signQuote } from '../domain/quote-signature';
import type { Availability } from '../domain/stock';
import { checkoutSlotId } from './checkout-slot';
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

export interface QuoteCartDeps {
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
 */
export async function quoteCart(deps: QuoteCartDeps, request: QuoteCartRequest): Promise<QuoteCartResult> {
  const { catalog, store, telemetry, now } = { ...deps, now: request.now };
  const items = validateCart(catalog, request.items);
  const cartHash = hashCart(items);
  // The cache lookup only reads, so it runs alongside the rate-limit count: one round trip to the
  // table instead of two. A refused request has cost one read for nothing; every other saves time.
  // The stock read is one more independent read in the same round trip.
  const [, cached, availability] = await Promise.all([
    enforceRateLimit(deps, { scope: 'quote', key: request.clientKey, limits: deps.rateLimits, now }),
    findCachedQuoteSafely(deps, cartHash, now),
    readAvailabilitySafely(deps, items, request.cartId),
  ]);
  refuseShortCart(catalog, items, availability);
  if (cached) {
    telemetry.metrics.count('QuoteCacheHit');
    return {
      quote: signPricedCart(deps, cached.items, cartHash, cached.pricedCart, now),
      cached: true,
      availability,
    };
  }

  const quote = issueQuote(deps, items, cartHash, now);
  try {
    await store.saveQuote(quote);
  } catch (err: unknown) {
    // The signature stands on its own (checkout re-prices and verifies it without the cache), so a
    // failed cache write costs a cache miss later, not the customer's quote.
    telemetry.log.error('quote cache write failed; answering uncached', { error: describeError(err) });
  }
  telemetry.metrics.count('QuoteIssued');
  return { quote, cached: false, availability };
}

/** Availability of the cart's SKUs; an unreadable stock fails open (logged): checkout's hold decides. */
async function readAvailabilitySafely(
  deps: QuoteCartDeps,
  items: readonly CartItem[],
  cartId: string | undefined,
): Promise<ReadonlyMap<string, Availability>> {
  try {
    const tracked = items.some((i) => deps.catalog.sellablesBySku.get(i.sku)?.inventory.tracked);
    const own =
      cartId && tracked
        ? deps.sessions
            .getSlot(checkoutSlotId(cartId, ''))
            .then((slot) => (slot?.current?.status === 'open' ? (slot.current.heldUnits ?? []) : []))
        : [];
    return await availabilityOfCart(deps, items, own);
  } catch (err: unknown) {
    deps.telemetry.log.error('stock read failed; quoting without availability', {
      error: describeError(err),
    });
    return new Map();
  }
}

/**
 * Prices and signs a normalised cart (no I/O). Checkout uses it to verify and re-issue a quote;
 * `hints: false` leaves out the next-tier hints where only the amounts matter.
 */
export function issueQuote(
  deps: Pick<QuoteCartDeps, 'catalog' | 'signingKeys' | 'quoteTtlSeconds'>,
  items: readonly CartItem[],
  cartHash: string,
  now: number,
  options: { readonly hints?: boolean } = {},
): StoredQuote {
  return signPricedCart(deps, items, cartHash, priceCart(deps.catalog, items, options), now);
}

/** A new quote (its own random id, issued `now`) for a priced cart. */
function signPricedCart(
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
