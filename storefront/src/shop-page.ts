import { createAlerts, createAnnouncer } from './alerts';
import type { ApiClient } from './api';
import type { CatalogProduct, PublicCatalog, QuoteCode, QuoteHint } from './api-types';
import {
  addToCart,
  type Cart,
  CODE_STORAGE_KEY,
  type KeyValueStore,
  loadCart,
  quantityOf,
  reconcileCart,
  saveCart,
  setQuantity,
} from './cart';
import { createCartPanel } from './cart-panel';
import { createCheckout } from './checkout';
import { h, renderKeepingFocus } from './dom';
import { describeFailure } from './messages';
import { clearPendingCheckout } from './pending-checkout';
import { createProductList } from './product-list';
import { createQuoteKeeper } from './quote-keeper';

/** How long a saved cart may stay hidden while its first quote is on its way (a cold API can be slow). */
const MAX_WAIT_FOR_PRICED_CART_MS = 2000;

export interface ShopPageOptions {
  readonly root: HTMLElement;
  readonly api: ApiClient;
  readonly store: KeyValueStore;
  /** The customer came back from Checkout's cancel link. */
  readonly cancelled: boolean;
  /** Leaves the page for Checkout (`location.assign`); a parameter so nothing else navigates. */
  readonly navigate: (url: string) => void;
}

/**
 * The shop: products from `GET /catalog`, a cart kept in local storage, a live quote from
 * `POST /cart/quote` after every change (debounced), and checkout through
 * `POST /checkout/create-session`. The page never prices anything itself: every amount shown is
 * the API's, so what the customer sees is what Checkout will charge.
 *
 * This function owns the catalog and the cart and wires the parts: the product list, the cart
 * panel (lines, summary, checkout form), the quote keeper, checkout, and the alerts.
 */
