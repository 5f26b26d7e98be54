/**
 * The money behind a paid Checkout Session: its PaymentIntent (an id the session names, with the
 * `payment_intent_data` metadata) and the one successful Charge, created when the session is paid
 * (at once, or when a delayed payment settles). Refunds (refunds.ts) and disputes (disputes.ts)
 * act on these charges; the charge's `amount_refunded`, `refunded` and `disputed` follow them.
 */
import type { ChargeObject, SessionObject } from './objects';

/** What the emulator keeps of a PaymentIntent: it is not served by the API, only referenced. */
export interface PaymentIntentRecord {
  id: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  /** The session that made it. */
  sessionId: string;
  /** The successful charge, once paid. */
  chargeId: string | null;
}

/** PaymentIntents and Charges, by id, in creation order. */
export class ChargeStore {
  readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  readonly charges = new Map<string, ChargeObject>();

  constructor(private readonly newChargeId: () => string) {}

  /**
   * Records the payment of a session whose `payment_intent` is set: the PaymentIntent (once) and,
   * when `paid`, its successful charge (once).
   */
  recordPayment(
    session: SessionObject,
    metadata: Record<string, string>,
    paid: boolean,
    created: number,
  ): void {
    const intentId = typeof session.payment_intent === 'string' ? session.payment_intent : null;
    if (!intentId) return;
    let intent = this.paymentIntents.get(intentId);
    if (!intent) {
      intent = {
        id: intentId,
        amount: session.amount_total ?? 0,
        currency: session.currency ?? 'usd',
        metadata: { ...metadata },
        sessionId: session.id,
        chargeId: null,
      };
      this.paymentIntents.set(intentId, intent);
    }
    if (!paid || intent.chargeId) return;
    const charge = buildCharge({
      id: this.newChargeId(),
      intent,
      created,
      email: session.customer_details?.email ?? null,
      name: session.customer_details?.name ?? null,
    });
    this.charges.set(charge.id, charge);
    intent.chargeId = charge.id;
  }

  /** The successful charge of a PaymentIntent, if it has one. */
  chargeOf(paymentIntentId: string): ChargeObject | undefined {
    const chargeId = this.paymentIntents.get(paymentIntentId)?.chargeId;
    return chargeId ? this.charges.get(chargeId) : undefined;
  }

  restore(intents: readonly PaymentIntentRecord[], charges: readonly ChargeObject[]): void {
    for (const intent of intents) this.paymentIntents.set(intent.id, intent);
    for (const charge of charges) this.charges.set(charge.id, charge);
  }

  reset(): void {
    this.paymentIntents.clear();
    this.charges.clear();
  }
}

function buildCharge(fields: {
  id: string;
  intent: PaymentIntentRecord;
  created: number;
  email: string | null;
  name: string | null;
}): ChargeObject {
  const { intent } = fields;
  return {
    id: fields.id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: intent.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: fields.email, name: fields.name, phone: null, tax_id: null },
    calculated_statement_descriptor: 'EMULATOR SHOP',
    captured: true,
    created: fields.created,
    currency: intent.currency,
    customer: null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: intent.id,
    payment_method: null,
    payment_method_details: null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}
