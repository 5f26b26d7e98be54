import { DO_NOT_SHIP_STATES, type PaymentState } from '../domain/payment-state';
import type { OrderLife, OrderLifeStore, RefundGateway, RefundReason, ShipOutcome } from './order-life-ports';
import { type MailOutcome, type OrderMailDeps, sendOwedMail } from './order-mail';
import { orderRefOf } from './payment-events';
import type { OrderProblem } from './ports';

/** An order's payment state: `paid` until Stripe said otherwise. */
export function paymentStateOf(life: OrderLife): PaymentState {
  return life.payment?.state ?? 'paid';
}

/** What the operator must look at before packing an order. */
export type OrderLifeProblem = OrderProblem | 'partially_refunded' | 'refunded' | 'disputed' | 'dispute_lost';

/** The order's problems: how it was charged, and what happened to the money since. */
export function problemsOf(life: OrderLife): OrderLifeProblem[] {
  const state = paymentStateOf(life);
  const money: OrderLifeProblem[] =
    state === 'partially_refunded' || state === 'refunded' || state === 'disputed' || state === 'dispute_lost'
      ? [state]
      : [];
  return [...life.order.problems, ...money];
}

/** Which orders a list shows. */
export type OrderFilter = 'queue' | 'shipped' | 'refunded' | 'disputed' | 'all';
export const ORDER_FILTERS: readonly OrderFilter[] = ['queue', 'shipped', 'refunded', 'disputed', 'all'];

/**
 * Whether an order belongs in a list: the packing queue (the default) is what is left to pack —
 * not shipped, and paid (a partial refund stays, with its problem named; a full refund, an open or
 * lost dispute leave it); `refunded` is any refund, `disputed` any dispute.
 */
export function matchesFilter(life: OrderLife, filter: OrderFilter): boolean {
  const state = paymentStateOf(life);
  switch (filter) {
    case 'queue':
      return (
        life.shipment === null &&
        (state === 'paid' || state === 'partially_refunded' || state === 'dispute_won')
      );
    case 'shipped':
      return life.shipment !== null;
    case 'refunded':
      return (
        state === 'refunded' || state === 'partially_refunded' || (life.payment?.amountRefunded ?? 0) > 0
      );
    case 'disputed':
      // Any dispute, whatever its end: a won one may leave the state to a refund made before it.
      return (life.payment?.dispute ?? null) !== null || state === 'disputed' || state === 'dispute_lost';
    case 'all':
      return true;
  }
}

export interface ShipDeps extends OrderMailDeps {
  readonly orders: OrderLifeStore;
}

export type ShipResult =
  | { readonly result: 'not_found' }
  | (Extract<ShipOutcome, { result: 'refused' }> & { readonly life: OrderLife })
  | (Extract<ShipOutcome, { result: 'shipped' | 'updated' | 'unchanged' }> & {
      readonly previous: OrderLife['shipment'];
      readonly mail: MailOutcome;
      readonly customerEmail: string | null;
    });

/**
 * Marks an order shipped (idempotent: the same carrier and tracking again changes nothing; other
 * ones update it) and sends the customer one shipping confirmation per shipment version. Refused
 * while the payment is refunded or disputed unless `force`.
 */
