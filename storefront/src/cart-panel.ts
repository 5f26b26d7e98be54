import type { QuoteHint, QuoteResponse } from './api-types';
import { type Cart, unitCount } from './cart';
import { createCartLines } from './cart-lines';
import { createCartSummary } from './cart-summary';
import { h, renderKeepingFocus, setUnavailable } from './dom';
import type { AvailabilityOf, CatalogIndex, HintAction } from './variants';

/** Everything the cart panel shows; the shop page owns this state, the panel only draws it. */
export interface CartState {
  readonly cart: Cart;
  readonly index: CatalogIndex;
  readonly availability: AvailabilityOf;
  /** Lines the API found short of stock, with what is left of each. */
  readonly short: ReadonlyMap<string, number>;
  /** What a hint's button does. */
  readonly hintAction: (hint: QuoteHint) => HintAction | null;
  /** The latest good quote; it may be of an older cart while a new one is on its way. */
  readonly quote: QuoteResponse | null;
  /** The quote prices exactly this cart. */
  readonly fresh: boolean;
  /** A quote is due or on its way. */
  readonly quotePending: boolean;
  readonly quoteFailed: boolean;
  /** The currency to show amounts in before any quote (the catalog's). */
  readonly currency: string;
  readonly checkingOut: boolean;
}

export interface CartPanelOptions {
  /** Back from Checkout's cancel link: the panel says nothing was charged. */
  readonly cancelled: boolean;
  /** The customer set a line's quantity (0 removes it). */
  readonly onQuantity: (sku: string, quantity: number) => void;
  /** The customer pressed a hint's button. */
  readonly onHint: (hint: QuoteHint, action: HintAction) => void;
}

/** The cart: its lines, summary and checkout form, and on phones the "View cart" bar. */
export interface CartPanel {
  /** The panel (`#cart`): focusable, so the page can bring the customer to it. */
  readonly element: HTMLElement;
  /** The phone's "View cart" bar, a link to the panel. */
  readonly bar: HTMLAnchorElement;
  /** Where the cart's alerts go (see `createAlerts`). */
  readonly alertRegion: HTMLElement;
  readonly form: HTMLFormElement;
  readonly email: HTMLInputElement;
  readonly honeypot: HTMLInputElement;
  readonly checkoutButton: HTMLButtonElement;
  render(state: CartState): void;
  /** Draws the lines anew on the next render (once the catalog has named the SKUs). */
  redrawLines(): void;
  /** Shows the panel (and with it the phone's bar): once the products are there and the cart priced. */
  reveal(): void;
  /** Focuses the fix of the first line short of stock; `false` if there is none. */
  focusFirstFix(): boolean;
}

/** Builds the cart panel; it draws whatever `render` is given. */
export function createCartPanel(options: CartPanelOptions): CartPanel {
  const alertRegion = h('div', { class: 'alerts', role: 'alert' });
  const cancelBanner = options.cancelled
    ? h(
        'div',
        { class: 'banner', 'data-testid': 'cancel-banner' },
        h('strong', {}, 'Checkout cancelled.'),
        ' Nothing was charged — your cart is just as you left it.',
      )
    : null;
  const lines = createCartLines({ onQuantity: options.onQuantity });
  const summary = createCartSummary({ onHint: options.onHint });
  const email = h('input', {
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
  // In the pinned bar below the form, so the form names it (`form`) rather than containing it.
  const checkoutButton = h(
    'button',
    { type: 'submit', form: 'checkout-form', class: 'primary checkout-button' },
    'Checkout',
  );
  const form = h(
    'form',
    { id: 'checkout-form', class: 'checkout-form', 'aria-label': 'Checkout' },
    h('label', { for: 'email' }, 'Email for your receipt ', h('span', { class: 'optional' }, '(optional)')),
    email,
    h('p', { id: 'email-help', class: 'help' }, 'You can also enter it on the payment page.'),
    // A field people never see and bots fill in; the API drops requests that carry it.
    h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: 'website' }, 'Website'), honeypot),
    h(
      'p',
      { class: 'help' },
      'Shipping and taxes, if any, are added on the payment page. You pay on Stripe’s secure checkout page.',
    ),
  );
  // The totals and Checkout stay in view (sticky at the bottom of the panel, or of the screen on a
  // phone) however many lines and hints are above them.
  const checkoutBar = h('div', { class: 'checkout-bar' }, summary.element, checkoutButton);
  // Hidden until the page reveals it, with the products and a priced cart (see `startShopPage`).
  const element = h(
    'aside',
    { id: 'cart', class: 'cart', 'aria-labelledby': 'cart-title', tabindex: -1, hidden: true },
    h('h2', { id: 'cart-title' }, 'Your cart'),
    cancelBanner,
    alertRegion,
    lines.element,
    summary.offers,
    form,
    checkoutBar,
  );
  const bar = h('a', { class: 'cart-bar', href: '#cart' });

  let state: CartState | null = null;
  let barTotal: string | null = null;
  // The phone's "View cart" bar is only in the way once the cart itself is on screen (should the bar
  // have had focus, the cart it leads to takes it).
  let inView = false;
  new IntersectionObserver((entries) => {
    inView = entries.some((entry) => entry.isIntersecting);
    renderKeepingFocus(element, renderBar);
  }).observe(element);

  function render(next: CartState) {
    state = next;
    const { cart, index, quote, fresh } = next;
    lines.render({
      cart,
      index,
      availability: next.availability,
      short: next.short,
      quotedLines: fresh && quote ? quote.quote.lines : null,
      currency: quote?.quote.currency ?? 'usd',
    });
    barTotal = summary.render({
      empty: cart.length === 0,
      quote: quote?.quote ?? null,
      fresh,
      // A quote on its way, or due; a refused or failed one is not being updated.
      updating: cart.length > 0 && (next.quotePending || (!fresh && !next.quoteFailed)),
      failed: next.quoteFailed,
      short: next.short.size > 0,
      currency: quote?.quote.currency ?? next.currency,
      hintAction: next.hintAction,
    });
    // Unavailable while checking out, not disabled: the pressed button keeps the keyboard's focus.
    setUnavailable(checkoutButton, next.checkingOut || index.sellables.size === 0);
    checkoutButton.textContent = next.checkingOut ? 'Starting checkout…' : 'Checkout';
    form.hidden = cart.length === 0;
    checkoutButton.hidden = cart.length === 0;
    checkoutBar.classList.toggle('empty-cart', cart.length === 0);
    renderBar();
  }

  function renderBar() {
    const units = state ? unitCount(state.cart) : 0;
    bar.hidden = units === 0 || inView || element.hidden;
    bar.textContent = `View cart · ${units} item${units === 1 ? '' : 's'}${barTotal ? ` · ${barTotal}` : ''}`;
  }

  return {
    element,
    bar,
    alertRegion,
    form,
    email,
    honeypot,
    checkoutButton,
    render,
    redrawLines: lines.reset,
    reveal() {
      element.hidden = false;
      renderBar();
    },
    focusFirstFix: lines.focusFirstFix,
  };
}
