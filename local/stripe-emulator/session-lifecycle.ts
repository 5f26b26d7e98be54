/**
 * What happens to a Checkout Session after it is created: the customer pays (at once, or by a
 * delayed method settled later), or it expires (by the API, by the control surface, or when
 * `expires_at` passes). Each change emits the matching `checkout.session.*` event with a snapshot
 * of the session at that moment. The pay page, the control API and the test methods drive these
 * steps; only expiring is also an API endpoint.
 */
import type { RequestInfo } from './api-route';
import type { ChargeStore } from './charges';
import type { CheckoutSessions, SessionRecord, SessionView } from './checkout-sessions';
import type { CouponStore } from './coupons';
import { EmulatorError, StripeApiError } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import { checkExpand } from './list-and-expand';
import { type SessionEventType, type SessionObject, snapshot, stripeSeconds } from './objects';
import { expandOnlySchema } from './schemas';

export const PLACEHOLDER_EMAIL = 'customer@example.com';

/** A change made by the emulator itself or its control surface, not by an API request. */
const NO_REQUEST: RequestInfo = { id: null, idempotencyKey: null };

/** Options of {@link SessionLifecycle.complete}. */
export interface CompleteSessionOptions {
  /** Pay with a delayed method: `payment_status` stays `unpaid` until {@link SessionLifecycle.settle}. */
  async?: boolean;
  /** The email the customer typed; defaults to `customer_email`, then to a placeholder. */
  email?: string;
}

export interface SessionLifecycleOptions {
  /** Milliseconds since the epoch, like `Date.now`. */
  now: () => number;
  newId: (kind: IdKind) => string;
  sessions: CheckoutSessions;
  coupons: CouponStore;
  /** Where a paid session's PaymentIntent and charge are recorded. */
  charges: ChargeStore;
  /** Called for every session event, with a snapshot of the session at that moment. */
  emit: (type: SessionEventType, session: SessionObject, request: RequestInfo) => void;
}

/** Moves sessions from `open` to `complete` or `expired`, and settles delayed payments. */
export class SessionLifecycle {
  constructor(private readonly options: SessionLifecycleOptions) {}

  /**
   * What the customer paying on the hosted page does: completes an open session, redeems its
   * coupon and emits `checkout.session.completed`. A session past its `expires_at` is expired
   * instead (and `session_expired` thrown), like a customer arriving too late.
   */
  complete(id: string, options: CompleteSessionOptions = {}): SessionObject {
    const record = this.require(id);
    const session = record.session;
    if (session.status !== 'open') {
      throw new EmulatorError('session_not_open', `Checkout session ${id} is ${session.status}, not open.`);
    }
    if (this.nowSeconds() >= session.expires_at) {
      this.expire(record, NO_REQUEST);
      throw new EmulatorError('session_expired', `Checkout session ${id} has expired.`);
    }
    const coupon = record.coupon;
    if (coupon && !this.options.coupons.canRedeem(coupon)) {
      throw new EmulatorError(
        'coupon_not_redeemable',
        `The discount of session ${id} (coupon ${coupon.coupon.id}) has been fully redeemed.`,
      );
    }
    const total = session.amount_total ?? 0;
    const isAsync = (options.async ?? false) && total > 0;
    session.status = 'complete';
    session.url = null;
    session.payment_status = total === 0 ? 'no_payment_required' : isAsync ? 'unpaid' : 'paid';
    session.payment_intent = total > 0 ? this.options.newId('paymentIntent') : null;
    const country = session.shipping_address_collection?.allowed_countries[0] ?? 'US';
    session.customer_details = {
      address: { city: null, country, line1: null, line2: null, postal_code: '94103', state: null },
      business_name: null,
      email: options.email ?? session.customer_email ?? PLACEHOLDER_EMAIL,
      individual_name: null,
      name: 'Emulator Customer',
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };
    if (session.shipping_options.length > 0 || session.shipping_address_collection) {
      session.collected_information = {
        business_name: null,
        individual_name: null,
        shipping_details: { name: 'Emulator Customer', address: fakeAddress(country) },
      };
    }
    if (coupon) this.options.coupons.redeem(coupon);
    record.asyncPayment = isAsync ? 'pending' : 'none';
    this.recordPayment(record, !isAsync);
    this.options.emit('checkout.session.completed', snapshot(session), NO_REQUEST);
    return snapshot(session);
  }

