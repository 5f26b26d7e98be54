import { allInOrder } from './all-in-order';
import { type FulfilDeps, fulfilSession } from './fulfil-order';
import type { RateLimiter, RateLimits } from './ports';
import { enforceRateLimit } from './rate-limit';

export interface SessionStatusDeps extends FulfilDeps {
  readonly limiter: RateLimiter;
  readonly rateLimits: RateLimits;
}

/** What a success page is told: nothing personal. */
export interface SessionStatus {
  /** Stripe's: `open`, `complete`, `expired`. */
  readonly status: string | null;
  /**
   * `paid`, `no_payment_required`, `unpaid` (a bank transfer on its way), or `failed` (it did not go
   * through: Stripe keeps saying `unpaid`, the table knows better).
   */
  readonly paymentStatus: string;
  readonly amountTotal: number | null;
  readonly currency: string | null;
}

/** The session is not one this system made (or Stripe does not know it). */
export class UnknownSessionError extends Error {
  override readonly name = 'UnknownSessionError';
  readonly code = 'not_found';
  constructor() {
    super('No such checkout session.');
  }
}

/**
 * What the success page shows for a Checkout Session. When Stripe says it is complete and the table
 * does not yet record every fulfilment step, it runs the same idempotent fulfilment as the webhook,
 * so the order exists even if the webhook is late; once fulfilled, it writes nothing.
 */
export async function readSessionStatus(
  deps: SessionStatusDeps,
  request: { readonly sessionId: string; readonly clientKey: string; readonly now: number },
): Promise<SessionStatus> {
  const { sessionId, now } = request;
  // The session read runs alongside the rate-limit count: one round trip to the table, not two.
  const [, record] = await allInOrder([
    enforceRateLimit(deps, { scope: 'session-status', key: request.clientKey, limits: deps.rateLimits, now }),
    deps.sessions.getSession(sessionId),
  ]);
  const session = record ? await deps.gateway.retrieveSession(sessionId, deps.stripeCall) : null;
  if (!record || !session) throw new UnknownSessionError();
  if (session.status === 'complete' && !record.fulfilled) await fulfilSession(deps, session, now);
  return {
    status: session.status,
    paymentStatus: record.status === 'payment_failed' ? 'failed' : session.paymentStatus,
    amountTotal: session.amountTotal,
    currency: session.currency,
  };
}
