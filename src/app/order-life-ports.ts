/**
 * Ports of an order's life after payment: the money facts Stripe sends about a payment (refunds,
 * disputes), the order's payment state and shipment as the table keeps them, and the mail that
 * goes out about them (the operator's "do not ship", the customer's "shipped"). Kept apart from
 * ports.ts, which is about checkout.
 */
import type { PaymentFact, PaymentFacts, PaymentSummary } from '../domain/payment-state';
import type { OrderRecord } from './ports';

/** Where an order item is: the UTC time it was paid (ISO) and its session. */
export interface OrderRef {
  readonly sessionId: string;
  /** ISO 8601 (UTC), as on the order. */
  readonly paidAt: string;
}

/** A money object of a Stripe event (charge, refund or dispute), with the payment it belongs to. */
export interface PaymentEventFact {
  /** `null` when Stripe's object names no PaymentIntent (not a Checkout payment of this shop). */
  readonly paymentIntentId: string | null;
  readonly fact: PaymentFact;
}

/** `PAYMENT#<paymentIntentId>`: the latest facts about one payment, and the order it paid for. */
export interface PaymentRecord {
  readonly paymentIntentId: string;
  readonly facts: PaymentFacts;
  /** Bumped by every change of the facts; the order keeps the version it reflects. */
  readonly version: number;
  /** Set at fulfilment; `null` while a money event has arrived before its order was written. */
  readonly order: OrderRef | null;
}

/** Money facts per payment, each merged exactly once whatever order they come in. */
export interface PaymentStore {
  /**
   * Merges a fact into the payment's record (created if missing). `changed` is false when the
   * fact told nothing newer; the record returned is the current one either way.
   */
  recordFact(
    paymentIntentId: string,
    fact: PaymentFact,
    eventId: string,
    now: number,
  ): Promise<{ readonly record: PaymentRecord; readonly changed: boolean; readonly before: PaymentFacts }>;
  /** Notes which order a payment paid for (idempotent) and returns the record with its facts. */
  linkOrder(paymentIntentId: string, order: OrderRef, now: number): Promise<PaymentRecord>;
  getPayment(paymentIntentId: string): Promise<PaymentRecord | null>;
}

/** One change of an order's payment, recorded once. */
export interface PaymentHistoryEntry {
  /** 1, 2, 3… in the order the changes were recorded. */
  readonly seq: number;
  readonly state: PaymentSummary['state'];
  readonly amountRefunded: number;
  /** Stripe's time of the event behind the change (epoch seconds). */
  readonly at: number;
  readonly eventId: string | null;
  /** When this system recorded it (epoch seconds). */
  readonly recordedAt: number;
  /** The order was not shipped and the change takes money from the shop: the operator is told. */
  readonly alert: boolean;
}

/** The payment of an order as last derived, with the payment record's version it reflects. */
export interface OrderPayment extends PaymentSummary {
  readonly version: number;
  /** Epoch seconds. */
  readonly updatedAt: number;
}

/** How an order was shipped. */
export interface Shipment {
  readonly carrier: string | null;
  readonly tracking: string | null;
  /** Epoch seconds of the first `ship`. */
  readonly shippedAt: number;
  /** 1 at the first `ship`; each change of carrier or tracking adds one (and owes the customer a mail). */
  readonly version: number;
}

/** An order with what happened to it after payment. */
export interface OrderLife {
  readonly order: OrderRecord;
  /** `null` while Stripe has sent nothing about the payment since it was made (it is `paid`). */
  readonly payment: OrderPayment | null;
  readonly history: readonly PaymentHistoryEntry[];
  readonly shipment: Shipment | null;
  /** The last history entry whose operator alert was sent (0: none). */
  readonly alertedSeq: number;
  /** The last shipment version whose customer mail was sent (0: none). */
  readonly shipMailedVersion: number;
}

/** The two mails of an order's life, each sent once per change. */
export type OrderMailKind = 'alert' | 'shipped';

