import { readSessionStatus, type SessionStatusDeps } from '../../app/session-status';
import { httpErrors } from '../http-error';
import { type ApiHandler, createRoute } from '../route';

const SESSION_ID_PATTERN = /^cs_(test|live)_[A-Za-z0-9]{8,200}$/;

export interface SessionStatusRouteDeps extends SessionStatusDeps {
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
      return {
        statusCode: 200,
        body: await readSessionStatus(deps, {
          sessionId,
          clientKey: deps.clientKeyOf(clientIp),
          now: Math.floor(receivedAt / 1000),
        }),
      };
    },
  });
}
