import { DAY_SECONDS, utcDayOf } from '../domain/time';
import type { FulfilmentStore, Notifier, OrderRecord } from './ports';
import { describeError, type Telemetry } from './telemetry';

export interface NotifyDeps {
  readonly fulfilment: FulfilmentStore;
  readonly notifier: Notifier;
  readonly telemetry: Telemetry;
}

/** What one attempt to tell the operator about an order came to. */
export type NotifyOutcome =
  /** Sent now, and marked sent. */
  | 'sent'
  /** Sent before (by this caller or another). */
  | 'done_before'
  /** Another caller is sending it right now (or died holding its lease: the retry finds it later). */
  | 'held'
  /** The notifier failed: counted, logged, and left for the retry. */
  | 'failed';

/**
 * Tells the operator about a recorded order, once. The order and its payment are facts; the e-mail is
 * a side effect, so a failing notifier never fails the caller (the webhook acknowledges the event,
 * the success page answers): the failure is counted (`NotificationFailed`, alarmed) and the order
 * stays unnotified, which {@link retryPendingNotifications} finds. A lease on the session keeps two
 * callers from sending at once; a notification is sent twice only if a process dies between the
 * send and its mark.
 */
export async function notifyOrderOnce(
  deps: NotifyDeps,
  order: OrderRecord,
  now: number,
): Promise<NotifyOutcome> {
  const claim = await deps.fulfilment.claimNotification(order.sessionId, now);
  if (claim === 'held') return 'held';
  if (claim === 'notified') {
    // Sent before; make sure the order item says so too (orders written before it carried the mark).
    await deps.fulfilment.markNotified(order.sessionId, order.paidAt, now);
    return 'done_before';
  }
  try {
    await deps.notifier.notifyOrder(order);
  } catch (err: unknown) {
    deps.telemetry.metrics.count('NotificationFailed');
    deps.telemetry.log.error('order notification failed; the order stands and the notification is retried', {
      sessionId: order.sessionId,
      error: describeError(err),
    });
    await deps.fulfilment.releaseNotification(order.sessionId, now);
    return 'failed';
  }
  await deps.fulfilment.markNotified(order.sessionId, order.paidAt, now);
  return 'sent';
}

/**
 * How far back the retry looks. Stripe retries an event for three days; an e-mail outage (an SES
 * identity not verified yet, a weekend) may last longer, and every run's failures are counted and
 * alarmed, so owed notifications are kept for a week.
 */
const RETRY_LOOKBACK_DAYS = 7;
/** A younger order may be in the middle of its first attempt; its lease would refuse us anyway. */
const RETRY_MIN_AGE_SECONDS = 60;
/** A run stops claiming once less time than this is left (one send with its retry, and the mark). */
const RETRY_RESERVE_MS = 5_000;

export interface RetrySummary {
  readonly pending: number;
  readonly sent: number;
  readonly failed: number;
  /** Order items that could not be read back (logged with their keys; the operator must look). */
  readonly unreadable: number;
}

/**
 * Sends the notifications that are still owed: orders of the last week whose notification failed,
 * or whose sender died — oldest first, so none ages out behind newer ones. Run on a schedule (every
 * five minutes in AWS, every 30 s locally); safe to run concurrently with itself and with the webhook
 * (each send is claimed). `timeLeftMs` (the Lambda's remaining time) stops it claiming more than it
 * can finish: what is left waits for the next run.
 */
export async function retryPendingNotifications(
  deps: NotifyDeps,
  now: number,
  timeLeftMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<RetrySummary> {
  const days = Array.from({ length: RETRY_LOOKBACK_DAYS }, (_, i) =>
    utcDayOf(now - (RETRY_LOOKBACK_DAYS - 1 - i) * DAY_SECONDS),
  );
  const listed = await Promise.all(days.map((day) => deps.fulfilment.listUnnotifiedOrders(day)));
  const unreadable = listed.flatMap((day) => day.unreadable);
  for (const key of unreadable) {
    deps.telemetry.metrics.count('NotificationFailed');
    deps.telemetry.log.error('an order item cannot be read back; its notification cannot be sent', { key });
  }
  const owed = listed
    .flatMap((day) => day.orders)
    .filter((order) => Date.parse(order.paidAt) / 1000 <= now - RETRY_MIN_AGE_SECONDS);
  let sent = 0;
  let failed = 0;
  for (const order of owed) {
    if (timeLeftMs() < RETRY_RESERVE_MS) break;
    try {
      const outcome = await notifyOrderOnce(deps, order, now);
      if (outcome === 'sent') sent += 1;
      if (outcome === 'failed') failed += 1;
    } catch (err: unknown) {
      // The table failed for this one: the next run tries it again; the others go on.
      failed += 1;
      deps.telemetry.log.error('order notification retry failed', {
        sessionId: order.sessionId,
        error: describeError(err),
      });
    }
  }
  if (owed.length > 0 || unreadable.length > 0) {
    deps.telemetry.log.info('owed order notifications retried', {
      pending: owed.length,
      sent,
      failed,
      unreadable: unreadable.length,
    });
  }
  return { pending: owed.length, sent, failed, unreadable: unreadable.length };
}
