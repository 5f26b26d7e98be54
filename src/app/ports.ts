import type { CartItem } from '../domain/cart';
import type { StoredCode } from '../domain/discount-code';
import type { PricedCart } from '../domain/priced-cart';
import type { PaymentEventFact } from './order-life-ports';

/** A quote as the service issued and cached it. */
export interface StoredQuote {
  readonly quoteSignature: string;
  readonly cartHash: string;
  /** The normalised cart. */
  readonly items: readonly CartItem[];
  readonly pricedCart: PricedCart;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds; the quote is absent from this moment on, whatever the table still holds. */
  readonly expiresAt: number;
}

/** What the quote cache keeps of a quote: its pricing, shared; never its signature. */
export type CachedPricing = Pick<StoredQuote, 'cartHash' | 'items' | 'pricedCart' | 'issuedAt' | 'expiresAt'>;

/** Where issued quotes are cached. Every read treats `expiresAt <= now` as absent. */
export interface QuoteStore {
  /** Caches the quote's pricing. Idempotent: saving the same quote twice is harmless. */
  saveQuote(quote: CachedPricing): Promise<void>;
  /**
   * The newest unexpired quote of this cart at this catalog version, if any: its pricing is reused,
   * its signature never handed to another shopper.
   */
  findCachedQuote(cartHash: string, catalogVersion: string, now: number): Promise<CachedPricing | null>;
}

/** Request limits of one scope (e.g. quotes per client). */
export interface RateLimits {
  readonly perHour: number;
  readonly perDay: number;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly window: 'hour' | 'day' };

/** Counts requests in fixed hourly and daily windows; never lets more than a limit through. */
export interface RateLimiter {
  /** Counts one request of `key` in `scope` at `now` (epoch seconds) if it is within the limits. */
  checkRateLimit(request: {
    readonly scope: string;
    readonly key: string;
    readonly limits: RateLimits;
    readonly now: number;
  }): Promise<RateDecision>;
  /**
   * Counts `value` (a code a client looked up) among the distinct values of `key` in `scope` in the
   * windows that contain `now`, if it is one already counted there or the windows have room for one
   * more: the same value again costs nothing.
   */
  checkDistinct(request: {
    readonly scope: string;
    readonly key: string;
    readonly value: string;
    readonly limits: RateLimits;
    readonly now: number;
  }): Promise<RateDecision>;
  /**
   * Takes `value` out of the distinct values `checkDistinct` counted at the same `now` (same
   * windows), for a look-up that turned out not to count (a code that was found).
   */
  forget(request: {
    readonly scope: string;
    readonly key: string;
    readonly value: string;
    readonly now: number;
  }): Promise<void>;
}

/** Discount codes as checkout and quotes read them. */
export interface CodeStore {
  /** The code of this normalised name, or `null`; `consistent` reads the latest counts (checkout). */
  findCode(code: string, options?: { readonly consistent?: boolean }): Promise<StoredCode | null>;
}

