import { createHash } from 'node:crypto';
import type { CheckoutSlot, SlotSession } from './ports';

/**
 * A checkout slot is where a shopper's Checkout Sessions are made, one open at a time: the cart
 * (when the storefront sends its cart id) or else the quote (whose signature is the shopper's own,
 * since every quote carries a random id). Its id is the slot item's key.
 */
export function checkoutSlotId(cartId: string | undefined, quoteSignature: string): string {
  return cartId ? `cart#${cartId}` : `quote#${digest(quoteSignature, 32)}`;
}

/**
 * The digest a session keeps of its email, so a changed email is told apart without keeping it. Of
 * the exact address Stripe is sent: two spellings are two sessions, never one idempotency key with
 * two sets of parameters.
 */
export function emailDigestOf(email: string | undefined): string {
  return email ? digest(email, 22) : '-';
}

/**
 * Names one attempt of one slot: the Stripe idempotency keys and the coupon id of the session made
 * for this quote and email as the slot's `attempt`-th. A retry of the same request names the same
 * attempt (Stripe replays what it made); anything else names a new one, so a coupon belongs to one
 * session only and a key is never reused with other parameters.
 */
export function checkoutAttemptKey(input: {
  readonly slotId: string;
  readonly quoteSignature: string;
  readonly attempt: number;
  readonly emailDigest: string;
}): string {
  return digest(`${input.slotId}|${input.quoteSignature}|${input.attempt}|${input.emailDigest}`, 32);
}

/** What a checkout request does with the slot as it finds it. */
export type SlotDecision =
  /** The slot's open session is this quote's, for this email: hand it out again. */
  | { readonly kind: 'reuse'; readonly session: SlotSession }
  /** The slot's session was paid (or awaits an async payment): no second one. */
  | { readonly kind: 'paid'; readonly session: SlotSession }
  /** Another request is replacing the slot's session: wait for it. */
  | { readonly kind: 'busy' }
  /** Make the slot's next session (expiring its open one first). */
  | { readonly kind: 'create' };

/** A session this close to its end is replaced rather than handed out (seconds). */
const REUSE_MARGIN_SECONDS = 60;

/** Decides from the slot alone (no I/O). `now` in epoch seconds. */
export function decideSlot(
  slot: CheckoutSlot | null,
  request: { readonly quoteSignature: string; readonly emailDigest: string; readonly now: number },
): SlotDecision {
  // A lease is live through its last second (a claim needs `leaseUntil < now`).
  if (slot?.lease && slot.lease.until >= request.now) return { kind: 'busy' };
  const current = slot?.current;
  if (!current) return { kind: 'create' };
  if (current.status === 'complete' || current.status === 'awaiting_payment') {
    return { kind: 'paid', session: current };
  }
  if (
    current.status === 'open' &&
    current.quoteSignature === request.quoteSignature &&
    current.emailDigest === request.emailDigest &&
    current.sessionExpiresAt > request.now + REUSE_MARGIN_SECONDS
  ) {
    return { kind: 'reuse', session: current };
  }
  return { kind: 'create' };
}

function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, length);
}
