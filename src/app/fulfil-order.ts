import { allInOrder } from './all-in-order';
import { notifyOrderOnce } from './notify-order';
import { linkOrderPayment, type PaymentEventDeps } from './payment-events';
import type {
  CallOptions,
  CheckoutGateway,
  CheckoutSessionView,
  FulfilmentStore,
  Notifier,
  OrderRecord,
  SessionRecord,
  SessionStore,
  StockStore,
} from './ports';
import { sellSessionHold } from './stock-holds';
import type { Telemetry } from './telemetry';

export interface FulfilDeps extends PaymentEventDeps {
  readonly sessions: SessionStore;
  readonly fulfilment: FulfilmentStore;
  readonly gateway: CheckoutGateway;
  readonly notifier: Notifier;
  readonly stock: StockStore;
  readonly telemetry: Telemetry;
  /** Limits of each Stripe call (the webhook must answer within 10 s). */
  readonly stripeCall: CallOptions;
}

export type FulfilOutcome = 'fulfilled' | 'not_paid' | 'unknown_session';

const PAID = new Set(['paid', 'no_payment_required']);

/**
 * Fulfils a paid Checkout Session, once, whoever calls first — the webhook or the success page.
 * Each step is idempotent and recorded, so a retry after a failure redoes only what is missing:
 * mark the session paid (keeping the first `paidAt`); then, together, write the order item
 * (conditional put) and mirror the status on the slot before notifying the operator (claimed with a
 * lease, then marked; a failed notification is left to the retry and never fails fulfilment), and
 * delete the coupon.
 */
export async function fulfilSession(
  deps: FulfilDeps,
  session: CheckoutSessionView,
  now: number,
): Promise<FulfilOutcome> {
  if (!PAID.has(session.paymentStatus)) return 'not_paid';
  const paid = await deps.fulfilment.markPaid(session.id, {
    paidAt: now,
    paymentStatus: session.paymentStatus,
    customerEmail: session.customerEmail,
    customerName: session.customerName,
    shippingAddress: session.shippingAddress,
    amountShipping: session.amountShipping,
    amountTax: session.amountTax,
    amountTotal: session.amountTotal,
  });
  if (!paid) return 'unknown_session';
  const { record } = paid;

  // The held units become sold before the order is written, so the order says if any were short.
  const short = await sellSessionHold(deps, record, now);
  const order = orderOf(record, session, paid.paidAt, short);
  // Once the session is marked paid, the order's records and notification and the coupon's release
  // do not wait on each other; every step still finishes before the outcome (or first failure).
  await allInOrder([
    recordAndNotify(deps, record, session, order, paid.notified, now),
    releaseCoupon(deps, record, now),
  ]);
  return 'fulfilled';
}

/** Writes the order and the slot's status, then notifies the operator unless that is done. */
async function recordAndNotify(
  deps: FulfilDeps,
  record: SessionRecord,
  session: CheckoutSessionView,
  order: OrderRecord,
  notified: boolean,
  now: number,
): Promise<void> {
  const [written] = await allInOrder([
    deps.fulfilment.writeOrder(order),
    deps.fulfilment.setSlotStatus(record.slotId, record.sessionId, 'complete'),
  ]);
  // Money facts that came before the order (a Dashboard refund) are applied now; idempotent.
  await linkOrderPayment(deps, order, now);
  if (written) {
    // Once per order, by whoever wrote it.
    if (order.problems.includes('amount_mismatch')) reportAmountMismatch(deps, record, session);
    if (order.problems.includes('short_stock')) {
      deps.telemetry.metrics.count('OrderStockShort');
      deps.telemetry.log.error('paid order has items short of stock; check before shipping', {
        sessionId: record.sessionId,
        skus: order.shortSkus,
      });
    }
    deps.telemetry.metrics.count('OrderFulfilled');
    deps.telemetry.log.info('order paid', {
      sessionId: record.sessionId,
      amountTotal: order.amountTotal,
      currency: order.currency,
    });
  }
  if (notified) return;
  // The order is recorded: whatever the notifier does now, fulfilment is done (the retry owes it).
  await notifyOrderOnce(deps, order, now);
}

/** Deletes the session's one-time coupon at Stripe (a missing one is fine) and drops its ownership. */
export async function releaseCoupon(
  deps: Pick<FulfilDeps, 'gateway' | 'fulfilment' | 'stripeCall'>,
  record: SessionRecord,
  now: number,
): Promise<void> {
  if (!record.couponId) return;
  await deps.gateway.deleteCoupon(record.couponId, deps.stripeCall);
  await deps.fulfilment.releaseCoupon(record.couponId, record.sessionId, now);
}

/**
 * Stripe charged another amount (for the items: the total less shipping and tax) or another currency
 * than the session was made for. The order stands — the money was taken — but never silently: the
 * order is flagged, and its writer logs an ERROR and counts a metric (which has an alarm).
 */
function chargedAsRecorded(record: SessionRecord, session: CheckoutSessionView): boolean {
  if (session.amountTotal === null) return true;
  const chargedItems = session.amountTotal - session.amountShipping - session.amountTax;
  return chargedItems === record.amountTotal && (session.currency ?? record.currency) === record.currency;
}

function reportAmountMismatch(deps: FulfilDeps, record: SessionRecord, session: CheckoutSessionView) {
  deps.telemetry.metrics.count('OrderAmountMismatch');
  deps.telemetry.log.error('paid amount differs from the quote; check before shipping', {
    sessionId: record.sessionId,
    expected: record.amountTotal,
    expectedCurrency: record.currency,
    charged:
      session.amountTotal === null ? null : session.amountTotal - session.amountShipping - session.amountTax,
    chargedCurrency: session.currency,
  });
}

function orderOf(
  record: SessionRecord,
  session: CheckoutSessionView,
  paidAt: number,
  short: readonly string[],
): OrderRecord {
  return {
    sessionId: record.sessionId,
    paidAt: new Date(paidAt * 1000).toISOString(),
    paymentStatus: session.paymentStatus,
    currency: record.currency,
    amountSubtotal: record.amountSubtotal,
    amountDiscount: record.amountDiscount,
    amountShipping: session.amountShipping,
    amountTax: session.amountTax,
    amountTotal: session.amountTotal ?? record.amountTotal,
    lines: record.lines,
    customerEmail: session.customerEmail,
    customerName: session.customerName,
    shippingAddress: session.shippingAddress,
    discountMode: record.discountMode,
    problems: [
      ...(chargedAsRecorded(record, session) ? [] : (['amount_mismatch'] as const)),
      ...(short.length > 0 ? (['short_stock'] as const) : []),
    ],
    ...(short.length > 0 ? { shortSkus: [...short] } : {}),
    paymentIntentId: session.paymentIntentId,
  };
}