/** Stripe (or the emulator) failed or refused a call. */
export class PaymentProviderError extends Error {
  override readonly name = 'PaymentProviderError';
  readonly code = 'payment_provider_error';
  constructor(
    /** `rejected`: Stripe refused these parameters (4xx); `unavailable`: network, timeout, 429 or 5xx. */
    readonly kind: 'rejected' | 'unavailable',
    message: string,
    readonly details: {
      readonly providerCode?: string;
      /** The request parameter Stripe named in its refusal (e.g. `discounts[0][coupon]`). */
      readonly param?: string;
      readonly statusCode?: number;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A one-time coupon for a quote's bundle discount. */
export interface CouponSpec {
  readonly id: string;
  readonly amountOff: number;
  readonly currency: string;
  /** Epoch seconds after which it can no longer be redeemed. */
  readonly redeemBy: number;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Stripe refused a session because of its discount (the coupon is gone, expired or not allowed). */
export class CouponRefusedError extends Error {
  override readonly name = 'CouponRefusedError';
  readonly code = 'coupon_refused';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One line of a Checkout Session: a catalog price at Stripe, or an amount for a named item. */
export type SessionLineSpec =
  | { readonly kind: 'price'; readonly priceId: string; readonly quantity: number }
  | {
      readonly kind: 'amount';
      readonly sku: string;
      readonly name: string;
      /** Cents. */
      readonly unitAmount: number;
      readonly quantity: number;
      /** Absolute URLs of the item's pictures, shown on the payment page (at most 8). */
      readonly images: readonly string[];
    };

/** A shipping rate offered on the payment page. */
export interface ShippingRateSpec {
  readonly name: string;
  /** Cents. */
  readonly amount: number;
  /** Business days, both or neither. */
  readonly delivery?: { readonly minDays: number; readonly maxDays: number };
}

/** A Checkout Session to create, in the project's terms (the Stripe adapter turns it into parameters). */
export interface CheckoutSessionSpec {
  readonly currency: string;
  readonly lines: readonly SessionLineSpec[];
  /** The session's one-time discount coupon, if any. */
  readonly couponId: string | null;
  readonly customerEmail: string | null;
  /** Shown with the session in Stripe's Dashboard (the cart hash). */
  readonly reference: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Copied to the payment, where refunds and disputes happen (session metadata does not reach it). */
  readonly paymentMetadata: Readonly<Record<string, string>>;
  readonly successUrl: string;
  readonly cancelUrl: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly automaticTax: boolean;
  /** Countries a shipping address may be in; empty: none is collected. */
  readonly shippingCountries: readonly string[];
  readonly shippingRates: readonly ShippingRateSpec[];
}

/** What this system reads of a Checkout Session. */
export interface CheckoutSessionView {
  readonly id: string;
  readonly url: string | null;
  /** `open`, `complete` or `expired` (Stripe may add values). */
  readonly status: string | null;
  /** `paid`, `unpaid` or `no_payment_required`. */
  readonly paymentStatus: string;
  readonly currency: string | null;
  readonly amountSubtotal: number | null;
  readonly amountTotal: number | null;
  readonly amountDiscount: number;
  readonly amountShipping: number;
  readonly amountTax: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly customerEmail: string | null;
  readonly customerName: string | null;
  readonly shippingAddress: Readonly<Record<string, string | null>> | null;
  readonly couponId: string | null;
  /** The session's PaymentIntent (`pi_…`) once it is paid (or paying); refunds and disputes name it. */
  readonly paymentIntentId: string | null;
}

/** Per-call limits, so a caller with a deadline (the webhook's 10 s) is never kept waiting past it. */
export interface CallOptions {
  readonly idempotencyKey?: string;
  readonly timeoutMs?: number;
}

/** The checkout provider (Stripe Checkout), narrowed to what this system does with it. */
export interface CheckoutGateway {
  createCoupon(spec: CouponSpec, options: CallOptions): Promise<void>;
  /** The coupon, or `null` when it does not exist (or was deleted). */
  retrieveCoupon(
    id: string,
    options?: CallOptions,
  ): Promise<{ amountOff: number | null; valid: boolean } | null>;
  /** Deletes a coupon; a coupon that is already gone is not an error. */
  deleteCoupon(id: string, options?: CallOptions): Promise<'deleted' | 'missing'>;
  /** Creates a session; {@link CouponRefusedError} when Stripe refuses it because of its coupon. */
  createSession(spec: CheckoutSessionSpec, options: CallOptions): Promise<CheckoutSessionView>;
  /** The session, or `null` when Stripe does not know it. */
  retrieveSession(id: string, options?: CallOptions): Promise<CheckoutSessionView | null>;
  /**
   * Expires an open session, so it can no longer be paid (Stripe then sends
   * `checkout.session.expired`). A session that was no longer open is returned as it is (`complete`
   * when it was paid or is awaiting an async payment); `null` when Stripe does not know it.
   */
  expireSession(id: string, options?: CallOptions): Promise<CheckoutSessionView | null>;
}

/** A line of a checkout as recorded for fulfilment. */
export interface SessionLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitAmount: number;
  readonly total: number;
}

/** How a quote's discount reached Stripe. */
export type DiscountMode = 'coupon' | 'inline' | 'none';

/** `SESSION#<id>`: what this system knows about a Checkout Session it created. */
export interface SessionRecord {
  readonly sessionId: string;
  /** The checkout slot (cart, or quote without a cart id) the session was made in. */
  readonly slotId: string;
  readonly quoteSignature: string;
  readonly cartHash: string;
  readonly catalogVersion: string;
  /** `open` → `complete` (paid) | `awaiting_payment` → `complete` | `payment_failed`; or `expired`. */
  readonly status: 'open' | 'awaiting_payment' | 'complete' | 'payment_failed' | 'expired';
  readonly couponId: string | null;
  readonly discountMode: DiscountMode;
  /** The discount code the quote applied (normalised), or `null`. */
  readonly code: string | null;
  /** What the code took off, within `amountDiscount` (0 without a code). */
  readonly codeDiscount: number;
  readonly currency: string;
  readonly amountSubtotal: number;
  readonly amountDiscount: number;
  readonly amountTotal: number;
  readonly lines: readonly SessionLine[];
  /** `j***@example.com`; the full address stays with Stripe until the order is paid. */
  readonly emailMasked: string | null;
  readonly checkoutUrl: string;
  /** Epoch seconds. */
  readonly sessionExpiresAt: number;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** The stock the session holds (`null`: no tracked SKU, or made before stock was tracked). */
  readonly hold?: StockHoldRef | null;
  /** Set once, when the held units became sold: the tracked SKUs the sale found short (often none). */
  readonly stockShort?: readonly string[];
}

/**
 * Which hold a session has: the units it holds per tracked SKU (summed per SKU), and the use of a
 * discount code it claims. Both are taken, released and sold together, in one transaction each.
 */
export interface StockHoldRef {
  readonly holdId: string;
  /** Epoch seconds: the session's `expires_at` (the hold ends with its session). */
  readonly until: number;
  readonly lines: readonly HoldLine[];
  /** The discount code use the hold claims (absent or `null`: none). */
  readonly code?: HoldCode | null;
}

/** One use of a discount code, held by a checkout. */
export interface HoldCode {
  readonly code: string;
  /**
   * With a per-email limit: `codeEmailKey` of the checkout's email and the limit, so the hold claims
   * a use of that email's count too; both `null` otherwise.
   */
  readonly emailKey: string | null;
  readonly limitPerEmail: number | null;
}

export interface HoldLine {
  readonly sku: string;
  readonly quantity: number;
  /** `refuse`: the hold needs the units available; `backorder`: taken even beyond what is on hand. */
  readonly whenShort: 'refuse' | 'backorder';
}

/** One tracked SKU's stock: on hand, held by open checkouts, and what a new checkout may still take. */
export interface StockLevel {
  readonly sku: string;
  readonly onHand: number;
  readonly held: number;
  /** onHand − held (negative when backorders outrun stock). */
  readonly available: number;
  /** Units sold through checkout since the item was created. */
  readonly sold: number;
}

/** What became of an operator's {@link StockStore.addOnHand}. */
export type AddOnHandResult =
  | { readonly outcome: 'added'; readonly level: StockLevel }
  /** It would have taken on hand below 0: nothing written; `onHand` as it was then. */
  | { readonly outcome: 'refused'; readonly onHand: number };

/** A hold to take at checkout, before the Stripe session exists. */
export interface HoldRequest extends StockHoldRef {
  readonly slotId: string;
  readonly now: number;
}

/** A live hold as the scheduled sweep sees it. */
export interface LiveHold extends StockHoldRef {
  /** The session recorded with the hold; absent when the checkout stopped before recording one. */
  readonly sessionId: string | null;
}

/**
 * `STOCK` items and the holds on them. Every change of a hold is one DynamoDB transaction with the
 * hold's own item as its marker, so each hold is taken, released or sold exactly once.
 */
export interface StockStore {
  /** Levels of the given SKUs (a tracked SKU without an item is absent: nothing on hand). */
  levels(skus: readonly string[]): Promise<Map<string, StockLevel>>;
  /** Every stock item, by SKU. */
  allLevels(): Promise<StockLevel[]>;
  /**
   * Holds every line, and the code's use, in one transaction. `taken` (also when this hold was taken
   * before: a retry), `short` naming the refuse-policy SKUs that lack units, or `code_refused` when
   * the code has no use left for it (`limit`: used up, disabled or out of its dates; `per_email`:
   * this email's uses are spent).
   */
  takeHold(
    hold: HoldRequest,
  ): Promise<
    | { readonly outcome: 'taken' }
    | { readonly outcome: 'short'; readonly short: readonly string[] }
    | { readonly outcome: 'code_refused'; readonly reason: 'limit' | 'per_email' }
  >;
  /** Notes on the hold the session made with it (so the sweep leaves the hold to the session's events). */
  attachSession(hold: StockHoldRef, sessionId: string): Promise<void>;
  /** Gives the units back; `false` when the hold was already released or sold. */
  releaseHold(hold: StockHoldRef, now: number): Promise<boolean>;
  /**
   * Makes the units sold and notes it on the session record (`stockShort`), in one transaction.
   * Returns the SKUs found short (on hand below the units sold); `null` when the hold was already
   * released or sold. With `held: false` (a paid session whose hold is gone) the units are taken from
   * what is available, guarded by the session's own note instead: once per session.
   */
  sellHold(
    hold: StockHoldRef,
    sessionId: string,
    now: number,
    options?: { readonly held: boolean },
  ): Promise<readonly string[] | null>;
  /** Holds whose end is before `before`, oldest first. */
  expiredHolds(before: number, limit: number): Promise<LiveHold[]>;
  /** Operator: sets on-hand to `quantity` (held units stay held). */
  setOnHand(sku: string, quantity: number, now: number): Promise<StockLevel>;
  /**
   * Operator: adds `delta` to on-hand. A negative `delta` is taken out only if on-hand covers it, in
   * the same conditional write (below what is held is allowed: those sales are flagged short).
   */
  addOnHand(sku: string, delta: number, now: number): Promise<AddOnHandResult>;
}

/** A session record as read back from the table, with how far its fulfilment got. */
export interface StoredSession extends SessionRecord {
  /**
   * Every fulfilment step is recorded as done: paid, order written, operator notified and coupon
   * released (the steps run in this order, so the last two imply the others).
   */
  readonly fulfilled: boolean;
}

/** The session a checkout slot holds now. */
export interface SlotSession {
  readonly sessionId: string;
  readonly quoteSignature: string;
  /** Digest of the email the session was made with (`-` without one): a changed email is a new session. */
  readonly emailDigest: string;
  /** Mirrors the session record's status (set by the webhook and the success page). */
  readonly status: SessionRecord['status'];
  readonly checkoutUrl: string;
  /** Epoch seconds. */
  readonly sessionExpiresAt: number;
  /** The stock the session holds, per SKU: the cart's own units while its session is open. */
  readonly heldUnits?: readonly CartItem[];
  /** The discount code whose use the session holds, if any: the cart's own use while it is open. */
  readonly heldCode?: string;
}

/**
 * `CHECKOUT#<slotId>`: the one Checkout Session a shopper's cart (or, without a cart id, a quote)
 * has open, and the lease of the request making its next one.
 */
export interface CheckoutSlot {
  readonly slotId: string;
  /** Sessions made in this slot so far; the next is `attempt + 1`. */
  readonly attempt: number;
  readonly current: SlotSession | null;
  /** Held while a request replaces the slot's session; epoch seconds. */
  readonly lease: { readonly token: string; readonly until: number } | null;
}

/** Checkout sessions and slots in the commerce table. */
export interface SessionStore {
  /** The slot, read consistently; `null` before its first checkout. */
  getSlot(slotId: string): Promise<CheckoutSlot | null>;
  /**
   * Takes the slot's lease if nobody holds a live one and its session count is still `expectedAttempt`
   * (`null`: the slot must not exist yet). `false` when another request got there first.
   */
  claimSlot(
    slotId: string,
    claim: {
      readonly expectedAttempt: number | null;
      readonly token: string;
      readonly until: number;
      readonly now: number;
    },
  ): Promise<boolean>;
  /** Makes `session` the slot's current one (its `attempt`-th) and gives the lease back; `false` if it was lost. */
  settleSlot(
    slotId: string,
    token: string,
    session: SlotSession,
    attempt: number,
    now: number,
  ): Promise<boolean>;
  /** Gives the lease back after a failure (a lease held by someone else is left alone). */
  releaseSlot(slotId: string, token: string): Promise<void>;
  /** Under the lease: records how the slot's current session ended (expired, or found paid). */
  endSlotSession(
    slotId: string,
    token: string,
    sessionId: string,
    status: SessionRecord['status'],
  ): Promise<void>;
  /**
   * Records a created session: the session record and its coupon's ownership, each idempotent — a
   * retry after a crash completes what is missing.
   */
  recordSession(record: SessionRecord, now: number): Promise<void>;
  getSession(sessionId: string): Promise<StoredSession | null>;
}

/** `ORDERS#<yyyy-mm-dd>`: a paid order, as the operator fulfils it by hand. */
export interface OrderRecord {
  readonly sessionId: string;
  /** ISO 8601 (UTC). */
  readonly paidAt: string;
  readonly paymentStatus: string;
  readonly currency: string;
  readonly amountSubtotal: number;
  readonly amountDiscount: number;
  readonly amountShipping: number;
  readonly amountTax: number;
  readonly amountTotal: number;
  readonly lines: readonly SessionLine[];
  readonly customerEmail: string | null;
  readonly customerName: string | null;
  readonly shippingAddress: Readonly<Record<string, string | null>> | null;
  readonly discountMode: DiscountMode;
  /** The discount code of the order (normalised), or `null`. */
  readonly code: string | null;
  /** What the code took off, within `amountDiscount` (0 without a code). */
  readonly codeDiscount: number;
  /**
   * What the operator must look at before shipping; empty when nothing. `amount_mismatch`: Stripe
   * charged another amount or currency than the session was made for. `short_stock`: a SKU had
   * fewer units on hand than were sold (a backorder, or stock corrected while it was held).
   */
  readonly problems: readonly OrderProblem[];
  /** The payment's PaymentIntent, which Stripe's refund and dispute events name (orders before it: absent). */
  readonly paymentIntentId: string | null;
  /** With `short_stock`: the SKUs sold beyond their stock on hand. */
  readonly shortSkus?: readonly string[];
}

export type OrderProblem = 'amount_mismatch' | 'short_stock';

/** Tells the operator about a paid order (log, local outbox, email). */
export interface Notifier {
  notifyOrder(order: OrderRecord): Promise<void>;
}

/** `EVENT#<id>`: which Stripe events were processed, with a lease while one is being processed. */
export interface EventLedger {
  /**
   * Takes the event for processing. `acquired` (with the lease token to finish or release it),
   * `done` (processed before: nothing to do) or `in_progress` (another delivery holds a live lease).
   */
  begin(
    event: { readonly id: string; readonly type: string; readonly digest: string },
    now: number,
  ): Promise<
    { readonly state: 'acquired'; readonly token: string } | { readonly state: 'done' | 'in_progress' }
  >;
  /** Marks the event processed (kept 90 days). */
  finish(eventId: string, token: string, now: number): Promise<void>;
  /** Gives the event back after a failure, so Stripe's retry processes it again. */
  release(eventId: string, token: string): Promise<void>;
}

/** Session state changes made by the webhook and the success page. All idempotent. */
export interface FulfilmentStore {
  /**
   * Marks the session paid, keeping the first `paidAt` and customer details ever recorded.
   * `null` when this system has no record of the session.
   */
  markPaid(
    sessionId: string,
    paid: {
      readonly paidAt: number;
      readonly paymentStatus: string;
      readonly customerEmail: string | null;
      readonly customerName: string | null;
      readonly shippingAddress: Readonly<Record<string, string | null>> | null;
      readonly amountShipping: number;
      readonly amountTax: number;
      readonly amountTotal: number | null;
    },
  ): Promise<{ readonly record: SessionRecord; readonly paidAt: number; readonly notified: boolean } | null>;
  /** Writes the order item once; `false` when it already existed. */
  writeOrder(order: OrderRecord): Promise<boolean>;
  /**
   * Claims the right to notify (a lease): `claimed` (notify, then mark), `notified` (done before) or
   * `held` (another caller's lease is live: it may still notify, or it may have died holding it).
   */
  claimNotification(sessionId: string, now: number): Promise<'claimed' | 'notified' | 'held'>;
  /** Marks the notification sent, on the session and on its order item (`paidAt`: the order's ISO time). */
  markNotified(sessionId: string, paidAt: string, now: number): Promise<void>;
  /** After a failed send: gives the claim back and notes the failure (the order is then fulfilled). */
  releaseNotification(sessionId: string, now: number): Promise<void>;
  /**
   * Orders of one UTC day (`YYYY-MM-DD`) whose notification is not marked sent, oldest first, and the
   * keys of any such items that cannot be read back (one damaged item never hides the others).
   */
  listUnnotifiedOrders(day: string): Promise<{ orders: OrderRecord[]; unreadable: string[] }>;
  /**
   * Moves a session from one of `from` to `to`; `false` when it was not in any of them (so an
   * expired event never overwrites a paid session). `null` when the session is unknown.
   */
  transition(
    sessionId: string,
    from: readonly SessionRecord['status'][],
    to: SessionRecord['status'],
    now: number,
  ): Promise<boolean | null>;
  /** Mirrors the status on the session's slot, while the slot still holds that session. */
  setSlotStatus(slotId: string, sessionId: string, status: SessionRecord['status']): Promise<void>;
  /** Drops the coupon's ownership item and notes the release on the session. */
  releaseCoupon(couponId: string, sessionId: string, now: number): Promise<void>;
}

/** A verified Stripe event, narrowed to what the webhook uses. */
export interface VerifiedEvent {
  readonly id: string;
  readonly type: string;
  /** Epoch seconds. */
  readonly created: number;
  readonly livemode: boolean;
  /** SHA-256 of the raw payload, kept with the event marker for replay diagnostics. */
  readonly digest: string;
  /** The Checkout Session of `checkout.session.*` events; `null` for other objects. */
  readonly session: CheckoutSessionView | null;
  /** The charge, refund or dispute of the money events (`PAYMENT_EVENTS`); `null` for other objects. */
  readonly money: PaymentEventFact | null;
}
