/**
 * The Checkout Session events this system processes: with {@link PAYMENT_EVENTS}, the one list the webhook's verifier, its handler, the
 * CDK stack's documentation of the endpoint and the deploy checklist read.
 */
export const CHECKOUT_SESSION_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
] as const;

export type CheckoutSessionEventType = (typeof CHECKOUT_SESSION_EVENTS)[number];

/** Whether `type` is one of {@link CHECKOUT_SESSION_EVENTS}. */
export function isCheckoutSessionEvent(type: string): type is CheckoutSessionEventType {
  return (CHECKOUT_SESSION_EVENTS as readonly string[]).includes(type);
}

/**
 * The money events after payment: refunds (the charge's refunded total and each refund's own life)
 * and disputes. Read by the verifier (which parses their objects) and the webhook's endpoint list.
 */
export const PAYMENT_EVENTS = [
  'charge.refunded',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
] as const;

export type PaymentEventType = (typeof PAYMENT_EVENTS)[number];

/** Whether `type` is one of {@link PAYMENT_EVENTS}. */
export function isPaymentEvent(type: string): type is PaymentEventType {
  return (PAYMENT_EVENTS as readonly string[]).includes(type);
}

/** Every event the webhook endpoint must be registered for. */
export const HANDLED_EVENTS = [...CHECKOUT_SESSION_EVENTS, ...PAYMENT_EVENTS] as const;
