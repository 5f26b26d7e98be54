/**
 * Refunds (`POST /v1/refunds`, `GET /v1/refunds/:id`, `GET /v1/refunds`) of a paid session's charge,
 * named by its `payment_intent` or its `charge`: whole or partial, several partial ones up to the
 * charge's amount, refused as Stripe refuses them (a refunded charge, a charged-back one — a
 * chargeback open or lost —, too large an amount); listed newest first, by payment or charge.
 * Card refunds succeed at once; the control surface can make one fail later, as a closed card
 * account does. Each change emits Stripe's events: `charge.refunded` and `refund.created` on
 * creation, `refund.updated` and `refund.failed` on failure.
 */
import { type ApiRoute, type RequestInfo, route } from './api-route';
import type { ChargeStore } from './charges';
import { EmulatorError, invalidParam, resourceMissing, StripeApiError } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import { checkExpand, pageOf } from './list-and-expand';
import {
  type ChargeObject,
  type ListObject,
  type MoneyEventType,
  type RefundObject,
  snapshot,
  stripeSeconds,
} from './objects';
import { email, integer, list, metadata, object, oneOf, optional, string } from './params';
import { refundListSchema } from './schemas';

/** Parameters of Stripe's `POST /v1/refunds` that the emulator implements. */
const refundCreateSchema = object(
  {
    payment_intent: optional(string({ max: 200 })),
    charge: optional(string({ max: 200 })),
    amount: optional(integer({ min: 1, max: 99_999_999 })),
    reason: optional(oneOf(['duplicate', 'fraudulent', 'requested_by_customer'])),
    metadata: optional(metadata()),
    instructions_email: optional(email()),
    expand: optional(list(string({ max: 200 }))),
  },
  {
    unknownHint: (key) =>
      ['currency', 'customer', 'origin', 'refund_application_fee', 'reverse_transfer'].includes(key)
        ? ' (Stripe accepts it; the emulator does not implement it)'
        : '',
  },
);
const expandOnly = object({ expand: optional(list(string({ max: 200 }))) });

export interface RefundStoreOptions {
  /** Milliseconds since the epoch, like `Date.now`. */
  now: () => number;
  newId: (kind: IdKind) => string;
  charges: ChargeStore;
  /** Whether the charge is charged back, the chargeback open or lost (Stripe refuses to refund it). */
  isChargedBack: (chargeId: string) => boolean;
  emit: (type: MoneyEventType, object: ChargeObject | RefundObject, request: RequestInfo) => void;
}

/** The endpoints of this module, for the API router. */
export const REFUND_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/refunds', (r, c) => r.refunds.create(c.params, c.request)),
  route('GET', '/v1/refunds/:id', (r, c) => r.refunds.retrieve(c.id, c.params)),
  route('GET', '/v1/refunds', (r, c) => r.refunds.list(c.params)),
];

/** Every refund of the account, by id, in creation order. */
export class RefundStore {
  readonly refunds = new Map<string, RefundObject>();

  constructor(private readonly options: RefundStoreOptions) {}

