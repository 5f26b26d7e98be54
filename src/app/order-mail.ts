import { carrierTrackingUrl } from '../domain/shipping';
import type { OrderLifeStore, OrderMail, OrderMailKind, OrderRef } from './order-life-ports';
import { describeError, type Telemetry } from './telemetry';

export interface OrderMailDeps {
  readonly orders: OrderLifeStore;
  readonly mail: OrderMail;
  readonly telemetry: Telemetry;
}

/** What one attempt to send an order's owed mail of a kind came to. */
export type MailOutcome =
  /** Everything owed was sent now. */
  | 'sent'
  /** Nothing was owed (sent before, or never needed). */
  | 'nothing_owed'
  /** Another caller holds the lease and is sending it (or died holding it: the retry finds it). */
  | 'held'
  /** The mailer failed: counted, logged, and left for the scheduled retry. */
  | 'failed';

/** Rounds of claim → send → release in one call: a change recorded while sending is sent too. */
const MAX_ROUNDS = 3;

/**
 * Sends what an order owes of one kind of mail, each message once: the operator's "do not ship"
 * for every alerting payment change not yet sent, or the customer's "shipped" for the latest
 * shipment. A lease on the order keeps two callers from sending at once; each message is marked
 * sent right after it went, so a message is repeated only if a process dies between the two. A
 * failing mailer never fails the caller: it is counted (`NotificationFailed`, alarmed) and the
 * scheduled retry sends it later (the caller noted the debt with `oweMail` before creating it).
 */
export async function sendOwedMail(
  deps: OrderMailDeps,
  ref: OrderRef,
  kind: OrderMailKind,
  now: number,
): Promise<MailOutcome> {
  let outcome: MailOutcome = 'nothing_owed';
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const claim = await deps.orders.claimMail(ref, kind, now);
    if (claim === 'nothing_owed') return outcome;
    if (claim === 'held') return outcome === 'sent' ? 'sent' : 'held';
    try {
      await sendUnderLease(deps, ref, kind);
    } catch (err: unknown) {
      deps.telemetry.metrics.count('NotificationFailed');
      deps.telemetry.log.error('order mail failed; it is retried on schedule', {
        sessionId: ref.sessionId,
        kind,
        error: describeError(err),
      });
      await deps.orders.releaseMail(ref, kind, now);
      return 'failed';
    }
    await deps.orders.releaseMail(ref, kind, null);
    outcome = 'sent';
  }
  return outcome;
}

async function sendUnderLease(deps: OrderMailDeps, ref: OrderRef, kind: OrderMailKind): Promise<void> {
  const life = await deps.orders.getOrder(ref);
  if (!life) return;
  if (kind === 'alert') {
    if (!life.payment) return;
    for (const change of life.history) {
      if (!change.alert || change.seq <= life.alertedSeq) continue;
      await deps.mail.sendDoNotShip({ order: life.order, change, payment: life.payment });
      await deps.orders.markMailed(ref, 'alert', change.seq);
      deps.telemetry.log.info('do-not-ship alert sent', { sessionId: ref.sessionId, seq: change.seq });
    }
    return;
  }
  const shipment = life.shipment;
  if (!shipment || shipment.version <= life.shipMailedVersion) return;
  if (life.order.customerEmail) {
    await deps.mail.sendShipped({
      order: life.order,
      shipment,
      trackingUrl: carrierTrackingUrl(shipment.carrier, shipment.tracking),
    });
    deps.telemetry.log.info('shipping confirmation sent', {
      sessionId: ref.sessionId,
      version: shipment.version,
    });
  } else {
    deps.telemetry.log.warn('order has no customer email; no shipping confirmation sent', {
      sessionId: ref.sessionId,
    });
  }
  await deps.orders.markMailed(ref, 'shipped', shipment.version);
}

export interface MailRetrySummary {
  readonly owed: number;
  readonly sent: number;
  readonly failed: number;
}

/** A run stops claiming once less time than this is left (one send with its retry, and the marks). */
const RETRY_RESERVE_MS = 5_000;

/**
 * Sends every owed order mail (the debts noted with `oweMail`), oldest first; run on the schedule of
 * the notification retry. A debt found paid (nothing owed) is cleared — only if nobody noted it
 * again meanwhile.
 */
export async function retryOwedMail(
  deps: OrderMailDeps,
  now: number,
  timeLeftMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<MailRetrySummary> {
  const owed = await deps.orders.listOwedMail();
  let sent = 0;
  let failed = 0;
  for (const debt of owed) {
    if (timeLeftMs() < RETRY_RESERVE_MS) break;
    try {
      const outcome = await sendOwedMail(deps, debt.ref, debt.kind, now);
      if (outcome === 'sent') sent += 1;
      if (outcome === 'failed') failed += 1;
      if (outcome === 'sent' || outcome === 'nothing_owed') {
        await deps.orders.clearOwedMail(debt.ref, debt.kind, debt.count);
      }
    } catch (err: unknown) {
      failed += 1;
      deps.telemetry.log.error('owed order mail retry failed', {
        sessionId: debt.ref.sessionId,
        kind: debt.kind,
        error: describeError(err),
      });
    }
  }
  if (owed.length > 0)
    deps.telemetry.log.info('owed order mail retried', { owed: owed.length, sent, failed });
  return { owed: owed.length, sent, failed };
}
