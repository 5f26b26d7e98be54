import { type ApiClient, ApiError } from './api';
import type { SessionStatusResponse } from './api-types';
import { cartKey, type KeyValueStore, loadCart, saveCart } from './cart';
import { h } from './dom';
import { describeFailure, formatMoney } from './messages';
import { clearPendingCheckout, loadPendingCheckout, type PendingCheckout } from './pending-checkout';

/** Polls quickly while the webhook usually lands, then slower; gives up after about ten minutes. */
const POLL_DELAYS_MS = [1000, 1000, 1000, 2000, 2000, 3000, 5000];
const POLL_LATER_MS = 10_000;
const MAX_POLLS = 70;

export interface SuccessPageOptions {
  readonly root: HTMLElement;
  readonly api: ApiClient;
  readonly store: KeyValueStore;
  readonly sessionId: string | null;
}

type PaymentState = 'checking' | 'paid' | 'pending' | 'expired' | 'failed';

/**
 * The page Checkout returns to: it asks `GET /checkout/session-status` until Stripe says paid (the
 * API fulfils the order on that call if the webhook is late), then shows the paid total and the
 * lines that were quoted, and empties the cart that was bought.
 */
export function startSuccessPage(options: SuccessPageOptions): void {
  const { api, store, root, sessionId } = options;
  const pending = sessionId ? loadPendingCheckout(store, sessionId) : null;
  const statusLine = h('p', { class: 'payment-status', role: 'status', 'data-state': 'checking' });
  const heading = h('h1', { id: 'result-title' }, 'Thank you!');
  root.replaceChildren(
    h(
      'section',
      { class: 'result', 'aria-labelledby': 'result-title' },
      heading,
      statusLine,
      pending ? orderSummary(pending) : null,
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
  const poll = async (): Promise<void> => {
    polls += 1;
    let wait: number | null = POLL_DELAYS_MS[polls - 1] ?? POLL_LATER_MS;
    try {
      wait = applyStatus(await api.sessionStatus(sessionId), wait);
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
        show('checking', describeFailure(err, 'status'));
      }
    }
    if (wait === null) return;
    if (polls >= MAX_POLLS) {
      show('pending', 'Your payment is still being processed. We will email you as soon as it clears.');
      return;
    }
    setTimeout(() => void poll(), wait);
  };

  /** Shows a status answer; the delay before the next poll, or `null` when there is nothing to wait for. */
  function applyStatus(status: SessionStatusResponse, next: number): number | null {
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
      show('expired', 'Nothing was charged. Your cart is still in the shop.');
      return null;
    }
    show('checking', 'Waiting for the payment to be confirmed…');
    return next;
  }

  /** Empties the cart only if it still is what was bought (another tab may have changed it). */
  function forgetPurchasedCart() {
    if (pending && cartKey(loadCart(store)) === cartKey(pending.quote.lines)) saveCart(store, []);
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
    quote.appliedBundles.length > 0
      ? h(
          'p',
          { class: 'saving' },
          `Deals: ${quote.appliedBundles.map((b) => b.name).join(', ')} — you saved ${formatMoney(quote.discount, quote.currency)}.`,
        )
      : null,
  );
}
