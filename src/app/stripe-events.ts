/**
 * The Stripe events this system processes: the one list the webhook's verifier, its handler, the
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
