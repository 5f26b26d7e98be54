import type { VerifyResult } from '../../adapters/stripe/webhook-verifier';
import { type HandleEventDeps, handleStripeEvent } from '../../app/handle-stripe-event';
import { HttpError, httpErrors } from '../http-error';
import { headerOf, rawBodyOf } from '../request';
import { type ApiHandler, createRoute } from '../route';

/** Stripe's events are far below this; anything larger is not Stripe. */
const MAX_WEBHOOK_BYTES = 256 * 1024;

export interface WebhookRouteDeps extends HandleEventDeps {
  readonly verify: (
    rawBody: Buffer,
    signatureHeader: string | undefined,
    receivedAtMs: number,
  ) => VerifyResult;
  readonly now?: () => number;
  /** Answer (503, so Stripe retries) if processing has not finished by then. */
  readonly deadlineMs?: number;
}

/**
 * `POST /stripe/webhook`: verify the signature over the raw body, then process the event exactly
 * once. 400 for a bad signature (nothing processed), 2xx for processed, duplicate or ignored events,
 * 409 while another delivery holds the event, 5xx when Stripe must redeliver.
 */
export function createStripeWebhookRoute(deps: WebhookRouteDeps): ApiHandler {
  return createRoute({
    name: 'stripe-webhook',
    methods: ['POST'],
    allowedOrigins: null,
    telemetry: deps.telemetry,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.deadlineMs ? { deadlineMs: deps.deadlineMs } : {}),
    // An event not processed in time is a failed delivery too (Stripe redelivers it).
    onDeadline: () => deps.telemetry.metrics.count('WebhookFailed'),
    async handle({ event, receivedAt }) {
      const raw = rawBodyOf(event);
      if (raw.length > MAX_WEBHOOK_BYTES) {
        throw new HttpError(413, 'payload_too_large', 'The event is too large.');
      }
      const verified = deps.verify(raw, headerOf(event, 'stripe-signature'), receivedAt);
      if (!verified.ok && verified.reason === 'malformed_event') {
        deps.telemetry.log.warn('signed webhook body is not a Stripe event this endpoint processes');
        throw httpErrors.validation([{ message: verified.problem }]);
      }
      if (!verified.ok) {
        deps.telemetry.metrics.count('WebhookSignatureInvalid');
        deps.telemetry.log.warn('webhook signature refused', { reason: verified.reason });
        throw new HttpError(
          400,
          'invalid_signature',
          'The Stripe-Signature header does not verify for this body.',
        );
      }
      let outcome: Awaited<ReturnType<typeof handleStripeEvent>>;
      try {
        outcome = await handleStripeEvent(deps, verified.event, Math.floor(receivedAt / 1000));
      } catch (err: unknown) {
        deps.telemetry.metrics.count('WebhookFailed');
        throw err;
      }
      if (outcome.result === 'in_progress') {
        throw new HttpError(409, 'event_in_progress', 'This event is being processed; retry later.');
      }
      return { statusCode: 200, body: { received: true, result: outcome.result } };
    },
  });
}
