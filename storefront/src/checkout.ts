import type { Alerts } from './alerts';
import { type ApiClient, ApiError } from './api';
import type { QuoteResponse } from './api-types';
import { type Cart, cartIdOf, type KeyValueStore, renewCartId } from './cart';
import { describeFailure, describePriceChange } from './messages';
import { clearPendingCheckout, savePendingCheckout } from './pending-checkout';
import type { QuoteKeeper } from './quote-keeper';

/** Where Checkout sends a paying customer back to (the success page of this storefront). */
const SUCCESS_PATH = '/checkout/success';
/** Asks of a cart whose checkout another tab is starting (`checkout_in_progress`), before giving up. */
const MAX_CHECKOUT_ATTEMPTS = 3;

export interface CheckoutOptions {
  readonly api: ApiClient;
  readonly store: KeyValueStore;
  readonly quotes: QuoteKeeper;
  readonly alerts: Alerts;
  readonly announce: (text: string) => void;
  /** The cart as it is now. */
  readonly cart: () => Cart;
  /** Whether the catalog is loaded: without it there is nothing to check out. */
  readonly ready: () => boolean;
  /**
   * Whether lines the API found short of stock are still in the cart as they were; if so the page has
   * brought the customer to them, and checkout does not start.
   */
  readonly heldBack: () => boolean;
  /**
   * The API refused the cart for some of its lines (409 `out_of_stock`: stock ran short since the
   * quote; 422s): the page answers it (`true`) — marks or corrects the lines — or not.
   */
  readonly onRefused: (err: ApiError) => boolean;
  /** The checkout form's fields and its button. */
  readonly email: HTMLInputElement;
  readonly honeypot: HTMLInputElement;
  readonly button: HTMLButtonElement;
  /** The cart was paid for in another tab: start an empty one. */
  readonly emptyCart: () => void;
  /** Leaves the page (for Checkout, or the success page of an order paid elsewhere). */
  readonly navigate: (url: string) => void;
  /** Checking out started or stopped: the cart should be drawn again. */
  readonly onChange: () => void;
}

/** The Checkout button's work. */
export interface Checkout {
  /** From the press until the browser leaves for the payment page (or it failed). */
  readonly inProgress: boolean;
  /** Checks out the current cart at its quoted price. */
  start(): Promise<void>;
  /** Back from Checkout through the back/forward cache: the page may still say "Starting checkout…". */
  reset(): void;
}

/**
 * Checkout through `POST /checkout/create-session` with the quoted items and signature, the
 * optional email and this browser's cart id; then off to Stripe's page. Each refusal of the API is
 * answered the way docs/storefront.md lists (a new price shown, a paid cart emptied, a busy cart
 * asked again).
 */
export function createCheckout(options: CheckoutOptions): Checkout {
  const { api, store, quotes, alerts } = options;
  let inProgress = false;
  let blockedUntil = 0;

  async function start(): Promise<void> {
    // The button is only dimmed while checking out (it keeps focus), so presses arrive: ignore them.
    if (inProgress || options.cart().length === 0 || !options.ready()) return;
    if (options.heldBack()) return;
    if (Date.now() < blockedUntil) {
      const seconds = Math.ceil((blockedUntil - Date.now()) / 1000);
      alerts.show({
        text: `Please wait ${seconds} seconds before trying again.`,
        tone: 'warning',
        source: 'checkout',
      });
      return;
    }
    if (!options.email.checkValidity()) {
      options.email.reportValidity();
      return;
    }
    inProgress = true;
    alerts.clear('checkout');
    options.onChange();
    try {
      const priced = await quotes.forCheckout();
      if (!priced) {
        inProgress = false;
        // Refused for stock on the way: the customer is brought to the marked lines.
        options.heldBack();
        return;
      }
      const session = await createSession(priced);
      const { lines, appliedBundles, subtotal, discount, total, currency } = priced.quote;
      savePendingCheckout(store, {
        sessionId: session.sessionId,
        quote: { lines, appliedBundles, subtotal, discount, total, currency },
      });
      options.announce('Taking you to the payment page…');
      // Stays "checking out" until the browser leaves, so a second click does nothing.
      options.navigate(session.checkoutUrl);
    } catch (err: unknown) {
      inProgress = false;
      handleFailure(err);
    } finally {
      options.onChange();
    }
  }

  /**
   * Creates the session; while another tab (or a double click) is starting this cart's checkout the
   * API answers `checkout_in_progress`, and asking again a moment later gets that same session.
   */
  async function createSession(priced: QuoteResponse) {
    const email = options.email.value.trim();
    const honeypot = options.honeypot.value;
    const input = {
      items: priced.quote.items,
      quoteSignature: priced.quoteSignature,
      cartId: cartIdOf(store),
      ...(email ? { email } : {}),
      ...(honeypot ? { website: honeypot } : {}),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await api.createCheckoutSession(input)).session;
      } catch (err: unknown) {
        if (
          !(err instanceof ApiError && err.code === 'checkout_in_progress') ||
          attempt >= MAX_CHECKOUT_ATTEMPTS
        ) {
          throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, (err.retryAfterSeconds ?? 1) * 1000));
      }
    }
  }

  function handleFailure(err: unknown) {
    if (err instanceof ApiError && err.kind === 'http' && options.onRefused(err)) return;
    if (err instanceof ApiError && err.code === 'cart_already_paid') {
      // Another tab paid for this cart: it is an order now. A new cart starts empty.
      renewCartId(store);
      clearPendingCheckout(store);
      options.emptyCart();
      const sessionId = typeof err.body?.sessionId === 'string' ? err.body.sessionId : null;
      alerts.show({
        text: describeFailure(err, 'checkout'),
        tone: 'info',
        source: 'checkout',
        ...(sessionId
          ? {
              retry: () => options.navigate(`${SUCCESS_PATH}?session_id=${encodeURIComponent(sessionId)}`),
              retryLabel: 'See your order',
            }
          : {}),
      });
      return;
    }
    if (err instanceof ApiError && err.code === 'quote_outdated' && isQuoteResponse(err.body)) {
      const before = quotes.latest;
      quotes.accept(err.body, null);
      const change = before ? describePriceChange(before.quote, err.body.quote) : null;
      alerts.show({
        text: `${change ?? 'Prices were updated.'} Please check your cart and press Checkout again.`,
        tone: 'warning',
        source: 'price',
      });
      return;
    }
    if (err instanceof ApiError && err.code === 'quote_mismatch') void quotes.request();
    if (err instanceof ApiError && err.code === 'rate_limited') {
      blockedUntil = Date.now() + (err.retryAfterSeconds ?? 30) * 1000;
    }
    alerts.show({ text: describeFailure(err, 'checkout'), tone: 'error', source: 'checkout' });
    options.button.focus();
  }

  return {
    get inProgress() {
      return inProgress;
    },
    start,
    reset() {
      inProgress = false;
      options.onChange();
    },
  };
}

function isQuoteResponse(body: unknown): body is QuoteResponse {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Partial<QuoteResponse>;
  return (
    typeof candidate.quoteSignature === 'string' &&
    typeof candidate.expiresAt === 'string' &&
    typeof candidate.quote === 'object' &&
    candidate.quote !== null &&
    Array.isArray(candidate.quote.lines)
  );
}
