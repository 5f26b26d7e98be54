import type Stripe from 'stripe';
import * as v from 'valibot';
import type { PaymentEventFact } from '../../app/order-life-ports';
import { isPaymentEvent } from '../../app/stripe-events';

/**
 * The charge, refund and dispute objects of the money events, read into the project's facts.
 * Checked field by field (ids shaped like Stripe's, amounts whole and non-negative): an authentic
 * event whose object does not read is refused before any key is built from it.
 */

const PAYMENT_INTENT_ID = /^pi_[A-Za-z0-9_]{1,250}$/;
const CHARGE_ID = /^(ch|py)_[A-Za-z0-9_]{1,250}$/;
const REFUND_ID = /^(re|pyr)_[A-Za-z0-9_]{1,250}$/;
const DISPUTE_ID = /^(dp|du)_[A-Za-z0-9_]{1,250}$/;

const Amount = v.pipe(v.number(), v.integer(), v.minValue(0));
const Time = v.pipe(v.number(), v.integer(), v.minValue(0));
const Currency = v.pipe(v.string(), v.regex(/^[a-z]{3}$/));
const Status = v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/));
/** Stripe sends an id, or the object when expanded. */
const IdOf = (pattern: RegExp) =>
  v.nullish(
    v.union([
      v.pipe(v.string(), v.regex(pattern)),
      v.pipe(
        v.looseObject({ id: v.string() }),
        v.transform((o) => o.id),
        v.string(),
        v.regex(pattern),
      ),
    ]),
    null,
  );

const ChargeSchema = v.looseObject({
  id: v.pipe(v.string(), v.regex(CHARGE_ID)),
  amount: Amount,
  amount_refunded: Amount,
  currency: Currency,
  payment_intent: IdOf(PAYMENT_INTENT_ID),
});

const RefundSchema = v.looseObject({
  id: v.pipe(v.string(), v.regex(REFUND_ID)),
  amount: Amount,
  currency: Currency,
  status: v.nullish(Status, 'pending'),
  created: Time,
  payment_intent: IdOf(PAYMENT_INTENT_ID),
});

const DisputeSchema = v.looseObject({
  id: v.pipe(v.string(), v.regex(DISPUTE_ID)),
  amount: Amount,
  currency: Currency,
  status: Status,
  reason: v.nullish(v.pipe(v.string(), v.maxLength(100)), null),
  evidence_details: v.nullish(v.looseObject({ due_by: v.nullish(Time, null) }), null),
  payment_intent: IdOf(PAYMENT_INTENT_ID),
});

/**
 * The money fact of one of {@link PAYMENT_EVENTS}; `null` for other event types; `'malformed'`
 * when the object does not read as the charge, refund or dispute the type promises.
 */
export function paymentFactOf(event: Stripe.Event): PaymentEventFact | null | 'malformed' {
  const type = event.type;
  if (!isPaymentEvent(type)) return null;
  const object: unknown = event.data?.object;
  const at = event.created;
  if (type === 'charge.refunded') {
    const parsed = v.safeParse(ChargeSchema, object);
    if (!parsed.success) return 'malformed';
    const charge = parsed.output;
    return {
      paymentIntentId: charge.payment_intent,
      fact: {
        kind: 'charge',
        chargeId: charge.id,
        amount: charge.amount,
        amountRefunded: charge.amount_refunded,
        currency: charge.currency,
        at,
      },
    };
  }
  if (type.startsWith('refund.')) {
    const parsed = v.safeParse(RefundSchema, object);
    if (!parsed.success) return 'malformed';
    const refund = parsed.output;
    return {
      paymentIntentId: refund.payment_intent,
      fact: {
        kind: 'refund',
        refundId: refund.id,
        amount: refund.amount,
        currency: refund.currency,
        status: refund.status,
        created: refund.created,
        at,
      },
    };
  }
  const parsed = v.safeParse(DisputeSchema, object);
  if (!parsed.success) return 'malformed';
  const dispute = parsed.output;
  return {
    paymentIntentId: dispute.payment_intent,
    fact: {
      kind: 'dispute',
      disputeId: dispute.id,
      amount: dispute.amount,
      currency: dispute.currency,
      status: dispute.status,
      reason: dispute.reason,
      evidenceDueBy: dispute.evidence_details?.due_by ?? null,
      at,
    },
  };
}