  /** Settles a delayed payment: `paid` + `async_payment_succeeded`, or `async_payment_failed`. */
  settle(id: string, succeeded: boolean): SessionObject {
    const record = this.require(id);
    if (record.asyncPayment !== 'pending') {
      throw new EmulatorError(
        'no_async_payment_pending',
        `Checkout session ${id} has no pending async payment.`,
      );
    }
    record.asyncPayment = succeeded ? 'succeeded' : 'failed';
    if (succeeded) record.session.payment_status = 'paid';
    this.recordPayment(record, succeeded);
    this.options.emit(
      succeeded ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed',
      snapshot(record.session),
      NO_REQUEST,
    );
    return snapshot(record.session);
  }

  /** `POST /v1/checkout/sessions/:id/expire`: the event carries the API request. */
  expireViaApi(id: string, raw: FormObject, request: RequestInfo): SessionView {
    const expand = checkExpand(expandOnlySchema.parse(raw, '').expand, ['line_items']);
    const record = this.options.sessions.requireForApi(id);
    if (record.session.status !== 'open') {
      throw new StripeApiError('Only Checkout Sessions with a status in ["open"] can be expired.');
    }
    this.expire(record, request);
    return this.options.sessions.view(record, expand);
  }

  /** Expires one open session, as `POST …/expire` does (without an API request behind it). */
  expireOne(id: string): SessionObject {
    const record = this.require(id);
    if (record.session.status !== 'open') {
      throw new EmulatorError(
        'session_not_open',
        `Checkout session ${id} is ${record.session.status}, not open.`,
      );
    }
    this.expire(record, NO_REQUEST);
    return snapshot(record.session);
  }

  /** Expires every open session whose `expires_at` has passed; returns their ids. */
  expireDue(): string[] {
    const now = this.nowSeconds();
    const due = [...this.options.sessions.records.values()].filter(
      (record) => record.session.status === 'open' && record.session.expires_at <= now,
    );
    for (const record of due) this.expire(record, NO_REQUEST);
    return due.map((record) => record.session.id);
  }

  private expire(record: SessionRecord, request: RequestInfo): void {
    record.session.status = 'expired';
    record.session.url = null;
    this.options.emit('checkout.session.expired', snapshot(record.session), request);
  }

  /** The session's PaymentIntent, and its charge once the money arrived. */
  private recordPayment(record: SessionRecord, paid: boolean): void {
    this.options.charges.recordPayment(
      record.session,
      record.paymentIntentData?.metadata ?? {},
      paid,
      this.nowSeconds(),
    );
  }

  /** The record of a control-surface call, or `session_not_found` (the API answers 404 instead). */
  private require(id: string): SessionRecord {
    const record = this.options.sessions.find(id);
    if (!record) throw new EmulatorError('session_not_found', `No checkout session ${id}.`, 404);
    return record;
  }

  private nowSeconds(): number {
    return stripeSeconds(this.options.now());
  }
}

function fakeAddress(country: string): {
  city: string;
  country: string;
  line1: string;
  line2: null;
  postal_code: string;
  state: string | null;
} {
  if (country === 'US') {
    return {
      city: 'San Francisco',
      country,
      line1: '1 Emulator Way',
      line2: null,
      postal_code: '94103',
      state: 'CA',
    };
  }
  return {
    city: 'Testville',
    country,
    line1: '1 Emulator Way',
    line2: null,
    postal_code: '10001',
    state: null,
  };
}
