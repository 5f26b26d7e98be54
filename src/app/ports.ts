import type { CartItem } from '../domain/cart';
import type { PricedCart } from '../domain/priced-cart';

/** A quote as the service issued and cached it. */
export interface StoredQuote {
  readonly quoteSignature: string;
  readonly cartHash: string;
  /** The normalised cart. */
  readonly items: readonly CartItem[];
  readonly pricedCart: PricedCart;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds; the quote is absent from this moment on, whatever the table still holds. */
  readonly expiresAt: number;
}

/** The small record that lets a signature be looked up directly. */
export interface QuotePointer {
  readonly quoteSignature: string;
  readonly cartHash: string;
  readonly currency: string;
  readonly total: number;
  readonly catalogVersion: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Where issued quotes are cached. Every read treats `expiresAt <= now` as absent. */
export interface QuoteStore {
  /** Saves the quote and its signature pointer. Idempotent: saving the same quote twice is harmless. */
  saveQuote(quote: StoredQuote): Promise<void>;
  /** The newest unexpired quote of this cart at this catalog version, if any. */
  findCachedQuote(cartHash: string, catalogVersion: string, now: number): Promise<StoredQuote | null>;
  /** The pointer of an unexpired quote by its signature, if any. */
  fetchQuoteBySignature(quoteSignature: string, now: number): Promise<QuotePointer | null>;
}

/** Request limits of one scope (e.g. quotes per client). */
export interface RateLimits {
  readonly perHour: number;
  readonly perDay: number;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly window: 'hour' | 'day' };

/** Counts requests in fixed hourly and daily windows; never lets more than a limit through. */
export interface RateLimiter {
  /** Counts one request of `key` in `scope` at `now` (epoch seconds) if it is within the limits. */
  checkRateLimit(request: {
    readonly scope: string;
    readonly key: string;
    readonly limits: RateLimits;
    readonly now: number;
  }): Promise<RateDecision>;
}
