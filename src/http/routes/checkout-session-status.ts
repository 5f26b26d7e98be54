import { allInOrder } from '../../app/all-in-order';
import { type FulfilDeps, fulfilSession } from '../../app/fulfil-order';
import type { RateLimiter, RateLimits } from '../../app/ports';
import { enforceRateLimit } from '../../app/rate-limit';
import { HttpError, httpErrors } from '../http-error';
import { type ApiHandler, createRoute } from '../route';

const SESSION_ID_PATTERN = /^cs_(test|live)_[A-Za-z0-9]{8,200}$/;

export interface SessionStatusRouteDeps extends FulfilDeps {
  readonly limiter: RateLimiter;
  readonly rateLimits: RateLimits;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly clientKeyOf: (ip: string) => string;
  readonly now?: () => number;
}

/**
 * `GET /checkout/session-status?session_id=`: what a success page shows. Runs the same idempotent
 * fulfilment as the webhook when Stripe says the session is paid, so the order exists even if the
 * webhook is late. Answers nothing personal.
 */
export function createSessionStatusRoute(deps: SessionStatusRouteDeps): ApiHandler {
  return createRoute({
    name: 'checkout-session-status',
    methods: ['GET'],
    allowedOrigins: deps.allowedOrigins,
    telemetry: deps.telemetry,
    ...(deps.now ? { now: deps.now } : {}),
    async handle({ event, clientIp, receivedAt }) {
      const sessionId = event.queryStringParameters?.session_id ?? '';
      if (!SESSION_ID_PATTERN.test(sessionId)) {
        throw httpErrors.validation([
          { path: 'session_id', message: 'session_id must be a Checkout Session id' },
        ]);
      }
      const now = Math.floor(receivedAt / 1000);
      // The session read runs alongside the rate-limit count: one round trip to the table, not two.
      const [, record] = await allInOrder([
        enforceRateLimit(deps, {
          scope: 'session-status',
          key: deps.clientKeyOf(clientIp),
          limits: deps.rateLimits,
          now,
        }),
        deps.sessions.getSession(sessionId),
      ]);
      const session = record ? await deps.gateway.retrieveSession(sessionId, deps.stripeCall) : null;
      if (!record || !session) throw new HttpError(404, 'not_found', 'No such checkout session.');
      // A success page shown again after fulfilment has nothing left to do: no writes, no coupon call.
      if (session.status === 'complete' && !record.fulfilled) await fulfilSession(deps, session, now);
      // Stripe keeps saying `complete`/`unpaid` after an async payment failed; the table knows it failed.
      const failed = record.status === 'payment_failed';
      return {
        statusCode: 200,
        body: {
          status: session.status,
          paymentStatus: failed ? 'failed' : session.paymentStatus,
          amountTotal: session.amountTotal,
          currency: session.currency,
        },
      };
    },
  });
}