/** What `ship` did. */
export type ShipOutcome =
  | { readonly result: 'shipped' | 'updated' | 'unchanged'; readonly shipment: Shipment }
  /** The order's payment changed against the shop (refund, dispute) and `force` was not given. */
  | { readonly result: 'refused'; readonly state: PaymentSummary['state'] };

/** Orders' payment, shipment and mail marks, on their `ORDERS#<day>` items. */
export interface OrderLifeStore {
  getOrder(ref: OrderRef): Promise<OrderLife | null>;
  /** The order of a session (through the session's `paidAt`); `null` when it has none. */
  findOrder(sessionId: string): Promise<OrderLife | null>;
  /**
   * Writes the derived payment if the order still reflects `expectedVersion` (0: none yet), with
   * its new history when it changed (the last entry is the new one; an alerting entry owes the
   * operator a mail); `false` when another writer got there first.
   */
  applyPayment(
    ref: OrderRef,
    expectedVersion: number,
    payment: OrderPayment,
    history: readonly PaymentHistoryEntry[] | null,
  ): Promise<boolean>;
  /**
   * Marks the order shipped with this carrier and tracking (a new shipment version when they
   * differ from the recorded ones). Unless `force`, refused while the payment is in a do-not-ship
   * state — checked in the same write, so a refund recorded meanwhile is never shipped past.
   */
  markShipped(
    ref: OrderRef,
    shipment: { readonly carrier: string | null; readonly tracking: string | null },
    options: { readonly force: boolean; readonly now: number },
  ): Promise<ShipOutcome>;
  /**
   * Claims the right to send the order's owed mail of `kind` (a lease): `claimed`, `nothing_owed`,
   * or `held` (another caller's lease is live).
   */
  claimMail(ref: OrderRef, kind: OrderMailKind, now: number): Promise<'claimed' | 'nothing_owed' | 'held'>;
  /** Records mail of `kind` as sent up to `upTo` (history seq or shipment version), keeping the lease. */
  markMailed(ref: OrderRef, kind: OrderMailKind, upTo: number): Promise<void>;
  /** Gives the lease back (after sending, or a failure: then the failure is noted). */
  releaseMail(ref: OrderRef, kind: OrderMailKind, failedAt: number | null): Promise<void>;
  /** Notes that mail of `kind` is owed for the order, so the scheduled retry finds it. */
  oweMail(ref: OrderRef, kind: OrderMailKind, now: number): Promise<void>;
  /** Every owed mail, oldest first, with how often it was noted (for {@link clearOwedMail}). */
  listOwedMail(): Promise<{ readonly ref: OrderRef; readonly kind: OrderMailKind; readonly count: number }[]>;
  /** The mail is sent: forgets the debt, unless it was noted again since it was listed (`count`). */
  clearOwedMail(ref: OrderRef, kind: OrderMailKind, count: number): Promise<void>;
  /** Orders of one UTC day, oldest first, and keys of any that cannot be read back. */
  listOrders(day: string): Promise<{ readonly orders: OrderLife[]; readonly unreadable: string[] }>;
}

/** The operator's "do not ship" message about one payment change. */
export interface DoNotShipAlert {
  readonly order: OrderRecord;
  readonly change: PaymentHistoryEntry;
  readonly payment: OrderPayment;
}

/** The customer's "your order has shipped". */
export interface ShippedNotice {
  readonly order: OrderRecord;
  readonly shipment: Shipment;
  /** The carrier's tracking page for the number, when the carrier is one this system knows. */
  readonly trackingUrl: string | null;
}

/** Sends the mails of an order's life (SES, the local outbox, or the log). */
export interface OrderMail {
  /** To the operator. */
  sendDoNotShip(alert: DoNotShipAlert): Promise<void>;
  /** To the customer's address on the order. */
  sendShipped(notice: ShippedNotice): Promise<void>;
}

