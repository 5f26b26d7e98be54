/**
 * What Stripe says about a payment after it was made — its charge, refunds and disputes — and the
 * one payment state of an order derived from it. Pure: the webhook merges each event's object into
 * the facts it holds ({@link mergeFact}) and derives the state again ({@link derivePayment}) from
 * Stripe's own amounts and statuses, never by adding up deltas, so a redelivered or late event can
 * change nothing it should not, and any delivery order ends in the same state.
 */

/** An order's payment, as the operator sees it. */
export type PaymentState =
  | 'paid'
  | 'partially_refunded'
  | 'refunded'
  | 'disputed'
  | 'dispute_won'
  | 'dispute_lost';

export const PAYMENT_STATES: readonly PaymentState[] = [
  'paid',
  'partially_refunded',
  'refunded',
  'disputed',
  'dispute_won',
  'dispute_lost',
];

/** States in which the order must not ship without a second look (`orders ship` refuses them). */
export const DO_NOT_SHIP_STATES: ReadonlySet<PaymentState> = new Set([
  'partially_refunded',
  'refunded',
  'disputed',
  'dispute_lost',
]);

/** A charge as Stripe last described it (`charge.refunded`): its amount and what is refunded of it. */
export interface ChargeFact {
  readonly kind: 'charge';
  readonly chargeId: string;
  readonly amount: number;
  readonly amountRefunded: number;
  readonly currency: string;
  /** Stripe's time of the event that carried it (epoch seconds). */
  readonly at: number;
}

/** One refund as Stripe last described it (`refund.created` / `.updated` / `.failed`). */
export interface RefundFact {
  readonly kind: 'refund';
  readonly refundId: string;
  readonly amount: number;
  readonly currency: string;
  /** `pending`, `requires_action`, `succeeded`, `failed` or `canceled`. */
  readonly status: string;
  /** When Stripe created the refund (epoch seconds). */
  readonly created: number;
  readonly at: number;
}

/** One dispute as Stripe last described it (`charge.dispute.*`). */
export interface DisputeFact {
  readonly kind: 'dispute';
  readonly disputeId: string;
  readonly amount: number;
  readonly currency: string;
  /** Stripe's dispute status: `warning_needs_response`, `needs_response`, `under_review`, `won`, `lost`… */
  readonly status: string;
  readonly reason: string | null;
  /** When the evidence is due (epoch seconds), while Stripe names a date. */
  readonly evidenceDueBy: number | null;
  readonly at: number;
}

export type PaymentFact = ChargeFact | RefundFact | DisputeFact;

/** Everything known of one payment (one PaymentIntent), newest description of each object. */
export interface PaymentFacts {
  readonly charge: ChargeFact | null;
  readonly refunds: Readonly<Record<string, RefundFact>>;
  readonly disputes: Readonly<Record<string, DisputeFact>>;
  /** The event whose fact changed these last. */
  readonly lastEventId: string | null;
}

export const NO_FACTS: PaymentFacts = { charge: null, refunds: {}, disputes: {}, lastEventId: null };

/** Later in an object's life, for two descriptions Stripe stamped with the same second. */
const REFUND_RANK: Readonly<Record<string, number>> = {
  pending: 0,
  requires_action: 1,
  succeeded: 2,
  failed: 3,
  canceled: 3,
};
const DISPUTE_RANK: Readonly<Record<string, number>> = {
  warning_needs_response: 0,
  warning_under_review: 1,
  needs_response: 2,
  under_review: 3,
  appeal_needs_response: 3,
  appeal_under_review: 3,
  warning_closed: 4,
  prevented: 4,
  won: 4,
  lost: 4,
};

/** Refund statuses whose money has left (or is leaving) the shop. */
const REFUND_COUNTS = new Set(['pending', 'requires_action', 'succeeded']);
/** Dispute statuses still open: the money is held, the outcome unknown. */
const DISPUTE_OPEN = new Set([
  'warning_needs_response',
  'warning_under_review',
  'needs_response',
  'under_review',
  'appeal_needs_response',
  'appeal_under_review',
]);

/**
 * Whether `incoming` describes its object later than `current` does: a later event time wins; at
 * the same second, the description further along the object's life (a refund's `failed` after its
 * `succeeded`; for a charge, the larger refunded amount). An equal description changes nothing.
 */
function isNewer(current: PaymentFact | undefined | null, incoming: PaymentFact): boolean {
  if (!current) return true;
  if (incoming.at !== current.at) return incoming.at > current.at;
  if (incoming.kind === 'charge' && current.kind === 'charge') {
    return incoming.amountRefunded > current.amountRefunded;
  }
  if (incoming.kind === 'refund' && current.kind === 'refund') {
    return (REFUND_RANK[incoming.status] ?? 1) > (REFUND_RANK[current.status] ?? 1);
  }
  if (incoming.kind === 'dispute' && current.kind === 'dispute') {
    return (DISPUTE_RANK[incoming.status] ?? 1) > (DISPUTE_RANK[current.status] ?? 1);
  }
  return false;
}

