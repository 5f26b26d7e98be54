/**
 * Disputes of a paid session's charge, opened and moved along from the control surface as a
 * cardholder's bank would: an inquiry (`warning_needs_response`) or a chargeback
 * (`needs_response`, with an evidence deadline), then `under_review`, then closed as `won`,
 * `lost` or (an inquiry) `warning_closed`. Each step emits Stripe's `charge.dispute.*` event with
 * the dispute as Stripe shapes it; the charge is marked `disputed`.
 */
import type { RequestInfo } from './api-route';
import type { ChargeStore } from './charges';
import { EmulatorError } from './errors';
import type { IdKind } from './ids';
import { type DisputeObject, type MoneyEventType, snapshot, stripeSeconds } from './objects';

/** Stripe gives the merchant about a week or more to answer; the emulator uses seven days. */
const EVIDENCE_WINDOW_SECONDS = 7 * 24 * 60 * 60;

export interface OpenDisputeOptions {
  /** Minor units; the charge's whole amount by default. */
  amount?: number;
  /** Stripe's dispute reason (default `fraudulent`). */
  reason?: string;
  /** An inquiry (a retrieval request) rather than a chargeback. */
  inquiry?: boolean;
}

export interface DisputeStoreOptions {
  now: () => number;
  newId: (kind: IdKind) => string;
  charges: ChargeStore;
  emit: (type: MoneyEventType, object: DisputeObject, request: RequestInfo) => void;
}

const NO_REQUEST: RequestInfo = { id: null, idempotencyKey: null };
const CLOSED = new Set(['won', 'lost', 'warning_closed']);

/** Every dispute, by id, in creation order. */
export class DisputeStore {
  readonly disputes = new Map<string, DisputeObject>();

  constructor(private readonly options: DisputeStoreOptions) {}

  /** The cardholder disputes the payment of a PaymentIntent: `charge.dispute.created`. */
  open(paymentIntentId: string, options: OpenDisputeOptions = {}): DisputeObject {
    const charge = this.options.charges.chargeOf(paymentIntentId);
    if (!charge) {
      throw new EmulatorError(
        'payment_not_found',
        `No paid charge for PaymentIntent ${paymentIntentId}.`,
        404,
      );
    }
    const amount = options.amount ?? charge.amount;
    if (!Number.isInteger(amount) || amount < 1 || amount > charge.amount) {
      throw new EmulatorError('invalid_request', `A dispute's amount must be 1–${charge.amount}.`, 400);
    }
    const created = stripeSeconds(this.options.now());
    const inquiry = options.inquiry ?? false;
    const dispute: DisputeObject = {
      id: this.options.newId('dispute'),
      object: 'dispute',
      amount,
      balance_transactions: [],
      charge: charge.id,
      created,
      currency: charge.currency,
      enhanced_eligibility_types: [],
      evidence: emptyEvidence(),
      evidence_details: {
        due_by: created + EVIDENCE_WINDOW_SECONDS,
        enhanced_eligibility: {},
        has_evidence: false,
        past_due: false,
        submission_count: 0,
        submission_method: 'not_submitted',
      },
      intended_submission_method: null,
      is_charge_refundable: inquiry,
      livemode: false,
      metadata: {},
      payment_intent: paymentIntentId,
      reason: options.reason ?? 'fraudulent',
      status: inquiry ? 'warning_needs_response' : 'needs_response',
    };
    this.disputes.set(dispute.id, dispute);
    charge.disputed = true;
    this.options.emit('charge.dispute.created', snapshot(dispute), NO_REQUEST);
    return snapshot(dispute);
  }

  /** Evidence submitted (or the status otherwise moved): `charge.dispute.updated`. */
  update(id: string, status: 'under_review' | 'warning_under_review'): DisputeObject {
    const dispute = this.requireOpen(id);
    dispute.status = status;
    dispute.evidence_details.has_evidence = true;
    dispute.evidence_details.submission_count += 1;
    dispute.evidence_details.submission_method = 'manual';
    this.options.emit('charge.dispute.updated', snapshot(dispute), NO_REQUEST);
    return snapshot(dispute);
  }

  /** The bank decided: `charge.dispute.closed` with `won`, `lost` or `warning_closed`. */
  close(id: string, status: 'won' | 'lost' | 'warning_closed'): DisputeObject {
    const dispute = this.requireOpen(id);
    const inquiry = dispute.status.startsWith('warning_');
    if (inquiry !== (status === 'warning_closed')) {
      throw new EmulatorError(
        'invalid_request',
        inquiry ? 'An inquiry closes as warning_closed.' : 'A chargeback closes as won or lost.',
        400,
      );
    }
    dispute.status = status;
    dispute.evidence_details.due_by = null;
    this.options.emit('charge.dispute.closed', snapshot(dispute), NO_REQUEST);
    return snapshot(dispute);
  }

  /**
   * Whether the charge is charged back: a chargeback (not an inquiry) is open, or was lost — the
   * bank took the money back for the cardholder. Stripe refuses to refund it then
   * (`charge_disputed`); a won chargeback or a closed inquiry leaves it refundable.
   */
  isChargedBack(chargeId: string): boolean {
    return [...this.disputes.values()].some(
      (d) =>
        d.charge === chargeId &&
        !d.status.startsWith('warning_') &&
        (d.status === 'lost' || !CLOSED.has(d.status)),
    );
  }

  restore(disputes: readonly DisputeObject[]): void {
    for (const dispute of disputes) this.disputes.set(dispute.id, dispute);
  }

  reset(): void {
    this.disputes.clear();
  }

  private requireOpen(id: string): DisputeObject {
    const dispute = this.disputes.get(id);
    if (!dispute) throw new EmulatorError('dispute_not_found', `No dispute ${id}.`, 404);
    if (CLOSED.has(dispute.status)) {
      throw new EmulatorError('dispute_closed', `Dispute ${id} is closed (${dispute.status}).`);
    }
    return dispute;
  }
}

function emptyEvidence(): DisputeObject['evidence'] {
  return {
    access_activity_log: null,
    billing_address: null,
    cancellation_policy: null,
    cancellation_policy_disclosure: null,
    cancellation_rebuttal: null,
    customer_communication: null,
    customer_email_address: null,
    customer_name: null,
    customer_purchase_ip: null,
    customer_signature: null,
    duplicate_charge_documentation: null,
    duplicate_charge_explanation: null,
    duplicate_charge_id: null,
    enhanced_evidence: {},
    product_description: null,
    receipt: null,
    refund_policy: null,
    refund_policy_disclosure: null,
    refund_refusal_explanation: null,
    service_date: null,
    service_documentation: null,
    shipping_address: null,
    shipping_carrier: null,
    shipping_date: null,
    shipping_documentation: null,
    shipping_tracking_number: null,
    uncategorized_file: null,
    uncategorized_text: null,
  };
}