/** A refund to ask Stripe for. */
export interface RefundRequest {
  readonly paymentIntentId: string;
  /** Minor units. */
  readonly amount: number;
  readonly reason: RefundReason | null;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Stripe's refund reasons. */
export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';
export const REFUND_REASONS: readonly RefundReason[] = ['duplicate', 'fraudulent', 'requested_by_customer'];

/** The refund's metadata key naming the operator's attempt that made it. */
export const REFUND_ATTEMPT_METADATA_KEY = 'refundAttempt';

/** A refund as Stripe answered or lists it. */
export interface RefundMade {
  readonly id: string;
  /** Stripe's status: `pending`, `requires_action`, `succeeded`, `failed` or `canceled`. */
  readonly status: string;
  readonly amount: number;
}

/** Refunds at the payment provider (Stripe); the webhook then records them on the order. */
export interface RefundGateway {
  /** Creates the refund; the same `idempotencyKey` never refunds twice (within Stripe's 24 hours). */
  createRefund(request: RefundRequest, options: { readonly idempotencyKey: string }): Promise<RefundMade>;
  /**
   * The payment's refund whose metadata names the attempt (`refundAttempt`), or `null`: lists the
   * payment's refunds at Stripe, so it answers whether an attempt was made however long ago.
   */
  findAttemptRefund(paymentIntentId: string, attemptId: string): Promise<RefundMade | null>;
  /** The session's PaymentIntent, for orders recorded before the order kept it. */
  paymentIntentOfSession(sessionId: string): Promise<string | null>;
}

/**
 * The operator's refund of an order as recorded before Stripe is asked for it (decision 193): one
 * item per order, the last attempt. While `pending` it is the order's refund lease: a command holds
 * it (`leaseUntil`) while it calls Stripe, and a re-run finishes it with the same idempotency key
 * rather than start another. `made` or `refused` once Stripe answered for certain.
 */
export interface RefundAttempt {
  readonly sessionId: string;
  /** 1, 2, 3… per order; a new attempt names the one it follows, so one look makes one refund. */
  readonly seq: number;
  /** Unique; in the refund's metadata (`refundAttempt`) and its idempotency key. */
  readonly attemptId: string;
  readonly idempotencyKey: string;
  readonly paymentIntentId: string;
  /** Minor units. */
  readonly amount: number;
  /** What the operator asked for: that amount, or `null` for the whole remainder. */
  readonly asked: number | null;
  readonly reason: RefundReason | null;
  readonly state: 'pending' | 'made' | 'refused';
  /** Epoch seconds. */
  readonly startedAt: number;
  /** Until when a command is asking Stripe for it (epoch seconds); 0 while no one is. */
  readonly leaseUntil: number;
  /** How many times a command has asked Stripe for it. */
  readonly tries: number;
  readonly refundId: string | null;
  readonly endedAt: number | null;
}

/** The refund attempts of orders (`REFUND#<sessionId>`). */
export interface RefundAttemptStore {
  getAttempt(sessionId: string): Promise<RefundAttempt | null>;
  /**
   * Records `attempt` (pending, leased to the caller) if the order's attempt is still the one with
   * `afterSeq` (0: none yet) and that one is not pending under a live lease; `false` otherwise.
   */
  startAttempt(attempt: RefundAttempt, afterSeq: number, now: number): Promise<boolean>;
  /** Leases the pending attempt `seq` to the caller when no live lease holds it; `false` otherwise. */
  resumeAttempt(sessionId: string, seq: number, leaseUntil: number, now: number): Promise<boolean>;
  /** Stripe answered for certain: the attempt `seq` (if still pending) is `made` or `refused`. */
  endAttempt(
    sessionId: string,
    seq: number,
    outcome: { readonly state: 'made'; readonly refundId: string } | { readonly state: 'refused' },
    now: number,
  ): Promise<void>;
  /** No certain answer: the attempt stays pending, its lease given back for the re-run. */
  releaseAttempt(sessionId: string, seq: number): Promise<void>;
}
