/**
 * How long things may take, in one place (decision #10): API Gateway gives a request 29 s and people
 * less, Stripe gives a webhook 10 s, so each budget leaves room for the answer to travel.
 */

/** Checkout answers within this. */
export const CHECKOUT_BUDGET_MS = 8_000;
/** One Stripe attempt of checkout never waits longer than this (the SDK retries once). */
export const CHECKOUT_STRIPE_ATTEMPT_MS = 3_000;
/** The webhook answers by then (503, Stripe redelivers) whatever its idempotent work is doing. */
export const WEBHOOK_DEADLINE_MS = 8_000;
/** Stripe calls of the webhook and the success page (no SDK retry: Stripe redelivers the event). */
export const FULFILMENT_STRIPE_CALL_MS = 2_000;
/** The webhook's table calls (one retry). */
export const WEBHOOK_TABLE_CALL_MS = 500;