export async function shipOrder(
  deps: ShipDeps,
  sessionId: string,
  input: { readonly carrier: string | null; readonly tracking: string | null; readonly force: boolean },
  now: number,
): Promise<ShipResult> {
  const life = await deps.orders.findOrder(sessionId);
  if (!life) return { result: 'not_found' };
  const ref = orderRefOf(life.order);
  if (!input.force && DO_NOT_SHIP_STATES.has(paymentStateOf(life))) {
    return { result: 'refused', state: paymentStateOf(life), life };
  }
  const shipment = life.shipment;
  // A correction that names only the carrier or only the tracking keeps the other as it was.
  const given =
    shipment !== null && (input.carrier === null) !== (input.tracking === null)
      ? { carrier: input.carrier ?? shipment.carrier, tracking: input.tracking ?? shipment.tracking }
      : { carrier: input.carrier, tracking: input.tracking };
  const changes =
    shipment === null ||
    ((given.carrier !== null || given.tracking !== null) &&
      (shipment.carrier !== given.carrier || shipment.tracking !== given.tracking));
  if (changes) await deps.orders.oweMail(ref, 'shipped', now);
  const outcome = await deps.orders.markShipped(ref, given, { force: input.force, now });
  if (outcome.result === 'refused') {
    const latest = (await deps.orders.getOrder(ref)) ?? life;
    return { ...outcome, life: latest };
  }
  const mail = await sendOwedMail(deps, ref, 'shipped', now);
  return { ...outcome, previous: shipment, mail, customerEmail: life.order.customerEmail };
}

export interface RefundDeps {
  readonly orders: OrderLifeStore;
  readonly refunds: RefundGateway;
}

/** The amount a refund may take now: the charge less what Stripe has refunded so far. */
export function refundableOf(life: OrderLife): number {
  return Math.max(0, life.order.amountTotal - (life.payment?.amountRefunded ?? 0));
}

/** A refund the operator is about to make, before confirming it. */
export interface RefundPlan {
  readonly life: OrderLife;
  readonly paymentIntentId: string;
  readonly amount: number;
  readonly refundable: number;
  /**
   * Stripe's idempotency key: the session, the amount and what was refunded so far. A retried
   * command (a timeout, a second run before the webhook recorded the first) reuses it and never
   * refunds twice; once the webhook has recorded a refund, a new one gets a new key.
   */
  readonly idempotencyKey: string;
}

export class RefundRefusedError extends Error {
  override readonly name = 'RefundRefusedError';
  constructor(
    readonly code: 'not_found' | 'nothing_to_refund' | 'amount_too_large' | 'no_payment',
    message: string,
  ) {
    super(message);
  }
}

/** Checks a refund of `amount` (the whole remainder when `null`) of the session's order. */
export async function planRefund(
  deps: RefundDeps,
  sessionId: string,
  amount: number | null,
): Promise<RefundPlan> {
  const life = await deps.orders.findOrder(sessionId);
  if (!life) throw new RefundRefusedError('not_found', `No paid order for session ${sessionId}.`);
  const refundable = refundableOf(life);
  if (refundable === 0) {
    throw new RefundRefusedError('nothing_to_refund', `Order ${sessionId} is refunded in full already.`);
  }
  const wanted = amount ?? refundable;
  if (wanted > refundable) {
    throw new RefundRefusedError(
      'amount_too_large',
      `At most ${refundable} (minor units) of order ${sessionId} can still be refunded; ${wanted} was asked.`,
    );
  }
  const paymentIntentId =
    life.order.paymentIntentId ?? (await deps.refunds.paymentIntentOfSession(sessionId));
  if (!paymentIntentId) {
    throw new RefundRefusedError('no_payment', `Stripe names no payment for session ${sessionId}.`);
  }
  const refunded = life.payment?.amountRefunded ?? 0;
  return {
    life,
    paymentIntentId,
    amount: wanted,
    refundable,
    idempotencyKey: `refund-${sessionId}-${wanted}-after-${refunded}`,
  };
}

/** Asks Stripe for the planned refund; the webhook records it on the order when Stripe reports it. */
export async function executeRefund(
  deps: RefundDeps,
  plan: RefundPlan,
  reason: RefundReason | null,
): Promise<{ readonly id: string; readonly status: string; readonly amount: number }> {
  return deps.refunds.createRefund(
    {
      paymentIntentId: plan.paymentIntentId,
      amount: plan.amount,
      reason,
      metadata: { sessionId: plan.life.order.sessionId, source: 'orders-cli' },
    },
    { idempotencyKey: plan.idempotencyKey },
  );
}