/**
 * The facts with `fact` taken in, or `null` when it tells nothing newer than what is held (a
 * redelivery, or an event that arrived after a later one about the same object).
 */
export function mergeFact(facts: PaymentFacts, fact: PaymentFact, eventId: string): PaymentFacts | null {
  switch (fact.kind) {
    case 'charge':
      return isNewer(facts.charge, fact) ? { ...facts, charge: fact, lastEventId: eventId } : null;
    case 'refund':
      return isNewer(facts.refunds[fact.refundId], fact)
        ? { ...facts, refunds: { ...facts.refunds, [fact.refundId]: fact }, lastEventId: eventId }
        : null;
    case 'dispute':
      return isNewer(facts.disputes[fact.disputeId], fact)
        ? { ...facts, disputes: { ...facts.disputes, [fact.disputeId]: fact }, lastEventId: eventId }
        : null;
  }
}

/** An order's payment as derived from the facts. */
export interface PaymentSummary {
  readonly state: PaymentState;
  /** What Stripe has refunded (or is refunding) of the charge, in minor units. */
  readonly amountRefunded: number;
  readonly refunds: readonly { readonly id: string; readonly amount: number; readonly status: string }[];
  /** The dispute that decides the state (an open one first), if any. */
  readonly dispute: {
    readonly id: string;
    readonly status: string;
    readonly amount: number;
    readonly reason: string | null;
    readonly evidenceDueBy: number | null;
  } | null;
}

/**
 * The refunded amount: the refunds Stripe described one by one (those not failed or canceled),
 * or the charge's own `amount_refunded` when it covers more (refunds whose events are still on
 * their way). A refund the charge's figure included but that failed after it is taken off that
 * figure, since Stripe gives a failed refund's money back to the charge.
 */
function refundedAmount(facts: PaymentFacts): number {
  const refunds = Object.values(facts.refunds);
  const counted = refunds.filter((r) => REFUND_COUNTS.has(r.status)).reduce((sum, r) => sum + r.amount, 0);
  const charge = facts.charge;
  if (!charge) return counted;
  const failedSince = refunds
    .filter((r) => !REFUND_COUNTS.has(r.status) && r.created <= charge.at && r.at >= charge.at)
    .reduce((sum, r) => sum + r.amount, 0);
  return Math.max(counted, charge.amountRefunded - failedSince);
}

/**
 * The payment state of an order that charged `amountCharged` (the charge's own amount wins when
 * known). A lost dispute outranks everything, then an open one; then refunds: `refunded` once they
 * reach the charge, `partially_refunded` before — also after a won dispute, which gives back only
 * what the dispute held, never what the shop refunded (a refunded order must not ship because a
 * dispute about it was won). A won dispute with nothing refunded is `dispute_won`. An inquiry
 * closed without a chargeback (`warning_closed`) or one prevented leaves the money with the shop and
 * does not count; a status this code does not know counts as open (the careful reading).
 */
export function derivePayment(facts: PaymentFacts, amountCharged: number): PaymentSummary {
  const amountRefunded = refundedAmount(facts);
  const disputes = Object.values(facts.disputes).sort((a, b) => a.at - b.at);
  const lost = disputes.find((d) => d.status === 'lost');
  const open = disputes.find((d) => DISPUTE_OPEN.has(d.status) || DISPUTE_RANK[d.status] === undefined);
  const won = disputes.find((d) => d.status === 'won');
  const deciding = lost ?? open ?? won ?? disputes.at(-1) ?? null;
  const charged = facts.charge?.amount ?? amountCharged;
  let state: PaymentState;
  if (lost) state = 'dispute_lost';
  else if (open) state = 'disputed';
  else if (amountRefunded > 0 && amountRefunded >= charged) state = 'refunded';
  else if (amountRefunded > 0) state = 'partially_refunded';
  else if (won) state = 'dispute_won';
  else state = 'paid';
  return {
    state,
    amountRefunded,
    refunds: Object.values(facts.refunds)
      .sort((a, b) => a.created - b.created || a.refundId.localeCompare(b.refundId))
      .map((r) => ({ id: r.refundId, amount: r.amount, status: r.status })),
    dispute: deciding
      ? {
          id: deciding.disputeId,
          status: deciding.status,
          amount: deciding.amount,
          reason: deciding.reason,
          evidenceDueBy: deciding.evidenceDueBy,
        }
      : null,
  };
}

/**
 * Whether moving from `before` to `after` takes money from the shop in a way the packer must know
 * about before shipping: more refunded than before, or a dispute opened or lost.
 */
export function isMoneyAlert(
  before: Pick<PaymentSummary, 'state' | 'amountRefunded'>,
  after: Pick<PaymentSummary, 'state' | 'amountRefunded'>,
): boolean {
  if (after.state === 'disputed' || after.state === 'dispute_lost') return after.state !== before.state;
  return after.amountRefunded > before.amountRefunded;
}
