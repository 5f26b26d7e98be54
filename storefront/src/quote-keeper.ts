import type { Alerts } from './alerts';
import { type ApiClient, ApiError } from './api';
import type { QuoteResponse } from './api-types';
import { type Cart, cartKey } from './cart';
import { describeFailure, describePriceChange } from './messages';

/** Wait after the last cart change before asking for a quote: one request per burst of clicks. */
const QUOTE_DEBOUNCE_MS = 250;
/** Retry a quote that failed for want of a network or a server, backing off up to this. */
const MAX_QUOTE_RETRY_MS = 30_000;

export interface QuoteKeeperOptions {
  readonly api: ApiClient;
  readonly alerts: Alerts;
  /** The cart as it is now. */
  readonly cart: () => Cart;
  /** This browser's cart id: the units its own open checkout holds count as available to it. */
  readonly cartId: () => string;
  /** Whether the catalog is loaded: nothing is priced before it. */
  readonly ready: () => boolean;
  /**
   * The API refused the cart for some of its lines (no longer sold, without a size, over the limit,
   * short of stock): the page answers it (`true`) — corrects the cart or marks the lines — or not.
   */
  readonly onRefused: (err: ApiError) => boolean;
  /** A quote of the cart arrived (its lines say what is left of each SKU). */
  readonly onQuote: (answer: QuoteResponse) => void;
  /** The quote, or whether one is on its way, changed: the cart should be drawn again. */
  readonly onChange: () => void;
}

/** The cart's price, kept current: what the page shows and what checkout pays. */
export interface QuoteKeeper {
  /** The latest good quote; it may be of an older cart while a new one is on its way. */
  readonly latest: QuoteResponse | null;
  /** The last request failed, and no quote of the current cart came since. */
  readonly failed: boolean;
  /** A quote is due (the debounce is running) or on its way. */
  readonly pending: boolean;
  /** Whether `latest` prices exactly the current cart. */
  matchesCart(): boolean;
  /** After a cart change: prices it once the clicks stop, or forgets the quote of an emptied cart. */
  schedule(): void;
  /** Prices the current cart now, replacing any request still on its way. */
  request(): Promise<void>;
  /** Takes a quote the API gave (`previous`: the same cart's last quote, to tell a price change). */
  accept(answer: QuoteResponse, previous: QuoteResponse | null): void;
  /** The quote to check out with: the current cart's, fresh, waiting for one if needed. */
  forCheckout(): Promise<QuoteResponse | null>;
  /** Back in a tab that was hidden: re-prices if the quote expired meanwhile. */
  refreshIfExpired(): void;
}

/**
 * Keeps the cart priced by `POST /cart/quote`: debounced after changes, one request at a time (an
 * older one is aborted, so its answer never overwrites a newer cart), re-priced just after the quote
 * expires, and retried with backoff when the network or the server failed.
 */
export function createQuoteKeeper(options: QuoteKeeperOptions): QuoteKeeper {
  const { api, alerts } = options;
  let quote: QuoteResponse | null = null;
  let failed = false;
  let debounceTimer: ReturnType<typeof setTimeout> | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryDelayMs = 2000;
  let inFlight: { controller: AbortController; done: Promise<void> } | null = null;
  /** When each quote expires on this browser's clock (see `accept`). */
  const expiryByQuote = new WeakMap<QuoteResponse, number>();

  function isExpired(answer: QuoteResponse): boolean {
    return Date.now() >= (expiryByQuote.get(answer) ?? Date.parse(answer.expiresAt));
  }

  function matchesCart(): boolean {
    const cart = options.cart();
    return quote !== null && cart.length > 0 && cartKey(quote.quote.items) === cartKey(cart);
  }

  function schedule() {
    clearTimeout(debounceTimer);
    clearTimeout(retryTimer);
    if (options.cart().length === 0) {
      inFlight?.controller.abort();
      inFlight = null;
      quote = null;
      alerts.clear('quote');
      options.onChange();
      return;
    }
    debounceTimer = setTimeout(() => void request(), QUOTE_DEBOUNCE_MS);
    options.onChange();
  }

  function request(): Promise<void> {
    clearTimeout(debounceTimer);
    debounceTimer = undefined;
    clearTimeout(retryTimer);
    inFlight?.controller.abort();
    const items = options.cart();
    if (items.length === 0 || !options.ready()) return Promise.resolve();
    const controller = new AbortController();
    // Same cart priced before: a difference now is a price change the customer must hear about.
    const previous = quote && cartKey(quote.quote.items) === cartKey(items) ? quote : null;
    const done = (async () => {
      try {
        const answer = await api.quoteCart(items, controller.signal, options.cartId());
        if (controller.signal.aborted) return;
        accept(answer, previous);
        retryDelayMs = 2000;
      } catch (err: unknown) {
        if (controller.signal.aborted) return;
        failed = true;
        handleFailure(err);
      } finally {
        if (inFlight?.controller === controller) inFlight = null;
        options.onChange();
      }
    })();
    inFlight = { controller, done };
    options.onChange();
    return done;
  }

  function accept(answer: QuoteResponse, previous: QuoteResponse | null) {
    quote = answer;
    failed = false;
    alerts.clear('quote');
    options.onQuote(answer);
    const change = previous ? describePriceChange(previous.quote, answer.quote) : null;
    if (change) alerts.show({ text: change, tone: 'warning', source: 'price' });
    clearTimeout(expiryTimer);
    // Measured on the server's clock (issuedAt → expiresAt), so a wrong clock here does not matter.
    const lifetimeMs = Date.parse(answer.expiresAt) - Date.parse(answer.quote.issuedAt);
    expiryByQuote.set(answer, Date.now() + Math.max(lifetimeMs, 0));
    // Re-price just after expiry: before it, the API answers with the same cached quote.
    expiryTimer = setTimeout(() => {
      if (document.visibilityState === 'visible' && quote === answer) void request();
    }, Math.max(lifetimeMs, 0) + 1000);
  }

  function handleFailure(err: unknown) {
    if (err instanceof ApiError && err.kind === 'http') {
      if (options.onRefused(err)) {
        alerts.clear('quote');
        return;
      }
      if (err.code === 'rate_limited') {
        alerts.show({ text: describeFailure(err, 'quote'), tone: 'warning', source: 'quote' });
        retryTimer = setTimeout(() => void request(), (err.retryAfterSeconds ?? 30) * 1000);
        return;
      }
    }
    const transient = !(err instanceof ApiError) || err.kind !== 'http' || (err.status ?? 500) >= 500;
    alerts.show({
      text: describeFailure(err, 'quote'),
      tone: 'error',
      source: 'quote',
      retry: () => void request(),
    });
    if (transient) {
      retryTimer = setTimeout(() => void request(), retryDelayMs);
      retryDelayMs = Math.min(retryDelayMs * 2, MAX_QUOTE_RETRY_MS);
    }
  }

  async function forCheckout(): Promise<QuoteResponse | null> {
    if (debounceTimer !== undefined || !matchesCart() || (quote && isExpired(quote))) {
      await request();
    } else if (inFlight) {
      await inFlight.done;
    }
    return matchesCart() ? quote : null;
  }

  return {
    get latest() {
      return quote;
    },
    get failed() {
      return failed;
    },
    get pending() {
      return debounceTimer !== undefined || inFlight !== null;
    },
    matchesCart,
    schedule,
    request,
    accept,
    forCheckout,
    refreshIfExpired() {
      if (quote && isExpired(quote)) void request();
    },
  };
}
