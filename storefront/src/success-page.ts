import { type ApiClient, ApiError } from './api';
import type { SessionStatusResponse } from './api-types';
import { CODE_STORAGE_KEY, cartKey, type KeyValueStore, loadCart, renewCartId, saveCart } from './cart';
import { h } from './dom';
import { describeFailure, formatMoney } from './messages';
import { clearPendingCheckout, loadPendingCheckout, type PendingCheckout } from './pending-checkout';
import { displayAddress, type ShopConfig } from './shop-config';

/** Polls quickly while the webhook usually lands, then slower; gives up after about ten minutes. */
const POLL_DELAYS_MS = [1000, 1000, 1000, 2000, 2000, 3000, 5000];
const POLL_LATER_MS = 10_000;
const MAX_POLLS = 70;
/** After a failed status call the next waits longer each time, up to this. */
const MAX_ERROR_BACKOFF_MS = 30_000;

export interface SuccessPageOptions {
  readonly root: HTMLElement;
  readonly api: ApiClient;
  readonly store: KeyValueStore;
  readonly sessionId: string | null;
  /** How to reach the shop, for a customer with a question about this order. */
  readonly contact: ShopConfig['contact'] | null;
}

const CONFIRMING =
  'We are confirming your payment with the shop. If you paid, your order is safe — please do not pay again. We will keep checking.';
const CHECK_LATER =
  'We could not confirm your payment yet. If you paid, your order is safe and Stripe emails your receipt; please do not pay again. You can check again here, or come back to this page’s address later.';

type PaymentState = 'checking' | 'paid' | 'pending' | 'expired' | 'failed' | 'unknown';

/**
 * The page Checkout returns to: it asks `GET /checkout/session-status` until Stripe says paid (the
 * API fulfils the order on that call if the webhook is late), then shows the paid total and the
 * lines that were quoted, and empties the cart that was bought.
 */
