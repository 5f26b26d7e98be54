import type Stripe from 'stripe';
import type { RefundGateway, RefundRequest } from '../../app/order-life-ports';
import { toProviderError } from './stripe-gateway';

/**
 * Stripe's `POST /v1/refunds` parameters for a refund the application described: the payment by
 * its PaymentIntent, the amount in minor units, Stripe's reason, and metadata. Every name follows
 * Stripe's published API (a test checks them against the OpenAPI spec).
 */
export function toRefundCreateParams(request: RefundRequest): Stripe.RefundCreateParams {
  return {
    payment_intent: request.paymentIntentId,
    amount: request.amount,
    ...(request.reason ? { reason: request.reason } : {}),
    metadata: { ...request.metadata },
  };
}

/** {@link RefundGateway} on the official Stripe SDK (the operator's `orders refund`). */
export function createStripeRefunds(stripe: Stripe): RefundGateway {
  return {
    async createRefund(request, options) {
      try {
        const refund = await stripe.refunds.create(toRefundCreateParams(request), {
          idempotencyKey: options.idempotencyKey,
        });
        return { id: refund.id, status: refund.status ?? 'pending', amount: refund.amount };
      } catch (err: unknown) {
        throw toProviderError(err);
      }
    },

    async paymentIntentOfSession(sessionId) {
      try {
        const session = await stripe.checkout.sessions.retrieve(sessionId);
        const intent = session.payment_intent;
        return typeof intent === 'string' ? intent : (intent?.id ?? null);
      } catch (err: unknown) {
        throw toProviderError(err);
      }
    },
  };
}
