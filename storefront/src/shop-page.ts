import { createAlerts, createAnnouncer } from './alerts';
import type { ApiClient, ApiError } from './api';
import type { Availability, PublicCatalog, QuoteCode, QuoteHint, QuoteResponse } from './api-types';
import {
  addToCart,
  CART_STORAGE_KEY,
  type Cart,
  CODE_STORAGE_KEY,
  cartIdOf,
  cartKey,
  type KeyValueStore,
  loadCart,
  quantityOf,
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
import {
  availabilityOfShortLine,
  type CartRepair,
  type CatalogIndex,
  catalogAvailability,
  describeShortLine,
  EMPTY_INDEX,
  type HintAction,
  hintAction,
  indexCatalog,
  limitMessage,
  lineLimit,
  pruneShortLines,
  reconcileSavedCart,
  repairRefusedCart,
  shortLinesOf,
} from './variants';

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
 * This function owns the catalog, the cart and what is known of the stock, and wires the parts: the
 * product list (with each product's sizes), the cart panel (lines, summary, checkout form), the
 * quote keeper, checkout, and the alerts.
 */
export async function startShopPage(options: ShopPageOptions): Promise<void> {
  const { api, store, root } = options;
  let catalog: PublicCatalog | null = null;
  let index: CatalogIndex = EMPTY_INDEX;
  let cart: Cart = loadCart(store);
  let code: string | null = loadCode(store);
  /**
   * The cart and code as this page last read or wrote them in storage: another tab's change is a
   * difference from these (not from the page's own, which a storage that refuses writes would
   * never hold).
   */
  let stored = { cart: cartKey(cart), code };
  /** Why the last code was dropped at checkout, shown under the field until the customer acts. */
  let droppedCode: QuoteCode | null = null;
  /** Stock the quotes (and refusals) told of since the catalog was read: fresher than the catalog's. */
  const liveStock = new Map<string, Availability>();
  /** Lines the API found short of stock (409 `out_of_stock`), with what is left of each. */
  let short = new Map<string, number>();
  const availability = (sku: string) => liveStock.get(sku) ?? catalogAvailability(index, sku);
  const ready = () => index.sellables.size > 0;

  const status = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const announce = createAnnouncer(status);
  const productList = createProductList({ onAdd: add, announce });
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
    cartId: () => cartIdOf(store),
    ready,
    onRefused: (err) => answerRefusal(err, 'quote'),
    onQuote: takeQuote,
    onChange: render,
  });
  const checkout = createCheckout({
    api,
    store,
    quotes,
    alerts,
    announce,
    cart: () => cart,
    ready,
    heldBack: showShortLines,
    onRefused: (err) => answerRefusal(err, 'checkout'),
    email: panel.email,
    honeypot: panel.honeypot,
    button: panel.checkoutButton,
    emptyCart: () => changeCart([]),
    dropCode: (refused) => {
      code = null;
      droppedCode = refused;
      saveCode(store, null);
      noteStored();
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
    // A cart another tab changed (or bought) is shown first, never checked out unseen.
    if (takeOtherTabsCart()) return;
    void checkout.start();
  });
  // Another tab of this shop saved a cart or a code: this one shows the same (the storage event
  // fires in every other tab of the origin; the checks on showing and at checkout cover a tab the
  // browser froze meanwhile).
  window.addEventListener('storage', (event) => {
    if (event.key === null || event.key === CART_STORAGE_KEY || event.key === CODE_STORAGE_KEY) {
      takeOtherTabsCart();
    }
  });
  // Back from Checkout through the browser's back button: the page may come back from the
  // back/forward cache still saying "Starting checkout…".
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) checkout.reset();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    if (!takeOtherTabsCart()) quotes.refreshIfExpired();
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
    index = indexCatalog(catalog.products);
    liveStock.clear();
    const reconciled = reconcileSavedCart(cart, index);
    if (showRepair(reconciled, 'Your saved cart')) {
      cart = reconciled.cart;
      saveCart(store, cart);
      noteStored();
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
    noteStored();
    short = pruneShortLines(short, cart);
    alerts.clear('price', 'checkout', 'cart', 'stock');
    if (announcement) announce(announcement);
    render();
    quotes.schedule();
  }

  /**
   * Takes the cart and code as saved now, if another tab changed them since this page last did:
   * shown, said, and priced again. True when the cart itself changed (a checkout then waits for the
   * customer to look at it).
   */
  function takeOtherTabsCart(): boolean {
    const savedCode = loadCode(store);
    const codeChanged = savedCode !== stored.code;
    if (codeChanged) {
      code = savedCode;
      droppedCode = null;
      panel.codeInput.value = code ?? '';
    }
    const loaded = loadCart(store);
    const cartChanged = cartKey(loaded) !== stored.cart;
    stored = { cart: cartKey(loaded), code: savedCode };
    if (cartChanged) {
      cart = ready() ? reconcileSavedCart(loaded, index).cart : loaded;
      short = pruneShortLines(short, cart);
      alerts.clear('price', 'checkout', 'cart', 'stock');
      alerts.show({
        text:
          cart.length === 0
            ? 'Your cart was emptied in another tab (an order placed there, or the cart cleared).'
            : 'Your cart was changed in another tab; this is it now.',
        tone: 'info',
        source: 'cart',
      });
    }
    if (!cartChanged && !codeChanged) return false;
    render();
    if (cart.length > 0) quotes.schedule();
    return cartChanged;
  }

  /** Notes what storage holds after this page wrote it (nothing changes when storage is off). */
  function noteStored() {
    stored = { cart: cartKey(loadCart(store)), code: loadCode(store) };
  }

  /** Add on a product card: one unit of the chosen size (or of the product without sizes). */
  function add(sku: string) {
    const sellable = index.sellables.get(sku);
    if (!sellable) return;
    const limit = lineLimit(cart, sku, index, availability);
    if (quantityOf(cart, sku) + 1 > limit.max) {
      announce(limitMessage(limit, sellable));
      return;
    }
    const next = addToCart(cart, sku, 1, limit.max);
    if (next === cart) {
      announce('Your cart cannot take more lines. Remove one to add another.');
      return;
    }
    changeCart(next, `Added ${sellable.name}. ${quantityOf(next, sku)} in your cart.`);
  }

  function setLineQuantity(sku: string, quantity: number) {
    const sellable = index.sellables.get(sku);
    const name = sellable?.name ?? sku;
    const current = quantityOf(cart, sku);
    // Before the catalog is read the line's limits are unknown: the quote will say.
    const limit = sellable ? lineLimit(cart, sku, index, availability) : null;
    if (sellable && limit && quantity > current && current >= limit.max) {
      // "One more" at the most we sell (the button is dimmed, not disabled): say why nothing changed.
      announce(limitMessage(limit, sellable));
      return;
    }
    const next = setQuantity(cart, sku, quantity, limit?.max ?? Math.max(quantity, 0));
    const now = quantityOf(next, sku);
    if (now === current) return;
    const lowered = sellable && limit && quantity > now && now > 0 ? ` ${limitMessage(limit, sellable)}` : '';
    changeCart(next, now === 0 ? `Removed ${name}.` : `${name}: ${now} in your cart.${lowered}`);
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
    noteStored();
    alerts.clear('price', 'checkout');
    render();
    if (cart.length > 0) void quotes.request();
  }

  function addHint(hint: QuoteHint, action: HintAction) {
    if (action.kind === 'choose') {
      // The deal names a product with sizes: the customer picks the size, then presses Add.
      if (productList.chooseSize(action.product.sku)) {
        announce(`Choose a size of ${action.product.name}, then press Add.`);
      } else announce(`${action.product.name} is sold out in every size.`);
      return;
    }
    let next = cart;
    for (const item of action.items) {
      next = addToCart(next, item.sku, item.quantity, lineLimit(next, item.sku, index, availability).max);
    }
    changeCart(next, `Added for the ${hint.bundleName} deal.`);
  }

  // ── What the API refused, and the stock it told of ───────────────────────────────────────────

  /** A quote of the cart: what it says is left of each line's SKU; priced means nothing is short. */
  function takeQuote(answer: QuoteResponse) {
    for (const line of answer.quote.lines) {
      if (line.availability) liveStock.set(line.sku, line.availability);
    }
    if (cartKey(answer.quote.items) === cartKey(cart) && short.size > 0) {
      short = new Map();
      alerts.clear('stock');
    }
  }

  /**
   * Answers a refusal of the cart: lines short of stock (409 `out_of_stock`, from the quote or from
   * checkout when another shopper took the last units) are marked with their fix; lines the API does
   * not sell as they are (422) are corrected and the customer told. `false`: not a refusal of lines.
   */
  function answerRefusal(err: ApiError, site: 'quote' | 'checkout'): boolean {
    if (err.code === 'out_of_stock') {
      short = shortLinesOf(err.details);
      for (const [sku, available] of short) liveStock.set(sku, availabilityOfShortLine(available));
      const lines = describeShort();
      alerts.show({
        text:
          site === 'checkout'
            ? `Stock ran short while you were checking out, so nothing was charged. ${lines} Change the marked items and press Checkout again.`
            : `${lines} Change the marked items to continue.`,
        tone: site === 'checkout' ? 'error' : 'warning',
        source: 'stock',
      });
      render();
      if (site === 'checkout') panel.focusFirstFix();
      return true;
    }
    const repair = repairRefusedCart(cart, err.code, err.details, index);
    if (!repair) return false;
    const changed = cartKey(repair.cart) !== cartKey(cart);
    if (changed) {
      cart = repair.cart;
      saveCart(store, cart);
      noteStored();
    }
    if (!showRepair(repair, 'Your cart')) {
      alerts.show({ text: describeFailure(err, site), tone: 'warning', source: 'cart' });
    }
    render();
    if (changed) quotes.schedule();
    return true;
  }

  /** Says what a repair of the cart did; `false` if it did nothing to say. */
  function showRepair(repair: CartRepair, whose: string): boolean {
    const texts: string[] = [];
    if (repair.needsSize.length > 0) {
      const names = repair.needsSize.map((p) => p.name);
      const one = names.length === 1;
      texts.push(
        `${whose} had ${names.join(' and ')} without a size, so ${one ? 'it was' : 'they were'} taken out. Choose a size and add ${one ? 'it' : 'them'} again.`,
      );
    }
    if (repair.removed.length > 0)
      texts.push(`Some items in ${whose.toLowerCase()} are no longer sold and were removed.`);
    if (repair.lowered.length > 0) {
      texts.push(
        `Some quantities in ${whose.toLowerCase()} were above the most we sell at once and were lowered.`,
      );
    }
    if (texts.length === 0) return false;
    const first = repair.needsSize[0];
    alerts.show({
      text: texts.join(' '),
      tone: 'warning',
      source: 'cart',
      ...(first
        ? {
            retry: () => void productList.chooseSize(first.sku),
            retryLabel: `Choose a size of ${first.name}`,
          }
        : {}),
    });
    return true;
  }

  function describeShort(): string {
    return [...short]
      .map(([sku, available]) => describeShortLine(index.sellables.get(sku)?.name ?? sku, available))
      .join(' ');
  }

  /**
   * Lines still short as the API found them: checkout would be refused, so the customer is brought to
   * the first line's fix instead (`true`).
   */
  function showShortLines(): boolean {
    if (short.size === 0) return false;
    alerts.show({
      text: `${describeShort()} Change the marked items to check out.`,
      tone: 'warning',
      source: 'stock',
    });
    panel.focusFirstFix();
    return true;
  }

  /** Draws the cart everywhere it shows; a control it removes hands its focus to the cart panel. */
  function render() {
    renderKeepingFocus(panel.element, () => draw());
  }

  function draw() {
    productList.update({ cart, index, availability });
    panel.render({
      cart,
      index,
      availability,
      short,
      hintAction: (hint) => hintAction(hint, cart, index, availability),
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
