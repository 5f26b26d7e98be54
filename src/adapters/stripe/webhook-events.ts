import type Stripe from 'stripe';

/**
 * The events a stage's Stripe webhook endpoint must be registered for: the four Checkout Session
 * events the webhook fulfils, releases or ignores. One list for the stack (its `WebhookEvents`
 * output), `npm run doctor` (which compares the registered endpoint with it) and the docs (a test
 * checks that they name exactly these). Typed as Stripe's own event names, so a typo fails to compile.
 */
export const WEBHOOK_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
] as const satisfies readonly Stripe.WebhookEndpointCreateParams.EnabledEvent[];
