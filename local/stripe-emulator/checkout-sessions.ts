/**
 * Checkout Sessions as the API creates and reads them (`POST /v1/checkout/sessions`, retrieve,
 * `…/line_items`): the checks Stripe makes on a new session (mode, line items in one currency,
 * `expires_at` window, discount, minimum charge) and the amounts it computes. What happens to a
 * session afterwards — paid, settled, expired — is session-lifecycle.ts.
 */
import { allocateProportionally } from '../../src/domain/money';
import { type ApiRoute, route } from './api-route';
import type { CouponRecord, CouponStore } from './coupons';
import { discountOf } from './coupons';
import { invalidParam, resourceMissing, StripeApiError } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import { checkExpand, pageOf } from './list-and-expand';
import { type LineItemObject, type ListObject, type SessionObject, snapshot, stripeSeconds } from './objects';
import type { PriceStore } from './prices';
import {
  expandOnlySchema,
  listLineItemsSchema,
  type PaymentIntentDataParams,
  type SessionCreateParams,
  sessionCreateSchema,
} from './schemas';
import { buildSession } from './session-object';
import type { ShippingRates } from './shipping-rates';

const MIN_EXPIRY_SECONDS = 30 * 60;
const MAX_EXPIRY_SECONDS = 24 * 60 * 60;

/**
 * Stripe's minimum charge per currency, in minor units. A session whose total is positive but
 * below it is refused, as in production (a $0.40 cart fails there too).
 */
const MINIMUM_CHARGE: Record<string, number> = {
  usd: 50,
  aud: 50,
  brl: 50,
  cad: 50,
  chf: 50,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  nok: 300,
  nzd: 50,
  pln: 200,
  sek: 300,
  sgd: 50,
};

/** How an asynchronous (delayed) payment stands: `pending` until settled. */
export type AsyncPaymentState = 'none' | 'pending' | 'succeeded' | 'failed';

export interface SessionRecord {
  session: SessionObject;
  lineItems: LineItemObject[];
  /** `payment_intent_data` as sent, so tests can check what would reach the PaymentIntent. */
  paymentIntentData: PaymentIntentDataParams | null;
  /** The coupon applied at creation (the record itself: a deleted id may be reused later). */
  coupon: CouponRecord | null;
  /** Display name of each shipping option, in order (the first one is charged). */
  shippingOptionNames: string[];
  asyncPayment: AsyncPaymentState;
}

/** A session as the API answers it: `line_items` only when expanded. */
export type SessionView = SessionObject & { line_items?: ListObject<LineItemObject> };

export interface CheckoutSessionsOptions {
  /** Milliseconds since the epoch, like `Date.now`. */
  now: () => number;
  newId: (kind: IdKind) => string;
  /** The hosted page's address for a session. */
  payUrl: (sessionId: string) => string;
  coupons: CouponStore;
  prices: PriceStore;
  shippingRates: ShippingRates;
}

/** The endpoints under `/v1/checkout/sessions`, for the API router (expiring is a life-cycle step). */
export const CHECKOUT_SESSION_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/checkout/sessions', (r, c) => r.checkoutSessions.create(c.params)),
  route('GET', '/v1/checkout/sessions/:id', (r, c) => r.checkoutSessions.retrieve(c.id, c.params)),
  route('GET', '/v1/checkout/sessions/:id/line_items', (r, c) =>
    r.checkoutSessions.listLineItems(c.id, c.params),
  ),
  route('POST', '/v1/checkout/sessions/:id/expire', (r, c) =>
    r.sessionLifecycle.expireViaApi(c.id, c.params, c.request),
  ),
];

/** Every Checkout Session, by id, in creation order. */
export class CheckoutSessions {
  readonly records = new Map<string, SessionRecord>();

  constructor(private readonly options: CheckoutSessionsOptions) {}

