import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { VerifiedEvent } from '../../app/ports';
import { toView } from './stripe-gateway';

export type VerifyResult =
  | { readonly ok: true; readonly event: VerifiedEvent }
  | { readonly ok: false; readonly reason: 'missing_signature' | 'invalid_signature' };

/**
 * Verifies `Stripe-Signature` over the raw body with the SDK's `constructEvent` (HMAC-SHA256,
 * constant-time compare, timestamp tolerance) at the given receive time.
 */
export function createWebhookVerifier(options: {
  readonly secret: string;
  readonly toleranceSeconds: number;
}) {
  return (rawBody: Buffer, signatureHeader: string | undefined, receivedAtMs: number): VerifyResult => {
    if (!signatureHeader) return { ok: false, reason: 'missing_signature' };
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
    const session = checkoutSessionOf(event);
    return {
      ok: true,
      event: {
        id: event.id,
        type: event.type,
        created: event.created,
        livemode: event.livemode,
        digest: createHash('sha256').update(rawBody).digest('base64url'),
        session: session ? toView(session) : null,
      },
    };
  };
}

/** The session of the four Checkout Session events this system subscribes to. */
function checkoutSessionOf(event: Stripe.Event): Stripe.Checkout.Session | null {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired':
      return event.data.object;
    default:
      return null;
  }
}
