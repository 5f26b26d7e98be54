import { type ApiClient, ApiError } from './api';
import type { CatalogBundle, CatalogProduct, PublicCatalog, QuoteResponse } from './api-types';
import {
  addToCart,
  type Cart,
  cartIdOf,
  cartKey,
  type KeyValueStore,
  loadCart,
  quantityOf,
  reconcileCart,
  renewCartId,
  saveCart,
  setQuantity,
  unitCount,
} from './cart';
import { h, hidden, replaceChildrenKeepingFocus } from './dom';
import { describeBundle, describeFailure, describePriceChange, formatMoney } from './messages';
import { clearPendingCheckout, savePendingCheckout } from './pending-checkout';

/** Wait after the last cart change before asking for a quote: one request per burst of clicks. */
const QUOTE_DEBOUNCE_MS = 250;
/** Retry a quote that failed for want of a network or a server, backing off up to this. */
const MAX_QUOTE_RETRY_MS = 30_000;

type Tone = 'info' | 'warning' | 'error';
/** What raised an alert, so a later success clears only its own kind of trouble. */
type AlertSource = 'catalog' | 'quote' | 'price' | 'checkout' | 'cart';

export interface ShopPageOptions {
  readonly root: HTMLElement;
  readonly api: ApiClient;
  readonly store: KeyValueStore;
  /** The customer came back from Checkout's cancel link. */
  readonly cancelled: boolean;
  /** Leaves the page for Checkout (`location.assign`); a parameter so nothing else navigates. */
  readonly navigate: (url: string) => void;
}

interface Alert {
  readonly text: string;
  readonly tone: Tone;
  readonly source: AlertSource;
  readonly retry?: () => void;
  /** The retry button's words, when it does something other than trying again. */
  readonly retryLabel?: string;
}

/** Where Checkout sends a paying customer back to (the success page of this storefront). */
const SUCCESS_PATH = '/checkout/success';

/**
 * The shop: products from `GET /catalog`, a cart kept in local storage, a live quote from
 * `POST /cart/quote` after every change (debounced), and checkout through
 * `POST /checkout/create-session`. The page never prices anything itself: every amount shown is
 * the API's, so what the customer sees is what Checkout will charge.
 */
