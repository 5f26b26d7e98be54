import { allInOrder } from './all-in-order';
import { type FulfilDeps, fulfilSession, releaseCoupon } from './fulfil-order';
import { applyPaymentEvent } from './payment-events';
import type { EventLedger, SessionRecord, VerifiedEvent } from './ports';
import { releaseSessionHold } from './stock-holds';
import { isCheckoutSessionEvent } from './stripe-events';
import { describeError } from './telemetry';

export interface HandleEventDeps extends FulfilDeps {
  readonly ledger: EventLedger;
}

/** What happened to one delivery. */
export type EventOutcome =
  | { readonly result: 'processed' | 'ignored' | 'duplicate' | 'unknown_session' }
  /** Another delivery of this event is being processed: answer non-2xx so Stripe retries later. */
  | { readonly result: 'in_progress' };

/**
 * Processes a verified Stripe event exactly once. The event marker is taken with a lease; the event
 * counts as done only when every step is done, and any failure gives the marker back (and rethrows,
 * so the webhook answers 5xx and Stripe redelivers). Steps are idempotent, so a redelivery redoes
 * only what is missing.
 */
export async function handleStripeEvent(
  deps: HandleEventDeps,
  event: VerifiedEvent,
  now: number,
): Promise<EventOutcome> {
  const { telemetry } = deps;
  telemetry.log.appendKeys({ eventId: event.id, eventType: event.type });
  try {
    if (!event.session && !event.money) {
      telemetry.log.info('event type not handled; ignored');
      return { result: 'ignored' };
    }
    const lease = await deps.ledger.begin(event, now);
    if (lease.state !== 'acquired') return { result: lease.state === 'done' ? 'duplicate' : 'in_progress' };
    let result: 'processed' | 'ignored' | 'unknown_session';
    try {
      result = await applyEvent(deps, event, now);
    } catch (err: unknown) {
      await deps.ledger.release(event.id, lease.token).catch((releaseErr: unknown) => {
        telemetry.log.error('could not release the event marker', { error: describeError(releaseErr) });
      });
      throw err;
    }
    await deps.ledger.finish(event.id, lease.token, now);
    if (result === 'unknown_session') {
      telemetry.log.warn('event for a session this system did not create; ignored', {
        sessionId: event.session?.id,
      });
    }
    return { result };
  } finally {
    telemetry.log.removeKeys(['eventId', 'eventType']);
  }
}

/** What one event changes; each of its steps is idempotent. */
async function applyEvent(
  deps: HandleEventDeps,
  event: VerifiedEvent,
  now: number,
): Promise<'processed' | 'ignored' | 'unknown_session'> {
  // Refunds and disputes (payment-events.ts): kept with their payment, applied to its order.
  if (event.money) return applyPaymentEvent(deps, event.id, event.money, now);
  const session = event.session;
  if (!session) return 'ignored';
  const type = event.type;
  if (!isCheckoutSessionEvent(type)) {
    deps.telemetry.log.info('event type not handled; ignored');
    return 'ignored';
  }
  // Exhaustive over CHECKOUT_SESSION_EVENTS: adding a type there makes this fail to compile.
  switch (type) {
    case 'checkout.session.completed':
      if (session.paymentStatus === 'unpaid') {
        return moveTo(deps, session.id, ['open'], 'awaiting_payment', now, false);
      }
      return (await fulfilSession(deps, session, now)) === 'unknown_session'
        ? 'unknown_session'
        : 'processed';
    case 'checkout.session.async_payment_succeeded':
      return (await fulfilSession(deps, session, now)) === 'unknown_session'
        ? 'unknown_session'
        : 'processed';
    case 'checkout.session.async_payment_failed':
      return moveTo(deps, session.id, ['open', 'awaiting_payment'], 'payment_failed', now, true);
    case 'checkout.session.expired':
      return moveTo(deps, session.id, ['open'], 'expired', now, true);
  }
}

/**
 * Moves a session's status (only from the listed states, so an expiry never overwrites a payment)
 * and, for endings without payment, releases the coupon and the stock hold. A repeat finds the status already moved and
 * still completes the coupon release.
 */
async function moveTo(
  deps: HandleEventDeps,
  sessionId: string,
  from: readonly SessionRecord['status'][],
  to: SessionRecord['status'],
  now: number,
  releasesCoupon: boolean,
): Promise<'processed' | 'unknown_session'> {
  const moved = await deps.fulfilment.transition(sessionId, from, to, now);
  if (moved === null) return 'unknown_session';
  const record = await deps.sessions.getSession(sessionId);
  if (!record) return 'unknown_session';
  if (record.status === to) {
    await deps.fulfilment.setSlotStatus(record.slotId, sessionId, to);
    if (releasesCoupon) {
      // Ended unpaid: its coupon and its held units go back, each once.
      await allInOrder([releaseCoupon(deps, record, now), releaseSessionHold(deps, record, now)]);
    }
  } else {
    deps.telemetry.log.info('status not changed', { sessionId, status: record.status, wanted: to });
  }
  return 'processed';
}
