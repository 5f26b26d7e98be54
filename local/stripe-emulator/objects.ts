/**
 * The Stripe objects the emulator answers with, typed with the SDK's own types so that every
 * field a client may read is present (a missing one is a type error here, not a surprise in
 * production). Where the SDK models a wire string as its `Decimal` class, the wire type keeps
 * the string Stripe actually sends.
 */
import type Stripe from 'stripe';

export type CouponObject = Stripe.Coupon;
export type WebhookEndpointObject = Stripe.WebhookEndpoint;
export type BalanceObject = Stripe.Balance;
export type ProductObject = Stripe.Product;
export type SessionObject = Omit<Stripe.Checkout.Session, 'line_items'>;
export type ChargeObject = Stripe.Charge;
export type RefundObject = Stripe.Refund;
export type DisputeObject = Stripe.Dispute;

/** `Stripe.Price` as sent on the wire: `unit_amount_decimal` is a decimal string. */
export type PriceObject = Omit<Stripe.Price, 'unit_amount_decimal' | 'product'> & {
  unit_amount_decimal: string | null;
  product: string | ProductObject;
};

export type LineItemObject = Omit<Stripe.LineItem, 'price'> & { price: PriceObject };

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** Checkout Session event types the emulator emits. */
export type SessionEventType =
  | 'checkout.session.completed'
  | 'checkout.session.expired'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed';

/** Money event types the emulator emits: refunds and disputes of a paid session's charge. */
export type MoneyEventType =
  | 'charge.refunded'
  | 'refund.created'
  | 'refund.updated'
  | 'refund.failed'
  | 'charge.dispute.created'
  | 'charge.dispute.updated'
  | 'charge.dispute.closed';

/** Every event type the emulator emits. */
export type EventType = SessionEventType | MoneyEventType;

/** What an event carries: a snapshot of the object it is about. */
export type EventPayload = SessionObject | ChargeObject | RefundObject | DisputeObject;

/** The event envelope of `../shared/fixtures/stripe/README.md`, carrying a snapshot of its object. */
export interface EventObject {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: EventPayload };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: EventType;
}

/** Stripe's timestamps are epoch seconds; the emulator's clock, like `Date.now`, gives milliseconds. */
export function stripeSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}

/** A deep copy, so a snapshot handed out (or put in an event) never changes afterwards. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}

/** Builds a product with Stripe's defaults for the fields the emulator has no data for. */
export function buildProduct(fields: {
  id: string;
  name: string;
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
  images?: readonly string[] | undefined;
  active: boolean;
  created: number;
}): ProductObject {
  return {
    id: fields.id,
    object: 'product',
    active: fields.active,
    created: fields.created,
    default_price: null,
    description: fields.description ?? null,
    images: [...(fields.images ?? [])],
    livemode: false,
    marketing_features: [],
    metadata: fields.metadata ?? {},
    name: fields.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: fields.created,
    url: null,
  };
}

/** How often a recurring price bills (a seeded one; sessions in payment mode refuse it). */
export type RecurringInterval = 'day' | 'week' | 'month' | 'year';

/** Builds a per-unit price: one-time, or recurring when given an interval. */
export function buildPrice(fields: {
  id: string;
  productId: string;
  unitAmount: number;
  currency: string;
  active: boolean;
  created: number;
  taxBehavior?: Stripe.Price.TaxBehavior | undefined;
  metadata?: Record<string, string> | undefined;
  lookupKey?: string | undefined;
  nickname?: string | undefined;
  recurring?: RecurringInterval | undefined;
}): PriceObject {
  return {
    id: fields.id,
    object: 'price',
    active: fields.active,
    billing_scheme: 'per_unit',
    created: fields.created,
    currency: fields.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: fields.lookupKey ?? null,
    metadata: fields.metadata ?? {},
    nickname: fields.nickname ?? null,
    product: fields.productId,
    recurring: fields.recurring
      ? {
          interval: fields.recurring,
          interval_count: 1,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: fields.taxBehavior ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: fields.recurring ? 'recurring' : 'one_time',
    unit_amount: fields.unitAmount,
    unit_amount_decimal: String(fields.unitAmount),
  };
}