export async function startShopPage(options: ShopPageOptions): Promise<void> {
  const { api, store, root } = options;
  let catalog: PublicCatalog | null = null;
  let products = new Map<string, CatalogProduct>();
  let cart: Cart = loadCart(store);
  /** The latest good quote; it may be of an older cart while a new one is on its way. */
  let quote: QuoteResponse | null = null;
  let quoteFailed = false;
  let checkingOut = false;
  let checkoutBlockedUntil = 0;
  let alerts: Alert[] = [];
  let debounceTimer: ReturnType<typeof setTimeout> | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryDelayMs = 2000;
  let inFlight: { controller: AbortController; done: Promise<void> } | null = null;
  let cartBarTotal: string | null = null;

  // The page's fixed frame; regions below are re-rendered in place.
  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const alertRegion = h('div', { class: 'alerts', role: 'alert' });
  const cancelBanner = options.cancelled
    ? h(
        'div',
        { class: 'banner', 'data-testid': 'cancel-banner' },
        h('strong', {}, 'Checkout cancelled.'),
        ' Nothing was charged — your cart is just as you left it.',
      )
    : null;
  const deals = h('section', { class: 'deals', 'aria-labelledby': 'deals-title' });
  const productList = h('ul', { class: 'products', 'aria-busy': 'true' });
  const lines = h('ul', { class: 'lines', 'aria-label': 'Items in your cart' });
  const summary = h('div', { class: 'summary' });
  const emailInput = h('input', {
    id: 'email',
    name: 'email',
    type: 'email',
    autocomplete: 'email',
    maxlength: 254,
    'aria-describedby': 'email-help',
  });
  const honeypot = h('input', {
    id: 'website',
    name: 'website',
    type: 'text',
    tabindex: -1,
    autocomplete: 'off',
  });
  const checkoutButton = h('button', { type: 'submit', class: 'primary checkout-button' }, 'Checkout');
  const checkoutForm = h(
    'form',
    { class: 'checkout-form', 'aria-label': 'Checkout' },
    h('label', { for: 'email' }, 'Email for your receipt ', h('span', { class: 'optional' }, '(optional)')),
    emailInput,
    h('p', { id: 'email-help', class: 'help' }, 'You can also enter it on the payment page.'),
    // A field people never see and bots fill in; the API drops requests that carry it.
    h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: 'website' }, 'Website'), honeypot),
    checkoutButton,
    h('p', { class: 'help' }, 'You pay on Stripe’s secure checkout page.'),
  );
  const cartBar = h('a', { class: 'cart-bar', href: '#cart' });
  const cartPanel = h(
    'aside',
    { id: 'cart', class: 'cart', 'aria-labelledby': 'cart-title', tabindex: -1 },
    h('h2', { id: 'cart-title' }, 'Your cart'),
    cancelBanner,
    alertRegion,
    lines,
    summary,
    checkoutForm,
  );
  root.replaceChildren(
    h(
      'div',
      { class: 'layout' },
      h(
        'section',
        { class: 'shop', 'aria-labelledby': 'shop-title' },
        h('h1', { id: 'shop-title' }, 'Shop'),
        deals,
        h('h2', { class: 'visually-hidden' }, 'Products'),
        productList,
      ),
      cartPanel,
    ),
    cartBar,
    status,
  );
  if (options.cancelled) clearPendingCheckout(store);

  checkoutForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void checkout();
  });
  // Back from Checkout through the browser's back button: the page may come back from the
  // back/forward cache still saying "Starting checkout…".
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    checkingOut = false;
    renderCheckout();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && quote && isExpired(quote)) void requestQuote();
  });

  // The phone's "View cart" bar is only in the way once the cart itself is on screen.
  let cartInView = false;
  new IntersectionObserver((entries) => {
    cartInView = entries.some((entry) => entry.isIntersecting);
    renderCartBar();
  }).observe(cartPanel);

  renderCart();
  await loadCatalog();

  async function loadCatalog(): Promise<void> {
    try {
      catalog = await api.getCatalog();
    } catch (err: unknown) {
      productList.setAttribute('aria-busy', 'false');
      replaceChildrenKeepingFocus(
        productList,
        h('li', { class: 'load-error', 'data-testid': 'catalog-error' }, 'The products could not be loaded.'),
      );
      showAlert({
        text: describeFailure(err, 'catalog'),
        tone: 'error',
        source: 'catalog',
        retry: loadCatalog,
      });
      return;
    }
    clearAlerts('catalog');
    products = new Map(catalog.products.map((p) => [p.sku, p]));
    const reconciled = reconcileCart(cart, products);
    if (reconciled.removed.length > 0 || reconciled.clamped.length > 0) {
      cart = reconciled.cart;
      saveCart(store, cart);
      showAlert({
        text:
          reconciled.removed.length > 0
            ? 'Some items in your saved cart are no longer sold and were removed.'
            : 'Some quantities in your saved cart were above the limit and were lowered.',
        tone: 'warning',
        source: 'cart',
      });
    }
    renderCatalog(catalog);
    // Lines drawn before the catalog arrived know only SKUs: draw them again with names and limits.
    lines.replaceChildren();
    renderCart();
    // Back from Checkout's cancel link: the cart is what the customer came back for (on a phone it
    // sits below the products).
    if (options.cancelled) cartPanel.focus();
    if (cart.length > 0) void requestQuote();
  }

  // ── Cart changes ──────────────────────────────────────────────────────────────────────────────

  function changeCart(next: Cart, announcement?: string) {
    if (next === cart) return;
    cart = next;
    saveCart(store, cart);
    clearAlerts('price', 'checkout', 'cart');
    if (announcement) announce(announcement);
    renderCart();
    scheduleQuote();
  }

  function productName(sku: string): string {
    return products.get(sku)?.name ?? sku;
  }

  function add(sku: string, quantity: number) {
    const product = products.get(sku);
    if (!product) return;
    const next = addToCart(cart, sku, quantity, product.maxQuantity);
    if (next === cart || quantityOf(next, sku) === quantityOf(cart, sku)) {
      announce(`You already have the most we sell at once of ${product.name}.`);
      return;
    }
    changeCart(next, `Added ${product.name}. ${quantityOf(next, sku)} in your cart.`);
  }

  function setLineQuantity(sku: string, quantity: number) {
    const product = products.get(sku);
    const next = setQuantity(cart, sku, quantity, product?.maxQuantity ?? quantity);
    changeCart(
      next,
      quantityOf(next, sku) === 0
        ? `Removed ${productName(sku)}.`
        : `${productName(sku)}: ${quantityOf(next, sku)} in your cart.`,
    );
  }

  // ── Quotes ─────────────────────────────────────────────────────────────────────────────────────

  function quoteMatchesCart(): boolean {
    return quote !== null && cart.length > 0 && cartKey(quote.quote.items) === cartKey(cart);
  }

  function scheduleQuote() {
    clearTimeout(debounceTimer);
    clearTimeout(retryTimer);
    if (cart.length === 0) {
      inFlight?.controller.abort();
      inFlight = null;
      quote = null;
      clearAlerts('quote');
      renderCart();
      return;
    }
    debounceTimer = setTimeout(() => void requestQuote(), QUOTE_DEBOUNCE_MS);
    renderSummary();
  }

  /** Prices the current cart now, replacing any request still on its way. */
  function requestQuote(): Promise<void> {
    clearTimeout(debounceTimer);
    debounceTimer = undefined;
    clearTimeout(retryTimer);
    inFlight?.controller.abort();
    if (cart.length === 0 || products.size === 0) return Promise.resolve();
    const controller = new AbortController();
    const items = cart;
    // Same cart priced before: a difference now is a price change the customer must hear about.
    const previous = quote && cartKey(quote.quote.items) === cartKey(items) ? quote : null;
    const done = (async () => {
      try {
        const answer = await api.quoteCart(items, controller.signal);
        if (controller.signal.aborted) return;
        acceptQuote(answer, previous);
        retryDelayMs = 2000;
      } catch (err: unknown) {
        if (controller.signal.aborted) return;
        quoteFailed = true;
        handleQuoteFailure(err);
      } finally {
        if (inFlight?.controller === controller) inFlight = null;
        renderCart();
      }
    })();
    inFlight = { controller, done };
    renderSummary();
    return done;
  }

  function acceptQuote(answer: QuoteResponse, previous: QuoteResponse | null) {
    quote = answer;
    quoteFailed = false;
    clearAlerts('quote');
    const change = previous ? describePriceChange(previous.quote, answer.quote) : null;
    if (change) showAlert({ text: change, tone: 'warning', source: 'price' });
    clearTimeout(expiryTimer);
    // Measured on the server's clock (issuedAt → expiresAt), so a wrong clock here does not matter.
    const lifetimeMs = Date.parse(answer.expiresAt) - Date.parse(answer.quote.issuedAt);
    const expiresLocally = Date.now() + Math.max(lifetimeMs, 0);
    expiryByQuote.set(answer, expiresLocally);
    // Re-price just after expiry: before it, the API answers with the same cached quote.
    expiryTimer = setTimeout(() => {
      if (document.visibilityState === 'visible' && quote === answer) void requestQuote();
    }, Math.max(lifetimeMs, 0) + 1000);
  }

  function handleQuoteFailure(err: unknown) {
    if (err instanceof ApiError && err.kind === 'http') {
      if (err.code === 'unknown_sku' || err.code === 'inactive_sku' || err.code === 'quantity_out_of_range') {
        let next = cart;
        for (const detail of err.details) {
          if (!detail.sku) continue;
          next =
            err.code === 'quantity_out_of_range' && detail.maxQuantity
              ? setQuantity(next, detail.sku, quantityOf(next, detail.sku), detail.maxQuantity)
              : setQuantity(next, detail.sku, 0, 0);
        }
        showAlert({ text: describeFailure(err, 'quote'), tone: 'warning', source: 'cart' });
        if (next !== cart) {
          cart = next;
          saveCart(store, cart);
          scheduleQuote();
        }
        return;
      }
      if (err.code === 'rate_limited') {
        showAlert({ text: describeFailure(err, 'quote'), tone: 'warning', source: 'quote' });
        retryTimer = setTimeout(() => void requestQuote(), (err.retryAfterSeconds ?? 30) * 1000);
        return;
      }
    }
    const transient = !(err instanceof ApiError) || err.kind !== 'http' || (err.status ?? 500) >= 500;
    showAlert({
      text: describeFailure(err, 'quote'),
      tone: 'error',
      source: 'quote',
      retry: () => void requestQuote(),
    });
    if (transient) {
      retryTimer = setTimeout(() => void requestQuote(), retryDelayMs);
      retryDelayMs = Math.min(retryDelayMs * 2, MAX_QUOTE_RETRY_MS);
    }
  }

  /** The quote to check out with: the current cart's, fresh, waiting for one if needed. */
  async function currentQuote(): Promise<QuoteResponse | null> {
    if (debounceTimer !== undefined || !quoteMatchesCart() || (quote && isExpired(quote))) {
      await requestQuote();
    } else if (inFlight) {
      await inFlight.done;
    }
    return quoteMatchesCart() ? quote : null;
  }

  // ── Checkout ───────────────────────────────────────────────────────────────────────────────────

  async function checkout(): Promise<void> {
    if (checkingOut || cart.length === 0) return;
    if (Date.now() < checkoutBlockedUntil) {
      const seconds = Math.ceil((checkoutBlockedUntil - Date.now()) / 1000);
      showAlert({
        text: `Please wait ${seconds} seconds before trying again.`,
        tone: 'warning',
        source: 'checkout',
      });
      return;
    }
    if (!emailInput.checkValidity()) {
      emailInput.reportValidity();
      return;
    }
    checkingOut = true;
    clearAlerts('checkout');
    renderCheckout();
    try {
      const priced = await currentQuote();
      if (!priced) {
        checkingOut = false;
        return;
      }
      const email = emailInput.value.trim();
      const session = await startCheckout({
        items: priced.quote.items,
        quoteSignature: priced.quoteSignature,
        cartId: cartIdOf(store),
        ...(email ? { email } : {}),
        ...(honeypot.value ? { website: honeypot.value } : {}),
      });
      const { lines: quotedLines, appliedBundles, subtotal, discount, total, currency } = priced.quote;
      savePendingCheckout(store, {
        sessionId: session.sessionId,
        quote: { lines: quotedLines, appliedBundles, subtotal, discount, total, currency },
      });
      announce('Taking you to the payment page…');
      // Stays "checking out" until the browser leaves, so a second click does nothing.
      options.navigate(session.checkoutUrl);
    } catch (err: unknown) {
      checkingOut = false;
      handleCheckoutFailure(err);
    } finally {
      renderCart();
    }
  }

  /**
   * Creates the session; while another tab (or a double click) is starting this cart's checkout the
   * API answers `checkout_in_progress`, and asking again a moment later gets that same session.
   */
  async function startCheckout(input: Parameters<ApiClient['createCheckoutSession']>[0]) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await api.createCheckoutSession(input)).session;
      } catch (err: unknown) {
        if (!(err instanceof ApiError && err.code === 'checkout_in_progress') || attempt >= 3) throw err;
        await new Promise((resolve) => setTimeout(resolve, (err.retryAfterSeconds ?? 1) * 1000));
      }
    }
  }

  function handleCheckoutFailure(err: unknown) {
    if (err instanceof ApiError && err.code === 'cart_already_paid') {
      // Another tab paid for this cart: it is an order now. A new cart starts empty.
      renewCartId(store);
      clearPendingCheckout(store);
      changeCart([]);
      const sessionId = typeof err.body?.sessionId === 'string' ? err.body.sessionId : null;
      showAlert({
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
      const before = quote;
      acceptQuote(err.body, null);
      const change = before ? describePriceChange(before.quote, err.body.quote) : null;
      showAlert({
        text: `${change ?? 'Prices were updated.'} Please check your cart and press Checkout again.`,
        tone: 'warning',
        source: 'price',
      });
      return;
    }
    if (err instanceof ApiError && err.code === 'quote_mismatch') void requestQuote();
    if (err instanceof ApiError && err.code === 'rate_limited') {
      checkoutBlockedUntil = Date.now() + (err.retryAfterSeconds ?? 30) * 1000;
    }
    showAlert({ text: describeFailure(err, 'checkout'), tone: 'error', source: 'checkout' });
    checkoutButton.focus();
  }

  // ── Alerts and announcements ───────────────────────────────────────────────────────────────────

  function showAlert(alert: Alert) {
    alerts = [...alerts.filter((a) => a.source !== alert.source), alert];
    renderAlerts();
  }

  function clearAlerts(...sources: AlertSource[]) {
    const kept = alerts.filter((a) => !sources.includes(a.source));
    if (kept.length === alerts.length) return;
    alerts = kept;
    renderAlerts();
  }

  function announce(text: string) {
    // Clearing first makes a screen reader announce a repeated sentence again.
    status.textContent = '';
    requestAnimationFrame(() => {
      status.textContent = text;
    });
  }

  // ── Rendering ──────────────────────────────────────────────────────────────────────────────────

  function renderAlerts() {
    replaceChildrenKeepingFocus(
      alertRegion,
      alerts.map((alert) => {
        const retry = alert.retry;
        const button = retry
          ? h(
              'button',
              { type: 'button', class: 'link-button', 'data-focus-key': `retry-${alert.source}` },
              alert.retryLabel ?? 'Try again',
            )
          : null;
        button?.addEventListener('click', () => {
          clearAlerts(alert.source);
          retry?.();
        });
        return h('p', { class: `alert ${alert.tone}`, 'data-source': alert.source }, alert.text, ' ', button);
      }),
    );
  }

  function renderCatalog(current: PublicCatalog) {
    const bundles = new Map<string, CatalogBundle>(current.bundles.map((b) => [b.id, b]));
    replaceChildrenKeepingFocus(
      deals,
      h('h2', { id: 'deals-title' }, 'Deals'),
      h(
        'ul',
        { class: 'deal-list' },
        current.bundles.map((bundle) =>
          h(
            'li',
            { 'data-bundle-id': bundle.id },
            h('strong', {}, bundle.name),
            // A bundle without a description is named for what it does ("Any 3 stickers for $10").
            bundle.description ? ` — ${bundle.description}` : null,
          ),
        ),
      ),
    );
    productList.setAttribute('aria-busy', 'false');
    replaceChildrenKeepingFocus(
      productList,
      current.products.map((product) => {
        const titleId = `product-${product.sku}`;
        const addButton = h(
          'button',
          { type: 'button', class: 'add-button', 'data-focus-key': `add-${product.sku}` },
          'Add',
          hidden(` ${product.name}`),
          ' to cart',
        );
        addButton.addEventListener('click', () => add(product.sku, 1));
        const productBundles = product.bundleIds.flatMap((id) => bundles.get(id) ?? []);
        return h(
          'li',
          { class: 'product', 'data-sku': product.sku, 'aria-labelledby': titleId },
          h('h3', { id: titleId }, product.name),
          h('p', { class: 'price' }, formatMoney(product.unitAmount, product.currency)),
          product.description ? h('p', { class: 'description' }, product.description) : null,
          productBundles.length > 0
            ? h(
                'ul',
                { class: 'badges', 'aria-label': `Deals with ${product.name}` },
                productBundles.map((bundle) =>
                  h('li', { title: describeBundle(bundle, current.currency) }, bundle.name),
                ),
              )
            : null,
          h('div', { class: 'product-actions' }, addButton, h('span', { class: 'in-cart' })),
        );
      }),
    );
  }

  function renderCart() {
    renderProductsInCart();
    renderLines();
    renderSummary();
    renderCheckout();
  }

  function renderProductsInCart() {
    for (const item of productList.querySelectorAll<HTMLElement>('li.product')) {
      const sku = item.dataset.sku ?? '';
      const count = quantityOf(cart, sku);
      const label = item.querySelector('.in-cart');
      if (label) label.textContent = count > 0 ? `${count} in cart` : '';
      const button = item.querySelector<HTMLButtonElement>('.add-button');
      if (button) button.disabled = count >= (products.get(sku)?.maxQuantity ?? Number.POSITIVE_INFINITY);
    }
  }

  /**
   * Cart lines are updated in place, keyed by SKU, so a quantity being typed or a focused button
   * survives a quote arriving in the middle.
   */
  function renderLines() {
    const quoted = quoteMatchesCart() ? new Map(quote?.quote.lines.map((l) => [l.sku, l])) : null;
    const existing = new Map<string, HTMLLIElement>();
    for (const li of lines.querySelectorAll<HTMLLIElement>(':scope > li.line')) {
      existing.set(li.dataset.sku ?? '', li);
    }
    const wanted = new Set(cart.map((line) => line.sku));
    for (const [sku, li] of existing) {
      if (!wanted.has(sku)) {
        const hadFocus = li.contains(document.activeElement);
        li.remove();
        if (hadFocus) cartPanel.focus();
      }
    }
    for (const [index, item] of cart.entries()) {
      const li = existing.get(item.sku) ?? createLine(item.sku);
      if (lines.children[index] !== li) lines.insertBefore(li, lines.children[index] ?? null);
      const product = products.get(item.sku);
      const input = li.querySelector<HTMLInputElement>('input');
      if (input && document.activeElement !== input) input.value = String(item.quantity);
      const dec = li.querySelector<HTMLButtonElement>('.qty-dec');
      const inc = li.querySelector<HTMLButtonElement>('.qty-inc');
      if (dec) dec.disabled = item.quantity <= 1;
      if (inc) inc.disabled = item.quantity >= (product?.maxQuantity ?? Number.POSITIVE_INFINITY);
      const amount = li.querySelector<HTMLElement>('.line-amount');
      const line = quoted?.get(item.sku);
      if (amount) {
        amount.classList.toggle('pending', !line);
        amount.replaceChildren(
          ...(line
            ? [
                line.discount > 0
                  ? h(
                      's',
                      { class: 'was' },
                      hidden('was '),
                      formatMoney(line.subtotal, quote?.quote.currency ?? 'usd'),
                    )
                  : '',
                h('span', { class: 'now' }, formatMoney(line.total, quote?.quote.currency ?? 'usd')),
              ]
            : [product ? `${item.quantity} × ${formatMoney(product.unitAmount, product.currency)}` : '…']),
        );
      }
    }
    lines.hidden = cart.length === 0;
  }

  function createLine(sku: string): HTMLLIElement {
    const name = productName(sku);
    const product = products.get(sku);
    const inputId = `qty-${sku}`;
    const input = h('input', {
      id: inputId,
      type: 'number',
      inputmode: 'numeric',
      min: 1,
      max: product?.maxQuantity ?? null,
      step: 1,
      'data-focus-key': `qty-${sku}`,
    });
    const dec = h('button', { type: 'button', class: 'qty-dec', 'aria-label': `One fewer ${name}` }, '−');
    const inc = h('button', { type: 'button', class: 'qty-inc', 'aria-label': `One more ${name}` }, '+');
    const remove = h('button', { type: 'button', class: 'link-button remove' }, 'Remove', hidden(` ${name}`));
    dec.addEventListener('click', () => setLineQuantity(sku, quantityOf(cart, sku) - 1));
    inc.addEventListener('click', () => setLineQuantity(sku, quantityOf(cart, sku) + 1));
    remove.addEventListener('click', () => setLineQuantity(sku, 0));
    input.addEventListener('change', () => {
      const value = Number.parseInt(input.value, 10);
      // An emptied field means "changed my mind", not "remove": put the quantity back.
      if (Number.isNaN(value)) input.value = String(quantityOf(cart, sku));
      else setLineQuantity(sku, value);
    });
    return h(
      'li',
      { class: 'line', 'data-sku': sku },
      h(
        'div',
        { class: 'line-head' },
        h('span', { class: 'line-name' }, name),
        h('span', { class: 'line-amount', 'aria-live': 'off' }),
      ),
      h(
        'div',
        { class: 'qty' },
        h('label', { for: inputId, class: 'visually-hidden' }, `Quantity of ${name}`),
        dec,
        input,
        inc,
        remove,
      ),
    );
  }

  function renderSummary() {
    const currency = quote?.quote.currency ?? catalog?.currency ?? 'usd';
    const fresh = quoteMatchesCart();
    const updating = cart.length > 0 && (!fresh || debounceTimer !== undefined || inFlight !== null);
    summary.setAttribute('aria-busy', String(updating));
    summary.classList.toggle('stale', updating);
    if (cart.length === 0) {
      replaceChildrenKeepingFocus(
        summary,
        h('p', { class: 'empty' }, 'Your cart is empty. Add something from the shop.'),
      );
      renderCartBar(null);
      return;
    }
    if (!quote || (!fresh && quoteFailed)) {
      replaceChildrenKeepingFocus(
        summary,
        h(
          'p',
          { class: 'quote-state' },
          quoteFailed ? 'Prices are not available right now.' : 'Pricing your cart…',
        ),
      );
      renderCartBar(null);
      return;
    }
    const q = quote.quote;
    replaceChildrenKeepingFocus(
      summary,
      q.appliedBundles.length > 0
        ? h(
            'section',
            { class: 'applied', 'aria-labelledby': 'applied-title' },
            h('h3', { id: 'applied-title' }, 'Deals applied'),
            h(
              'ul',
              {},
              q.appliedBundles.map((bundle) =>
                h(
                  'li',
                  { 'data-bundle-id': bundle.id },
                  h(
                    'span',
                    {},
                    bundle.timesApplied > 1 ? `${bundle.name} × ${bundle.timesApplied}` : bundle.name,
                  ),
                  h('span', { class: 'saving' }, `−${formatMoney(bundle.discount, currency)}`),
                ),
              ),
            ),
          )
        : null,
      q.hints.length > 0
        ? h(
            'section',
            { class: 'hints', 'aria-labelledby': 'hints-title' },
            h('h3', { id: 'hints-title' }, 'Save more'),
            h(
              'ul',
              {},
              q.hints.map((hint) => {
                const addition = hint.addition ?? [];
                const button =
                  addition.length > 0
                    ? h(
                        'button',
                        { type: 'button', class: 'secondary', 'data-focus-key': `hint-${hint.bundleId}` },
                        `Add ${addition.map((a) => (a.quantity > 1 ? `${a.quantity} × ${productName(a.sku)}` : productName(a.sku))).join(' and ')}`,
                      )
                    : null;
                button?.addEventListener('click', () => {
                  let next = cart;
                  for (const a of addition) {
                    next = addToCart(next, a.sku, a.quantity, products.get(a.sku)?.maxQuantity ?? a.quantity);
                  }
                  changeCart(next, `Added for the ${hint.bundleName} deal.`);
                });
                return h(
                  'li',
                  { class: 'hint', 'data-bundle-id': hint.bundleId },
                  h('p', {}, hint.message),
                  button,
                );
              }),
            ),
          )
        : null,
      h(
        'dl',
        { class: 'totals' },
        h('div', {}, h('dt', {}, 'Subtotal'), h('dd', {}, formatMoney(q.subtotal, currency))),
        q.discount > 0
          ? h(
              'div',
              { class: 'saving' },
              h('dt', {}, 'You save'),
              h('dd', { 'data-testid': 'savings' }, `−${formatMoney(q.discount, currency)}`),
            )
          : null,
        h(
          'div',
          { class: 'total' },
          h('dt', {}, 'Total'),
          h('dd', { 'data-testid': 'total' }, formatMoney(q.total, currency)),
        ),
      ),
      updating ? h('p', { class: 'quote-state' }, 'Updating prices…') : null,
      h('p', { class: 'help' }, 'Shipping and taxes, if any, are added on the payment page.'),
    );
    renderCartBar(fresh ? formatMoney(q.total, currency) : null);
  }

  function renderCheckout() {
    checkoutButton.disabled = checkingOut || cart.length === 0 || products.size === 0;
    checkoutButton.textContent = checkingOut ? 'Starting checkout…' : 'Checkout';
    checkoutForm.hidden = cart.length === 0;
  }

  function renderCartBar(total: string | null = cartBarTotal) {
    cartBarTotal = total;
    const units = unitCount(cart);
    cartBar.hidden = units === 0 || cartInView;
    cartBar.textContent = `View cart · ${units} item${units === 1 ? '' : 's'}${total ? ` · ${total}` : ''}`;
  }
}

const expiryByQuote = new WeakMap<QuoteResponse, number>();

function isExpired(quote: QuoteResponse): boolean {
  return Date.now() >= (expiryByQuote.get(quote) ?? Date.parse(quote.expiresAt));
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
