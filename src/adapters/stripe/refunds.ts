import type Stripe from 'stripe';
import {
  REFUND_ATTEMPT_METADATA_KEY,
  type RefundGateway,
  type RefundMade,
  type RefundRequest,
} from '../../app/order-life-ports';
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

/**
 * Stripe's `GET /v1/refunds` parameters for the refunds of one payment: by its PaymentIntent, the
 * largest page Stripe gives (100), newest first (a test checks the names against the SDK's types).
 */
export function toRefundListParams(paymentIntentId: string): Stripe.RefundListParams {
  return { payment_intent: paymentIntentId, limit: 100 };
}

function made(refund: Stripe.Refund): RefundMade {
  return { id: refund.id, status: refund.status ?? 'pending', amount: refund.amount };
}

/** {@link RefundGateway} on the official Stripe SDK (the operator's `orders refund`). */
export function createStripeRefunds(stripe: Stripe): RefundGateway {
  return {
    async createRefund(request, options) {
      try {
        const refund = await stripe.refunds.create(toRefundCreateParams(request), {
          idempotencyKey: options.idempotencyKey,
        });
        return made(refund);
      } catch (err: unknown) {
        throw toProviderError(err);
      }
    },

    async findAttemptRefund(paymentIntentId, attemptId) {
      try {
        // Every page (the SDK follows `has_more`): a payment has a handful of refunds at most.
        for await (const refund of stripe.refunds.list(toRefundListParams(paymentIntentId))) {
          if (refund.metadata?.[REFUND_ATTEMPT_METADATA_KEY] === attemptId) return made(refund);
        }
        return null;
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
