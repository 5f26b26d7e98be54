import type { Quote } from './api-types';
import type { KeyValueStore } from './cart';

export const PENDING_CHECKOUT_KEY = 'storefront.pending-checkout.v1';

/**
 * What the storefront remembers across the redirect to Checkout: the session and the quote it was
 * made from, so the success page can show the order's lines (the status route only says the total).
 */
export interface PendingCheckout {
  readonly sessionId: string;
  readonly quote: Pick<
    Quote,
    'lines' | 'appliedBundles' | 'subtotal' | 'discount' | 'total' | 'currency' | 'code'
  >;
}

export function savePendingCheckout(store: KeyValueStore, pending: PendingCheckout): void {
  try {
    store.setItem(PENDING_CHECKOUT_KEY, JSON.stringify(pending));
  } catch {
    // Without it the success page still shows the paid total from the API.
  }
}

/** The remembered checkout, only if it is the given session's. */
export function loadPendingCheckout(store: KeyValueStore, sessionId: string): PendingCheckout | null {
  try {
    const raw: unknown = JSON.parse(store.getItem(PENDING_CHECKOUT_KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return null;
    const pending = raw as Partial<PendingCheckout>;
    if (pending.sessionId !== sessionId || !pending.quote || !Array.isArray(pending.quote.lines)) return null;
    return pending as PendingCheckout;
  } catch {
    return null;
  }
}

export function clearPendingCheckout(store: KeyValueStore): void {
  try {
    store.removeItem(PENDING_CHECKOUT_KEY);
  } catch {
    // Nothing to do: it is only a convenience.
  }
}