export async function startShopPage(options: ShopPageOptions): Promise<void> {
  const { api, store, root } = options;
  let catalog: PublicCatalog | null = null;
  let products = new Map<string, CatalogProduct>();
  let cart: Cart = loadCart(store);
  let code: string | null = loadCode(store);
  /** Why the last code was dropped at checkout, shown under the field until the customer acts. */
  let droppedCode: QuoteCode | null = null;

  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const announce = createAnnouncer(status);
  const productList = createProductList({ onAdd: (sku) => add(sku, 1) });
  const panel = createCartPanel({
    cancelled: options.cancelled,
    onQuantity: setLineQuantity,
    onHint: addHint,
    onCode: setCode,
  });
  if (code) panel.codeInput.value = code;
  const alerts = createAlerts(panel.alertRegion, panel.element);
  const quotes = createQuoteKeeper({
    api,
    alerts,
    cart: () => cart,
    code: () => code,
    ready: () => products.size > 0,
    correctCart: (next) => {
      cart = next;
      saveCart(store, cart);
    },
    onChange: render,
  });
  const checkout = createCheckout({
    api,
    store,
    quotes,
    alerts,
    announce,
    cart: () => cart,
    ready: () => products.size > 0,
    email: panel.email,
    honeypot: panel.honeypot,
    button: panel.checkoutButton,
    emptyCart: () => changeCart([]),
    dropCode: (refused) => {
      code = null;
      droppedCode = refused;
      saveCode(store, null);
    },
    navigate: options.navigate,
    onChange: render,
  });

  root.replaceChildren(
    h(
      'div',
      { class: 'layout' },
      h(
        'section',
        { class: 'shop', 'aria-labelledby': 'shop-title' },
        h('h1', { id: 'shop-title' }, 'Shop'),
        productList.deals,
        h('h2', { class: 'visually-hidden' }, 'Products'),
        productList.list,
      ),
      panel.element,
    ),
    panel.bar,
    status,
  );
  if (options.cancelled) clearPendingCheckout(store);

  panel.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void checkout.start();
  });
  // Back from Checkout through the browser's back button: the page may come back from the
  // back/forward cache still saying "Starting checkout…".
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) checkout.reset();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') quotes.refreshIfExpired();
  });

  render();
  await loadCatalog();

  async function loadCatalog(): Promise<void> {
    try {
      catalog = await api.getCatalog();
    } catch (err: unknown) {
      productList.showLoadError();
      // The cart holds the alert with "Try again" (and a saved cart's lines, by SKU).
      panel.reveal();
      alerts.show({
        text: describeFailure(err, 'catalog'),
        tone: 'error',
        source: 'catalog',
        retry: loadCatalog,
      });
      return;
    }
    alerts.clear('catalog');
    products = new Map(catalog.products.map((p) => [p.sku, p]));
    const reconciled = reconcileCart(cart, products);
    if (reconciled.removed.length > 0 || reconciled.clamped.length > 0) {
      cart = reconciled.cart;
      saveCart(store, cart);
      alerts.show({
        text:
          reconciled.removed.length > 0
            ? 'Some items in your saved cart are no longer sold and were removed.'
            : 'Some quantities in your saved cart were above the limit and were lowered.',
        tone: 'warning',
        source: 'cart',
      });
    }
    productList.show(catalog);
    // Lines drawn before the catalog arrived know only SKUs: draw them again with names and limits.
    panel.redrawLines();
    render();
    // The cart appears once it is priced (or pricing failed), never before the products: drawn
    // first, it would be pushed down by them on a phone, and grow by its deals and hints when the
    // quote came — layout shifts under the customer's eyes.
    // A quote that hangs must not hide the cart (nor its alerts): it shows after a while regardless.
    if (cart.length > 0) await Promise.race([quotes.request(), wait(MAX_WAIT_FOR_PRICED_CART_MS)]);
    panel.reveal();
    // Back from Checkout's cancel link: the cart is what the customer came back for (on a phone it
    // sits below the products).
    if (options.cancelled) panel.element.focus();
  }

  // ── Cart changes ──────────────────────────────────────────────────────────────────────────────

  function changeCart(next: Cart, announcement?: string) {
    if (next === cart) return;
    cart = next;
    saveCart(store, cart);
    alerts.clear('price', 'checkout', 'cart');
    if (announcement) announce(announcement);
    render();
    quotes.schedule();
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
    const name = product?.name ?? sku;
    const next = setQuantity(cart, sku, quantity, product?.maxQuantity ?? quantity);
    if (quantityOf(next, sku) === quantityOf(cart, sku)) {
      // "One more" at the most we sell (the button is dimmed, not disabled): say why nothing changed.
      if (quantity > quantityOf(cart, sku)) announce(`You already have the most we sell at once of ${name}.`);
      return;
    }
    changeCart(
      next,
      quantityOf(next, sku) === 0 ? `Removed ${name}.` : `${name}: ${quantityOf(next, sku)} in your cart.`,
    );
  }

  /** Prices the cart with this code now (or without any), and keeps it for the next visit. */
  function setCode(next: string | null) {
    const normalised = next?.trim().toUpperCase() || null;
    droppedCode = null;
    if (normalised === code) {
      render();
      return;
    }
    code = normalised;
    saveCode(store, code);
    alerts.clear('price', 'checkout');
    render();
    if (cart.length > 0) void quotes.request();
  }

  function addHint(hint: QuoteHint) {
    let next = cart;
    for (const a of hint.addition ?? []) {
      next = addToCart(next, a.sku, a.quantity, products.get(a.sku)?.maxQuantity ?? a.quantity);
    }
    changeCart(next, `Added for the ${hint.bundleName} deal.`);
  }

  /** Draws the cart everywhere it shows; a control it removes hands its focus to the cart panel. */
  function render() {
    renderKeepingFocus(panel.element, () => draw());
  }

  function draw() {
    productList.markCart(cart, products);
    panel.render({
      cart,
      products,
      quote: quotes.latest,
      fresh: quotes.matchesCart(),
      quotePending: quotes.pending,
      quoteFailed: quotes.failed,
      currency: catalog?.currency ?? 'usd',
      checkingOut: checkout.inProgress,
      code,
      codeOutcome:
        code === null
          ? droppedCode
          : quotes.latest && quotes.latestCode === code
            ? (quotes.latest.quote.code ?? null)
            : null,
    });
  }
}

function loadCode(store: KeyValueStore): string | null {
  try {
    const saved = store.getItem(CODE_STORAGE_KEY)?.trim().toUpperCase();
    return saved && saved.length <= 64 ? saved : null;
  } catch {
    return null;
  }
}

function saveCode(store: KeyValueStore, code: string | null): void {
  try {
    if (code) store.setItem(CODE_STORAGE_KEY, code);
    else store.removeItem(CODE_STORAGE_KEY);
  } catch {
    // Without storage the code lasts as long as the page.
  }
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
