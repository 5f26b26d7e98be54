import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { VerifiedEvent } from '../../app/ports';
import { isCheckoutSessionEvent } from '../../app/stripe-events';
import { paymentFactOf } from './payment-objects';
import { toView } from './stripe-gateway';

export type VerifyResult =
  | { readonly ok: true; readonly event: VerifiedEvent }
  | { readonly ok: false; readonly reason: 'missing_signature' | 'invalid_signature' }
  /** Signed, but not an event this endpoint can read; `problem` says what, for the 400's message. */
  | { readonly ok: false; readonly reason: 'malformed_event'; readonly problem: string };

/** Stripe's ids: a prefix, then letters, digits and underscores; bounded well under DynamoDB's key size. */
const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;
const SESSION_ID = /^cs_[A-Za-z0-9_]{1,250}$/;
const PAYMENT_INTENT_ID = /^pi_[A-Za-z0-9_]{1,250}$/;
/** Coupon ids are chosen by whoever creates them (ours are `checkout_<base64url>`). */
const COUPON_ID = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * Verifies `Stripe-Signature` over the raw body with the SDK's `constructEvent` (HMAC-SHA256,
 * constant-time compare, timestamp tolerance) at the given receive time. The SDK only refuses a
 * timestamp that is too old; one further ahead than the tolerance is refused here the same way.
 */
export function createWebhookVerifier(options: {
  readonly secret: string;
  readonly toleranceSeconds: number;
}) {
  return (rawBody: Buffer, signatureHeader: string | undefined, receivedAtMs: number): VerifyResult => {
    if (!signatureHeader) return { ok: false, reason: 'missing_signature' };
    const timestamp = /(?:^|,)\s*t=(\d{1,12})\s*(?:,|$)/.exec(signatureHeader)?.[1];
    if (timestamp !== undefined && Number(timestamp) > receivedAtMs / 1000 + options.toleranceSeconds) {
      return { ok: false, reason: 'invalid_signature' };
    }
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(
        rawBody,
        signatureHeader,
        options.secret,
        options.toleranceSeconds,
        undefined,
        receivedAtMs,
      );
    } catch {
      return { ok: false, reason: 'invalid_signature' };
    }
    // Authentic, but not an event envelope this endpoint can process exactly once (no id to
    // deduplicate on, a Checkout event without its session): refused before anything is written.
    if (!isEventEnvelope(event)) {
      return {
        ok: false,
        reason: 'malformed_event',
        problem: 'The body is not a Stripe event with an id and type.',
      };
    }
    const session = checkoutSessionOf(event);
    // Ids become table keys: one that is not shaped like Stripe's is refused before any key is built.
    if (!EVENT_ID.test(event.id) || (session && !hasWellFormedIds(session))) {
      return {
        ok: false,
        reason: 'malformed_event',
        problem: 'The event carries an id not shaped like Stripe’s.',
      };
    }
    const money = paymentFactOf(event);
    if (money === 'malformed') {
      return {
        ok: false,
        reason: 'malformed_event',
        problem: 'The event’s charge, refund or dispute has an id, amount or status out of shape.',
      };
    }
    return {
      ok: true,
      event: {
        id: event.id,
        type: event.type,
        created: event.created,
        livemode: event.livemode,
        digest: createHash('sha256').update(rawBody).digest('base64url'),
        session: session ? toView(session) : null,
        money,
      },
    };
  };
}

function hasWellFormedIds(session: Stripe.Checkout.Session): boolean {
  const intent = session.payment_intent;
  const intentId = typeof intent === 'string' ? intent : (intent?.id ?? null);
  const coupon = session.discounts?.[0]?.coupon;
  const couponId = typeof coupon === 'string' ? coupon : (coupon?.id ?? null);
  return (
    SESSION_ID.test(session.id) &&
    (intentId === null || PAYMENT_INTENT_ID.test(intentId)) &&
    (couponId === null || COUPON_ID.test(couponId))
  );
}

/** The session of the Checkout Session events this system subscribes to. */
function checkoutSessionOf(event: Stripe.Event): Stripe.Checkout.Session | null {
  // Those events carry a Checkout Session (the envelope check made sure it has an id).
  return isCheckoutSessionEvent(event.type) ? (event.data.object as Stripe.Checkout.Session) : null;
}

/** An object with a string id and type; a Checkout Session event also carries a session with an id. */
function isEventEnvelope(event: unknown): event is Stripe.Event {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const { id, type, data } = event as { id?: unknown; type?: unknown; data?: { object?: unknown } };
  if (typeof id !== 'string' || id.length === 0 || id.length > 255 || typeof type !== 'string') return false;
  if (!isCheckoutSessionEvent(type)) return true;
  const object = data?.object as { id?: unknown } | null | undefined;
  return (
    typeof object === 'object' && object !== null && typeof object.id === 'string' && object.id.length > 0
  );
}