  /** `POST /v1/refunds`. */
  create(raw: FormObject, request: RequestInfo): RefundObject {
    const params = refundCreateSchema.parse(raw, '');
    checkExpand(params.expand, []);
    const charge = this.chargeFor(params.payment_intent, params.charge);
    if (charge.refunded) {
      throw new StripeApiError(`Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    }
    if (this.options.isChargedBack(charge.id)) {
      throw new StripeApiError(`Charge ${charge.id} has been charged back; it cannot be refunded.`, {
        code: 'charge_disputed',
      });
    }
    const unrefunded = charge.amount - charge.amount_refunded;
    const amount = params.amount ?? unrefunded;
    if (amount > unrefunded) {
      throw invalidParam(
        `Refund amount (${amount}) is greater than the unrefunded amount of charge ${charge.id} (${unrefunded}).`,
        'amount',
      );
    }
    const created = stripeSeconds(this.options.now());
    const refund: RefundObject = {
      id: this.options.newId('refund'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created,
      currency: charge.currency,
      customer: null,
      customer_account: null,
      destination_details: {
        card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
        type: 'card',
      },
      ...(params.instructions_email ? { instructions_email: params.instructions_email } : {}),
      metadata: params.metadata ?? {},
      payment_intent: charge.payment_intent,
      payment_method: null,
      reason: params.reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    this.options.emit('charge.refunded', snapshot(charge), request);
    this.options.emit('refund.created', snapshot(refund), request);
    return snapshot(refund);
  }

  /** `GET /v1/refunds/:id`. */
  retrieve(id: string, raw: FormObject): RefundObject {
    checkExpand(expandOnly.parse(raw, '').expand, []);
    const refund = this.refunds.get(id);
    if (!refund) throw resourceMissing('refund', id);
    return snapshot(refund);
  }

  /**
   * `GET /v1/refunds`: newest first, every refund of the account or those of one `payment_intent`
   * or `charge` (a charge that does not exist is `resource_missing`, as Stripe documents; a
   * PaymentIntent with no refunds lists none); Stripe's cursor pagination.
   */
  list(raw: FormObject): ListObject<RefundObject> {
    const params = refundListSchema.parse(raw, '');
    checkExpand(params.expand, []);
    if (params.charge !== undefined && !this.options.charges.charges.has(params.charge)) {
      throw resourceMissing('charge', params.charge, 'charge');
    }
    const all = [...this.refunds.values()].reverse();
    const matching = all.filter(
      (refund) =>
        (params.payment_intent === undefined || refund.payment_intent === params.payment_intent) &&
        (params.charge === undefined || refund.charge === params.charge),
    );
    return pageOf(
      matching,
      { limit: params.limit ?? 10, startingAfter: params.starting_after, endingBefore: params.ending_before },
      '/v1/refunds',
      'refund',
      all,
    );
  }

  /**
   * A succeeded refund fails later (a closed card account): the money goes back to the charge,
   * and Stripe sends `refund.updated` and `refund.failed`.
   */
  fail(id: string): RefundObject {
    const refund = this.refunds.get(id);
    if (!refund) throw new EmulatorError('refund_not_found', `No refund ${id}.`, 404);
    if (refund.status !== 'succeeded' && refund.status !== 'pending') {
      throw new EmulatorError('refund_not_failable', `Refund ${id} is ${refund.status}; it cannot fail now.`);
    }
    refund.status = 'failed';
    refund.failure_reason = 'expired_or_canceled_card';
    const charge =
      typeof refund.charge === 'string' ? this.options.charges.charges.get(refund.charge) : undefined;
    if (charge) {
      charge.amount_refunded = Math.max(0, charge.amount_refunded - refund.amount);
      charge.refunded = false;
    }
    const request = { id: null, idempotencyKey: null };
    this.options.emit('refund.updated', snapshot(refund), request);
    this.options.emit('refund.failed', snapshot(refund), request);
    return snapshot(refund);
  }

  private chargeFor(paymentIntentId: string | undefined, chargeId: string | undefined): ChargeObject {
    if ((paymentIntentId === undefined) === (chargeId === undefined)) {
      throw invalidParam(
        'Name the payment to refund with exactly one of payment_intent or charge.',
        paymentIntentId === undefined ? 'payment_intent' : 'charge',
      );
    }
    if (paymentIntentId !== undefined) {
      if (!this.options.charges.paymentIntents.has(paymentIntentId)) {
        throw resourceMissing('payment_intent', paymentIntentId, 'payment_intent');
      }
      const charge = this.options.charges.chargeOf(paymentIntentId);
      if (!charge) {
        throw new StripeApiError(`PaymentIntent ${paymentIntentId} has no successful charge to refund.`, {
          param: 'payment_intent',
        });
      }
      return charge;
    }
    const charge = this.options.charges.charges.get(chargeId ?? '');
    if (!charge) throw resourceMissing('charge', chargeId ?? '', 'charge');
    return charge;
  }

  restore(refunds: readonly RefundObject[]): void {
    for (const refund of refunds) this.refunds.set(refund.id, refund);
  }

  reset(): void {
    this.refunds.clear();
  }
}