export function startSuccessPage(options: SuccessPageOptions): void {
  const { api, store, root, sessionId } = options;
  const pending = sessionId ? loadPendingCheckout(store, sessionId) : null;
  // Focusable from script: "Check again" hides itself while checking, and hands its focus here.
  const statusLine = h('p', {
    class: 'payment-status',
    role: 'status',
    'data-state': 'checking',
    tabindex: -1,
  });
  const heading = h('h1', { id: 'result-title' }, 'Thank you!');
  const checkAgain = h('button', { type: 'button', class: 'link-button', hidden: true }, 'Check again');
  root.replaceChildren(
    h(
      'section',
      { class: 'result', 'aria-labelledby': 'result-title' },
      heading,
      statusLine,
      checkAgain,
      pending ? orderSummary(pending) : null,
      options.contact ? contactLine(options.contact) : null,
      h('p', {}, h('a', { href: '/', class: 'button-link' }, 'Continue shopping')),
    ),
  );

  const show = (state: PaymentState, text: string) => {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  };

  if (!sessionId) {
    heading.textContent = 'No checkout to show';
    show('failed', 'This page needs the checkout’s session id in its address.');
    return;
  }
  show('checking', 'Checking your payment…');

  let polls = 0;
  let errorBackoffMs = 2000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async (): Promise<void> => {
    polls += 1;
    if (document.activeElement === checkAgain) statusLine.focus();
    checkAgain.hidden = true;
    let wait: number | null = POLL_DELAYS_MS[polls - 1] ?? POLL_LATER_MS;
    try {
      wait = applyStatus(await api.sessionStatus(sessionId), wait);
      errorBackoffMs = 2000;
    } catch (err: unknown) {
      if (err instanceof ApiError && err.kind === 'http' && err.status !== null && err.status < 500) {
        if (err.code === 'rate_limited') {
          wait = (err.retryAfterSeconds ?? 30) * 1000;
          show('checking', `${describeFailure(err, 'status')} We will check again by ourselves.`);
        } else {
          heading.textContent = 'We could not find this checkout';
          show('failed', describeFailure(err, 'status'));
          return;
        }
      } else {
        // The shop (or the connection) failed, not the payment: the customer may well have paid, so
        // this never says that nothing was charged. Keep asking, less often each time.
        wait = errorBackoffMs;
        errorBackoffMs = Math.min(errorBackoffMs * 2, MAX_ERROR_BACKOFF_MS);
        show('checking', CONFIRMING);
        checkAgain.hidden = false;
      }
    }
    if (wait === null) return;
    if (polls >= MAX_POLLS) {
      show('unknown', CHECK_LATER);
      checkAgain.hidden = false;
      return;
    }
    timer = setTimeout(() => void poll(), wait);
  };
  checkAgain.addEventListener('click', () => {
    clearTimeout(timer);
    polls = 0;
    show('checking', 'Checking your payment…');
    void poll();
  });

  /** Shows a status answer; the delay before the next poll, or `null` when there is nothing to wait for. */
  function applyStatus(status: SessionStatusResponse, next: number): number | null {
    if (status.paymentStatus === 'failed') {
      heading.textContent = 'Your payment did not go through';
      notAnOrder();
      show(
        'failed',
        'Your bank did not complete the payment, so nothing was charged. Your cart is still in the shop: you can check out again with another payment method.',
      );
      clearPendingCheckout(store);
      return null;
    }
    if (status.status === 'complete' && status.paymentStatus !== 'unpaid') {
      const paid = formatMoney(status.amountTotal ?? 0, status.currency ?? 'usd');
      show('paid', `Payment received: ${paid}. Your order is confirmed.`);
      forgetPurchasedCart();
      return null;
    }
    if (status.status === 'complete') {
      show('pending', 'Your bank transfer is on its way. We will confirm your order as soon as it arrives.');
      return Math.max(next, POLL_LATER_MS);
    }
    if (status.status === 'expired') {
      heading.textContent = 'This checkout expired';
      notAnOrder();
      show('expired', 'Nothing was charged. Your cart is still in the shop.');
      return null;
    }
    show('checking', 'Waiting for the payment to be confirmed…');
    return next;
  }

  /** The lines shown are what the checkout held, not an order: they are titled so. */
  function notAnOrder() {
    const title = root.querySelector('#order-title');
    if (title) title.textContent = 'What this checkout held';
  }

  /**
   * Empties the cart only if it still is what was bought (another tab may have changed it); the cart
   * id always starts afresh, since the paid checkout belongs to the old one.
   */
  function forgetPurchasedCart() {
    if (pending && cartKey(loadCart(store)) === cartKey(pending.quote.lines)) saveCart(store, []);
    // The code was used on this order; the next cart starts without it.
    if (pending?.quote.code?.status === 'applied') store.removeItem(CODE_STORAGE_KEY);
    renewCartId(store);
    clearPendingCheckout(store);
  }

  void poll();
}

function orderSummary(pending: PendingCheckout) {
  const { quote } = pending;
  return h(
    'section',
    { class: 'order', 'aria-labelledby': 'order-title' },
    h('h2', { id: 'order-title' }, 'Your order'),
    h(
      'ul',
      { class: 'order-lines' },
      quote.lines.map((line) =>
        h(
          'li',
          {},
          h('span', {}, `${line.quantity} × ${line.name}`),
          h('span', {}, formatMoney(line.total, quote.currency)),
        ),
      ),
    ),
    quote.discount > 0
      ? h(
          'p',
          { class: 'saving' },
          `Deals: ${[
            ...quote.appliedBundles.map((b) => b.name),
            ...(quote.code?.status === 'applied' ? [`code ${quote.code.code}`] : []),
          ].join(', ')} — you saved ${formatMoney(quote.discount, quote.currency)}.`,
        )
      : null,
  );
}

/** Whatever the payment's state, the customer can ask the shop about it. */
function contactLine(contact: ShopConfig['contact']) {
  const ways = [
    contact.email ? h('a', { href: `mailto:${contact.email}` }, contact.email) : null,
    contact.url ? h('a', { href: contact.url }, displayAddress(contact.url)) : null,
  ].filter((way) => way !== null);
  return h(
    'p',
    { class: 'contact-line' },
    'Questions about your order? Contact us: ',
    ways.flatMap((way, index) => (index === 0 ? [way] : [' or ', way])),
    '.',
  );
}
