import type Stripe from 'stripe';
import { HANDLED_EVENTS } from '../../app/stripe-events';

/**
 * The events a stage's Stripe webhook endpoint must be registered for: the Checkout Session events
 * the webhook processes (listed once, in `src/app/stripe-events.ts`), checked here against Stripe's
 * own event names so a typo fails to compile. Read by the stack (its `WebhookEvents` output),
 * `npm run doctor` (which compares the registered endpoint with it) and the docs (a test checks that
 * they name exactly these).
 */
export const WEBHOOK_EVENTS =
  HANDLED_EVENTS satisfies readonly Stripe.WebhookEndpointCreateParams.EnabledEvent[];
