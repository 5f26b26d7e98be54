import { derivePayment, isMoneyAlert, type PaymentFacts, type PaymentSummary } from '../domain/payment-state';
import type {
  OrderPayment,
  OrderRef,
  PaymentEventFact,
  PaymentHistoryEntry,
  PaymentRecord,
  PaymentStore,
} from './order-life-ports';
import { type OrderMailDeps, sendOwedMail } from './order-mail';
import type { OrderRecord } from './ports';

/** What the webhook and fulfilment need to keep an order's payment in step with Stripe. */
export interface PaymentEventDeps extends OrderMailDeps {
  readonly payments: PaymentStore;
}

/** A write lost to a concurrent one is tried again this often before the delivery fails (and is retried). */
const MAX_WRITE_RACES = 5;

/**
 * Takes in a charge, refund or dispute event: merges its object into the payment's facts
 * (`PAYMENT#<paymentIntentId>`, exactly once, whatever the order of events), then brings the paid
 * order's payment state in step and sends what the change owes the operator. An event that comes
 * before its order is written is kept with the payment and applied when fulfilment links the order,
 * so it is never lost and Stripe is not kept retrying.
 */
export async function applyPaymentEvent(
  deps: PaymentEventDeps,
  eventId: string,
  money: PaymentEventFact,
  now: number,
): Promise<'processed' | 'ignored'> {
  const { log, metrics } = deps.telemetry;
  if (!money.paymentIntentId) {
    log.info('money event names no payment intent (not a Checkout payment); ignored');
    return 'ignored';
  }
  const { record, changed, before } = await deps.payments.recordFact(
    money.paymentIntentId,
    money.fact,
    eventId,
    now,
  );
  const fact = money.fact;
  if (changed && fact.kind === 'dispute' && !before.disputes[fact.disputeId]) {
    metrics.count('PaymentDisputed');
    log.warn('payment disputed', {
      paymentIntentId: money.paymentIntentId,
      disputeId: fact.disputeId,
      status: fact.status,
      reason: fact.reason,
      evidenceDueBy: fact.evidenceDueBy,
    });
  }
  if (!record.order) {
    log.info('money event before its order; kept with the payment until the order is written', {
      paymentIntentId: money.paymentIntentId,
    });
    return 'processed';
  }
  await syncOrderPayment(deps, record, now);
  return 'processed';
}

/**
 * Links a just-written order to its payment, and applies any money facts that arrived before it
 * (a refund in the Dashboard before the completed event was processed). Idempotent.
 */
export async function linkOrderPayment(
  deps: PaymentEventDeps,
  order: Pick<OrderRecord, 'sessionId' | 'paidAt' | 'paymentIntentId'>,
  now: number,
): Promise<void> {
  if (!order.paymentIntentId) return;
  const record = await deps.payments.linkOrder(
    order.paymentIntentId,
    { sessionId: order.sessionId, paidAt: order.paidAt },
    now,
  );
  if (record.version > 0) await syncOrderPayment(deps, record, now);
}

/**
 * Writes the payment state derived from the record onto its order, once per record version: a
 * newer version always wins (the order keeps the version it reflects), so concurrent and late
 * writers converge. A change of state or refunded amount is appended to the order's history with
 * Stripe's time and event id; one that takes money from an unshipped order owes the operator a
 * "do not ship" alert, which is sent (once) before returning.
 */
export async function syncOrderPayment(
  deps: PaymentEventDeps,
  record: PaymentRecord,
  now: number,
): Promise<void> {
  const ref = record.order;
  if (!ref) return;
  for (let race = 0; race < MAX_WRITE_RACES; race += 1) {
    const life = await deps.orders.getOrder(ref);
    if (!life) {
      deps.telemetry.log.error('payment linked to an order item that is not there', {
        paymentIntentId: record.paymentIntentId,
        sessionId: ref.sessionId,
      });
      return;
    }
    const current = life.payment?.version ?? 0;
    if (current >= record.version) break;
    const summary = derivePayment(record.facts, life.order.amountTotal);
    const before: Pick<PaymentSummary, 'state' | 'amountRefunded'> = life.payment ?? {
      state: 'paid',
      amountRefunded: 0,
    };
    const changed = summary.state !== before.state || summary.amountRefunded !== before.amountRefunded;
    const entry: PaymentHistoryEntry | null = changed
      ? {
          seq: life.history.length + 1,
          state: summary.state,
          amountRefunded: summary.amountRefunded,
          at: latestFactTime(record.facts),
          eventId: record.facts.lastEventId,
          recordedAt: now,
          alert: life.shipment === null && isMoneyAlert(before, summary),
        }
      : null;
    // The debt is noted before it is created, so the scheduled retry finds it whatever happens next.
    if (entry?.alert) await deps.orders.oweMail(ref, 'alert', now);
    const payment: OrderPayment = { ...summary, version: record.version, updatedAt: now };
    if (await deps.orders.applyPayment(ref, current, payment, entry ? [...life.history, entry] : null)) {
      if (entry) {
        deps.telemetry.log.info('order payment changed', {
          sessionId: ref.sessionId,
          state: entry.state,
          amountRefunded: entry.amountRefunded,
          eventId: entry.eventId,
          alert: entry.alert,
        });
      }
      break;
    }
    if (race === MAX_WRITE_RACES - 1)
      throw new Error(`order ${ref.sessionId}: payment write kept losing races`);
  }
  await sendOwedMail(deps, ref, 'alert', now);
}

function latestFactTime(facts: PaymentFacts): number {
  return Math.max(
    facts.charge?.at ?? 0,
    ...Object.values(facts.refunds).map((r) => r.at),
    ...Object.values(facts.disputes).map((d) => d.at),
  );
}

/** The order item an order record lives at. */
export function orderRefOf(order: Pick<OrderRecord, 'sessionId' | 'paidAt'>): OrderRef {
  return { sessionId: order.sessionId, paidAt: order.paidAt };
}