  /** `POST /v1/checkout/sessions`. */
  create(raw: FormObject): SessionView {
    const params: SessionCreateParams = sessionCreateSchema.parse(raw, '');
    const expand = checkExpand(params.expand, ['line_items']);
    if (params.mode !== 'payment') {
      throw invalidParam(`The Stripe emulator implements only mode=payment, not ${params.mode}.`, 'mode');
    }
    if (params.discounts && params.discounts.length > 0 && params.allow_promotion_codes !== undefined) {
      throw invalidParam(
        'You may only specify one of these parameters: allow_promotion_codes, discounts.',
        'allow_promotion_codes',
        'parameters_exclusive',
      );
    }
    const lineParams = params.line_items ?? [];
    if (lineParams.length === 0) {
      throw invalidParam(
        'Missing required param: line_items. A session in payment mode needs at least one line item.',
        'line_items',
        'parameter_missing',
      );
    }
    const created = stripeSeconds(this.options.now());
    const lines = lineParams.map((line, index) => this.options.prices.resolveLine(line, index, created));
    const currency = lines[0]?.price.currency ?? 'usd';
    lines.forEach((line, index) => {
      if (line.price.currency !== currency) {
        throw invalidParam(
          `All line items must have the same currency: line_items[${index}] is ${line.price.currency}, line_items[0] is ${currency}.`,
          `line_items[${index}]`,
        );
      }
    });
    if (params.currency !== undefined && params.currency !== currency) {
      throw invalidParam(`currency ${params.currency} differs from the line items' ${currency}.`, 'currency');
    }
    const expiresAt = checkExpiresAt(params.expires_at, created);
    const shipping = this.options.shippingRates.resolve(params.shipping_options ?? [], currency);
    const couponRecord = this.options.coupons.resolveDiscount(params.discounts ?? [], currency);
    const coupon = couponRecord?.coupon ?? null;

    const subtotals = lines.map((line) => line.unitAmount * line.quantity);
    const subtotal = subtotals.reduce((sum, amount) => sum + amount, 0);
    const discount = coupon ? discountOf(coupon, subtotal) : 0;
    const lineDiscounts = allocateProportionally(discount, subtotals);
    const shippingAmount = shipping[0]?.amount ?? 0;
    const total = subtotal - discount + shippingAmount;
    const minimum = MINIMUM_CHARGE[currency];
    if (total > 0 && minimum !== undefined && total < minimum) {
      throw new StripeApiError(
        `The Checkout Session's total amount due must add up to at least ${minimum} (in the smallest unit of ${currency}).`,
        { code: 'amount_too_small' },
      );
    }

    const id = this.options.newId('checkoutSession');
    const lineItems: LineItemObject[] = lines.map((line, index) => {
      const lineDiscount = lineDiscounts[index] ?? 0;
      const lineSubtotal = subtotals[index] ?? 0;
      return {
        id: this.options.newId('lineItem'),
        object: 'item',
        adjustable_quantity: null,
        amount_discount: lineDiscount,
        amount_subtotal: lineSubtotal,
        amount_tax: 0,
        amount_total: lineSubtotal - lineDiscount,
        currency,
        description: line.description,
        metadata: line.metadata,
        price: line.price,
        quantity: line.quantity,
      };
    });
    const session = buildSession({
      id,
      params,
      created,
      currency,
      expiresAt,
      subtotal,
      discount,
      total,
      couponId: coupon?.id ?? null,
      shipping,
      url: this.options.payUrl(id),
    });
    const record: SessionRecord = {
      session,
      lineItems,
      paymentIntentData: params.payment_intent_data ?? null,
      coupon: couponRecord,
      shippingOptionNames: shipping.map((rate) => rate.displayName),
      asyncPayment: 'none',
    };
    this.records.set(id, record);
    return this.view(record, expand);
  }

  /** `GET /v1/checkout/sessions/:id`. */
  retrieve(id: string, raw: FormObject): SessionView {
    const expand = checkExpand(expandOnlySchema.parse(raw, '').expand, ['line_items']);
    return this.view(this.requireForApi(id), expand);
  }

  /** `GET /v1/checkout/sessions/:id/line_items`. */
  listLineItems(id: string, raw: FormObject): ListObject<LineItemObject> {
    const params = listLineItemsSchema.parse(raw, '');
    checkExpand(params.expand, []);
    const record = this.requireForApi(id);
    return pageOf(
      record.lineItems,
      { limit: params.limit ?? 10, startingAfter: params.starting_after, endingBefore: params.ending_before },
      `/v1/checkout/sessions/${id}/line_items`,
      'line item',
    );
  }

  /** The record behind a session id, for the life cycle, the pay page and inspection. */
  find(id: string): SessionRecord | undefined {
    return this.records.get(id);
  }

  /** The record an API URL names, or Stripe's 404 `resource_missing`. */
  requireForApi(id: string): SessionRecord {
    const record = this.records.get(id);
    if (!record) throw resourceMissing('checkout.session', id);
    return record;
  }

  /** The session as the API shows it; `line_items` only when expanded, as in Stripe. */
  view(record: SessionRecord, expand: readonly string[] = []): SessionView {
    const view: SessionView = snapshot(record.session);
    if (expand.includes('line_items')) {
      view.line_items = pageOf(
        record.lineItems,
        { limit: 100 },
        `/v1/checkout/sessions/${view.id}/line_items`,
        'line item',
      );
    }
    return view;
  }

  reset(): void {
    this.records.clear();
  }
}

function checkExpiresAt(expiresAt: number | undefined, created: number): number {
  if (expiresAt === undefined) return created + MAX_EXPIRY_SECONDS;
  if (expiresAt < created + MIN_EXPIRY_SECONDS) {
    throw invalidParam(
      'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
      'expires_at',
    );
  }
  if (expiresAt > created + MAX_EXPIRY_SECONDS) {
    throw invalidParam(
      'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
      'expires_at',
    );
  }
  return expiresAt;
}
