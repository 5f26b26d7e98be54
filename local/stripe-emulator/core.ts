/**
 * The emulator's state and the Stripe behaviour on top of it: coupons, seeded prices, Checkout
 * Sessions and their life cycle. No HTTP here — the server maps requests onto these methods, and
 * the control surface (pay page, `/_emulator/…`, test helpers) calls the life-cycle methods.
 */

import { allocateProportionally } from '../../src/domain/money';
import { AccountResources } from './account';
import { EmulatorError, invalidParam, resourceMissing, StripeApiError } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import {
  buildPrice,
  buildProduct,
  type CouponObject,
  type LineItemObject,
  type ListObject,
  type PriceObject,
  type ProductObject,
  type SessionEventType,
  type SessionObject,
  snapshot,
} from './objects';
import {
  type CouponCreateParams,
  couponCreateSchema,
  expandOnlySchema,
  type LineItemParams,
  listLineItemsSchema,
  type PaymentIntentDataParams,
  type SessionCreateParams,
  sessionCreateSchema,
} from './schemas';

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

/** A price the emulator knows before any request, e.g. one per catalog product with a Price ID. */
export interface SeedPrice {
  id: string;
  unitAmount: number;
  currency: string;
  productName: string;
  productId?: string;
  active?: boolean;
  metadata?: Record<string, string>;
}

/** Who asked for a change, for the event's `request` field (`null` ids for dashboard-like actions). */
export interface RequestInfo {
  id: string | null;
  idempotencyKey: string | null;
}

export interface CouponRecord {
  coupon: CouponObject;
  deleted: boolean;
  /** When it was deleted (epoch seconds), for inspection. */
  deletedAt: number | null;
}

interface ShippingRateRecord {
  id: string;
  displayName: string;
  amount: number;
  currency: string;
}

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

/** Options of {@link EmulatorCore.completeSession}. */
export interface CompleteSessionOptions {
  /** Pay with a delayed method: `payment_status` stays `unpaid` until {@link EmulatorCore.settleAsyncPayment}. */
  async?: boolean;
  /** The email the customer typed; defaults to `customer_email`, then to a placeholder. */
  email?: string;
}

export interface EmulatorCoreOptions {
  /** Milliseconds since the epoch, like `Date.now`. Stripe's timestamps are derived in seconds. */
  now: () => number;
  newId: (kind: IdKind) => string;
  /** The hosted page's address for a session. */
  payUrl: (sessionId: string) => string;
  prices: readonly SeedPrice[];
  /** Called for every session event, with a snapshot of the session at that moment. */
  emit: (type: SessionEventType, session: SessionObject, request: RequestInfo) => void;
}

export const PLACEHOLDER_EMAIL = 'customer@example.com';

export class EmulatorCore {
  readonly coupons = new Map<string, CouponRecord>();
  /** Every coupon ever created, including deleted ones whose id was later reused. */
  readonly couponHistory: CouponRecord[] = [];
  readonly sessions = new Map<string, SessionRecord>();
  readonly prices = new Map<string, PriceObject>();
  readonly products = new Map<string, ProductObject>();
  private readonly shippingRates = new Map<string, ShippingRateRecord>();
  /** Webhook endpoints and the balance (`account.ts`). */
  readonly account: AccountResources;

  constructor(private readonly options: EmulatorCoreOptions) {
    this.account = new AccountResources({ now: options.now, newId: options.newId });
    this.seedPrices();
  }

  /** Current time in Stripe's unit (epoch seconds). */
  nowSeconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  /** Forgets everything except the seeded prices. */
  reset(): void {
    this.coupons.clear();
    this.couponHistory.length = 0;
    this.sessions.clear();
    this.prices.clear();
    this.products.clear();
    this.shippingRates.clear();
    this.account.reset();
    this.seedPrices();
  }

  private seedPrices(): void {
    const created = this.nowSeconds();
    for (const seed of this.options.prices) {
      const productId = seed.productId ?? this.options.newId('product');
      if (!this.products.has(productId)) {
        this.products.set(
          productId,
          buildProduct({ id: productId, name: seed.productName, active: true, created }),
        );
      }
      this.prices.set(
        seed.id,
        buildPrice({
          id: seed.id,
          productId,
          unitAmount: seed.unitAmount,
          currency: seed.currency.toLowerCase(),
          active: seed.active ?? true,
          created,
          metadata: seed.metadata,
        }),
      );
    }
  }

  // ---------------------------------------------------------------- coupons

  /** `POST /v1/coupons`. */
  createCoupon(raw: FormObject): CouponObject {
    const params: CouponCreateParams = couponCreateSchema.parse(raw, '');
    if (params.amount_off !== undefined && params.percent_off !== undefined) {
      throw invalidParam(
        'You may only specify one of these parameters: amount_off, percent_off.',
        'amount_off',
        'parameters_exclusive',
      );
    }
    if (params.amount_off === undefined && params.percent_off === undefined) {
      throw invalidParam(
        'You must specify either amount_off or percent_off.',
        'amount_off',
        'parameter_missing',
      );
    }
    if (params.amount_off !== undefined && params.currency === undefined) {
      throw invalidParam('Missing required param: currency.', 'currency', 'parameter_missing');
    }
    const duration = params.duration ?? 'once';
    if (duration === 'repeating' && params.duration_in_months === undefined) {
      throw invalidParam(
        'Missing required param: duration_in_months.',
        'duration_in_months',
        'parameter_missing',
      );
    }
    if (duration !== 'repeating' && params.duration_in_months !== undefined) {
      throw invalidParam(
        'duration_in_months can only be set when duration is repeating.',
        'duration_in_months',
      );
    }
    const now = this.nowSeconds();
    if (params.redeem_by !== undefined && params.redeem_by <= now) {
      throw invalidParam('redeem_by must be in the future.', 'redeem_by');
    }
    const id = params.id ?? this.options.newId('coupon');
    const existing = this.coupons.get(id);
    if (existing && !existing.deleted) {
      throw new StripeApiError('Coupon already exists.', { code: 'resource_already_exists', param: 'id' });
    }
    const coupon: CouponObject = {
      id,
      object: 'coupon',
      amount_off: params.amount_off ?? null,
      created: now,
      currency: params.currency ?? null,
      duration,
      duration_in_months: params.duration_in_months ?? null,
      livemode: false,
      max_redemptions: params.max_redemptions ?? null,
      metadata: params.metadata ?? {},
      name: params.name ?? null,
      percent_off: params.percent_off ?? null,
      redeem_by: params.redeem_by ?? null,
      times_redeemed: 0,
      valid: true,
    };
    const record: CouponRecord = { coupon, deleted: false, deletedAt: null };
    this.coupons.set(id, record);
    this.couponHistory.push(record);
    return this.couponView(record);
  }

  /** `GET /v1/coupons/:id`. */
  retrieveCoupon(id: string, raw: FormObject): CouponObject {
    checkExpand(expandOnlySchema.parse(raw, '').expand, []);
    const record = this.coupons.get(id);
    if (!record || record.deleted) throw resourceMissing('coupon', id);
    return this.couponView(record);
  }

  /** `DELETE /v1/coupons/:id`: later sessions cannot use it; sessions that have it keep their discount. */
  deleteCoupon(id: string, raw: FormObject): { id: string; object: 'coupon'; deleted: true } {
    expandOnlySchema.parse(raw, '');
    const record = this.coupons.get(id);
    if (!record || record.deleted) throw resourceMissing('coupon', id);
    record.deleted = true;
    record.deletedAt = this.nowSeconds();
    return { id, object: 'coupon', deleted: true };
  }

  /** A coupon as Stripe shows it now: `valid` follows `redeem_by` and `max_redemptions`. */
  couponView(record: CouponRecord): CouponObject {
    const coupon = snapshot(record.coupon);
    coupon.valid = !record.deleted && this.couponProblem(record.coupon) === null;
    return coupon;
  }

  private couponProblem(coupon: CouponObject): 'expired' | 'exhausted' | null {
    if (coupon.redeem_by !== null && this.nowSeconds() >= coupon.redeem_by) return 'expired';
    if (isExhausted(coupon)) return 'exhausted';
    return null;
  }

  // ---------------------------------------------------------------- prices

  /** `GET /v1/prices/:id` (seeded prices and the inline prices sessions created). */
  retrievePrice(id: string, raw: FormObject): PriceObject {
    const expand = checkExpand(expandOnlySchema.parse(raw, '').expand, ['product']);
    const price = this.prices.get(id);
    if (!price) throw resourceMissing('price', id);
    const view = snapshot(price);
    if (expand.includes('product') && typeof view.product === 'string') {
      const product = this.products.get(view.product);
      if (product) view.product = snapshot(product);
    }
    return view;
  }

  // ---------------------------------------------------------------- sessions

  /** `POST /v1/checkout/sessions`. */
  createSession(raw: FormObject): SessionObject & { line_items?: ListObject<LineItemObject> } {
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
    const created = this.nowSeconds();
    const lines = lineParams.map((line, index) => this.resolveLine(line, index, created));
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
    const expiresAt = this.checkExpiresAt(params.expires_at, created);
    const shipping = this.resolveShippingOptions(params.shipping_options ?? [], currency);
    const couponRecord = this.resolveDiscount(params.discounts ?? [], currency);
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
    const taxEnabled = params.automatic_tax?.enabled ?? false;
    const firstShipping = shipping[0];
    const session: SessionObject = {
      id,
      object: 'checkout.session',
      adaptive_pricing: null,
      after_expiration: null,
      allow_promotion_codes: params.allow_promotion_codes ?? null,
      allowed_payment_method_types: null,
      amount_subtotal: subtotal,
      amount_total: total,
      automatic_tax: taxEnabled
        ? { enabled: true, liability: { type: 'self' }, provider: 'stripe', status: 'complete' }
        : { enabled: false, liability: null, provider: null, status: null },
      billing_address_collection: params.billing_address_collection ?? null,
      cancel_url: params.cancel_url ?? null,
      client_reference_id: params.client_reference_id ?? null,
      client_secret: null,
      collected_information: null,
      consent: null,
      consent_collection: null,
      created,
      currency,
      currency_conversion: null,
      custom_fields: [],
      custom_text: {
        after_submit: null,
        shipping_address: null,
        submit: null,
        terms_of_service_acceptance: null,
      },
      customer: null,
      customer_account: null,
      customer_creation: params.customer_creation ?? 'if_required',
      customer_details: null,
      customer_email: params.customer_email ?? null,
      discounts: coupon ? [{ coupon: coupon.id, promotion_code: null }] : [],
      expires_at: expiresAt,
      integration_identifier: null,
      invoice: null,
      invoice_creation: {
        enabled: false,
        invoice_data: {
          account_tax_ids: null,
          custom_fields: null,
          description: null,
          footer: null,
          issuer: null,
          metadata: {},
          rendering_options: null,
        },
      },
      livemode: false,
      locale: params.locale ?? null,
      managed_payments: null,
      metadata: params.metadata ?? {},
      mode: 'payment',
      origin_context: null,
      payment_intent: null,
      payment_link: null,
      payment_method_collection: 'if_required',
      payment_method_configuration_details: null,
      payment_method_options: {},
      payment_method_types: params.payment_method_types ?? ['card'],
      payment_status: 'unpaid',
      permissions: null,
      phone_number_collection: { enabled: params.phone_number_collection?.enabled ?? false },
      recovered_from: null,
      saved_payment_method_options: null,
      setup_intent: null,
      shipping_address_collection: params.shipping_address_collection
        ? { allowed_countries: params.shipping_address_collection.allowed_countries }
        : null,
      shipping_cost: firstShipping
        ? {
            amount_subtotal: firstShipping.amount,
            amount_tax: 0,
            amount_total: firstShipping.amount,
            shipping_rate: firstShipping.id,
          }
        : null,
      shipping_options: shipping.map((rate) => ({ shipping_amount: rate.amount, shipping_rate: rate.id })),
      status: 'open',
      submit_type: params.submit_type ?? null,
      subscription: null,
      success_url: params.success_url ?? null,
      total_details: {
        amount_discount: discount,
        amount_shipping: firstShipping ? firstShipping.amount : 0,
        amount_tax: 0,
      },
      ui_mode: 'hosted_page',
      url: this.options.payUrl(id),
      wallet_options: null,
    };
    const record: SessionRecord = {
      session,
      lineItems,
      paymentIntentData: params.payment_intent_data ?? null,
      coupon: couponRecord,
      shippingOptionNames: shipping.map((rate) => rate.displayName),
      asyncPayment: 'none',
    };
    this.sessions.set(id, record);
    return this.sessionView(record, expand);
  }

  private resolveLine(
    line: LineItemParams,
    index: number,
    created: number,
  ): {
    price: PriceObject;
    unitAmount: number;
    quantity: number;
    description: string;
    metadata: Record<string, string>;
  } {
    const where = `line_items[${index}]`;
    if (line.price !== undefined && line.price_data !== undefined) {
      throw invalidParam(
        `You may only specify one of these parameters: ${where}[price], ${where}[price_data].`,
        `${where}[price]`,
        'parameters_exclusive',
      );
    }
    if (line.quantity === undefined) {
      throw invalidParam(
        `Missing required param: ${where}[quantity].`,
        `${where}[quantity]`,
        'parameter_missing',
      );
    }
    if (line.price !== undefined) {
      const price = this.prices.get(line.price);
      if (!price) throw resourceMissing('price', line.price, `${where}[price]`);
      if (!price.active) {
        throw invalidParam(
          'The price specified is inactive. This field only accepts active prices.',
          `${where}[price]`,
        );
      }
      const productId = typeof price.product === 'string' ? price.product : price.product.id;
      return {
        price: snapshot(price),
        unitAmount: price.unit_amount ?? 0,
        quantity: line.quantity,
        description: this.products.get(productId)?.name ?? productId,
        metadata: line.metadata ?? {},
      };
    }
    const data = line.price_data;
    if (data === undefined) {
      throw invalidParam(
        `You must specify either ${where}[price] or ${where}[price_data].`,
        `${where}[price]`,
        'parameter_missing',
      );
    }
    if (data.product_data === undefined) {
      throw invalidParam(
        `Missing required param: ${where}[price_data][product_data].`,
        `${where}[price_data][product_data]`,
        'parameter_missing',
      );
    }
    if (data.unit_amount === undefined) {
      throw invalidParam(
        `Missing required param: ${where}[price_data][unit_amount].`,
        `${where}[price_data][unit_amount]`,
        'parameter_missing',
      );
    }
    const product = buildProduct({
      id: this.options.newId('product'),
      name: data.product_data.name,
      description: data.product_data.description,
      metadata: data.product_data.metadata,
      // Stripe creates inline products and prices inactive: they exist only for this session.
      active: false,
      created,
    });
    this.products.set(product.id, product);
    const price = buildPrice({
      id: this.options.newId('price'),
      productId: product.id,
      unitAmount: data.unit_amount,
      currency: data.currency,
      active: false,
      created,
      taxBehavior: data.tax_behavior,
    });
    this.prices.set(price.id, price);
    return {
      price: snapshot(price),
      unitAmount: data.unit_amount,
      quantity: line.quantity,
      description: product.name,
      metadata: line.metadata ?? {},
    };
  }

  private checkExpiresAt(expiresAt: number | undefined, created: number): number {
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

  private resolveShippingOptions(
    options: NonNullable<SessionCreateParams['shipping_options']>,
    currency: string,
  ): ShippingRateRecord[] {
    return options.map((option, index) => {
      const where = `shipping_options[${index}]`;
      if (option.shipping_rate !== undefined && option.shipping_rate_data !== undefined) {
        throw invalidParam(
          `You may only specify one of these parameters: ${where}[shipping_rate], ${where}[shipping_rate_data].`,
          `${where}[shipping_rate]`,
          'parameters_exclusive',
        );
      }
      let rate: ShippingRateRecord;
      if (option.shipping_rate !== undefined) {
        const existing = this.shippingRates.get(option.shipping_rate);
        if (!existing)
          throw resourceMissing('shipping rate', option.shipping_rate, `${where}[shipping_rate]`);
        rate = existing;
      } else {
        const data = option.shipping_rate_data;
        if (data === undefined) {
          throw invalidParam(
            `You must specify either ${where}[shipping_rate] or ${where}[shipping_rate_data].`,
            `${where}[shipping_rate_data]`,
            'parameter_missing',
          );
        }
        if (data.fixed_amount === undefined) {
          throw invalidParam(
            `Missing required param: ${where}[shipping_rate_data][fixed_amount].`,
            `${where}[shipping_rate_data][fixed_amount]`,
            'parameter_missing',
          );
        }
        rate = {
          id: this.options.newId('shippingRate'),
          displayName: data.display_name,
          amount: data.fixed_amount.amount,
          currency: data.fixed_amount.currency,
        };
        this.shippingRates.set(rate.id, rate);
      }
      if (rate.currency !== currency) {
        throw invalidParam(
          `The shipping rate's currency (${rate.currency}) must match the session's (${currency}).`,
          `${where}[shipping_rate_data][fixed_amount][currency]`,
        );
      }
      return rate;
    });
  }

  private resolveDiscount(
    discounts: NonNullable<SessionCreateParams['discounts']>,
    currency: string,
  ): CouponRecord | null {
    const entry = discounts[0];
    if (!entry) return null;
    if (entry.promotion_code !== undefined) {
      throw invalidParam(
        'The Stripe emulator does not implement promotion codes.',
        'discounts[0][promotion_code]',
        'parameter_unknown',
      );
    }
    if (entry.coupon === undefined) {
      throw invalidParam(
        'Missing required param: discounts[0][coupon].',
        'discounts[0][coupon]',
        'parameter_missing',
      );
    }
    const param = 'discounts[0][coupon]';
    const record = this.coupons.get(entry.coupon);
    if (!record || record.deleted) throw resourceMissing('coupon', entry.coupon, param);
    const problem = this.couponProblem(record.coupon);
    if (problem === 'expired') {
      throw new StripeApiError(`Coupon '${entry.coupon}' has expired: its redeem_by date has passed.`, {
        code: 'coupon_expired',
        param,
      });
    }
    if (problem === 'exhausted') {
      throw new StripeApiError(
        `Coupon '${entry.coupon}' is no longer valid: it has been redeemed its max_redemptions times.`,
        { code: 'coupon_expired', param },
      );
    }
    const coupon = record.coupon;
    if (coupon.amount_off !== null && coupon.currency !== currency) {
      throw invalidParam(
        `The coupon's currency (${coupon.currency}) does not match the session's currency (${currency}).`,
        param,
      );
    }
    return record;
  }

  /** `GET /v1/checkout/sessions/:id`. */
  retrieveSession(id: string, raw: FormObject): SessionObject & { line_items?: ListObject<LineItemObject> } {
    const expand = checkExpand(expandOnlySchema.parse(raw, '').expand, ['line_items']);
    return this.sessionView(this.requireSessionForApi(id), expand);
  }

  /** `GET /v1/checkout/sessions/:id/line_items`. */
  listLineItems(id: string, raw: FormObject): ListObject<LineItemObject> {
    const params = listLineItemsSchema.parse(raw, '');
    checkExpand(params.expand, []);
    const record = this.requireSessionForApi(id);
    return pageOf(
      record.lineItems,
      params.limit ?? 10,
      params.starting_after,
      params.ending_before,
      `/v1/checkout/sessions/${id}/line_items`,
    );
  }

  /** `POST /v1/checkout/sessions/:id/expire`. */
  expireSessionViaApi(
    id: string,
    raw: FormObject,
    request: RequestInfo,
  ): SessionObject & { line_items?: ListObject<LineItemObject> } {
    const expand = checkExpand(expandOnlySchema.parse(raw, '').expand, ['line_items']);
    const record = this.requireSessionForApi(id);
    if (record.session.status !== 'open') {
      throw new StripeApiError('Only Checkout Sessions with a status in ["open"] can be expired.');
    }
    this.expire(record, request);
    return this.sessionView(record, expand);
  }

  private requireSessionForApi(id: string): SessionRecord {
    const record = this.sessions.get(id);
    if (!record) throw resourceMissing('checkout.session', id);
    return record;
  }

  /** The session as the API shows it; `line_items` only when expanded, as in Stripe. */
  sessionView(
    record: SessionRecord,
    expand: readonly string[] = [],
  ): SessionObject & { line_items?: ListObject<LineItemObject> } {
    const view: SessionObject & { line_items?: ListObject<LineItemObject> } = snapshot(record.session);
    if (expand.includes('line_items')) {
      view.line_items = pageOf(
        record.lineItems,
        100,
        undefined,
        undefined,
        `/v1/checkout/sessions/${view.id}/line_items`,
      );
    }
    return view;
  }

  // ---------------------------------------------------------------- life cycle (control surface)

  /** The record behind a session id, for the pay page and inspection. */
  findSession(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  private requireSession(id: string): SessionRecord {
    const record = this.sessions.get(id);
    if (!record) throw new EmulatorError('session_not_found', `No checkout session ${id}.`, 404);
    return record;
  }

  /**
   * What the customer paying on the hosted page does: completes an open session, redeems its
   * coupon and emits `checkout.session.completed`. A session past its `expires_at` is expired
   * instead (and `session_expired` thrown), like a customer arriving too late.
   */
  completeSession(id: string, options: CompleteSessionOptions = {}): SessionObject {
    const record = this.requireSession(id);
    const session = record.session;
    if (session.status !== 'open') {
      throw new EmulatorError('session_not_open', `Checkout session ${id} is ${session.status}, not open.`);
    }
    if (this.nowSeconds() >= session.expires_at) {
      this.expire(record, { id: null, idempotencyKey: null });
      throw new EmulatorError('session_expired', `Checkout session ${id} has expired.`);
    }
    const coupon = record.coupon;
    // The cap is checked again at payment: two open sessions may share a max_redemptions=1 coupon.
    // A deleted coupon stays honoured, because deleting does not remove applied discounts.
    if (coupon && isExhausted(coupon.coupon)) {
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
    if (coupon) {
      coupon.coupon.times_redeemed += 1;
      coupon.coupon.valid = this.couponProblem(coupon.coupon) === null && !coupon.deleted;
    }
    record.asyncPayment = isAsync ? 'pending' : 'none';
    this.options.emit('checkout.session.completed', snapshot(session), { id: null, idempotencyKey: null });
    return snapshot(session);
  }

  /** Settles a delayed payment: `paid` + `async_payment_succeeded`, or `async_payment_failed`. */
  settleAsyncPayment(id: string, succeeded: boolean): SessionObject {
    const record = this.requireSession(id);
    if (record.asyncPayment !== 'pending') {
      throw new EmulatorError(
        'no_async_payment_pending',
        `Checkout session ${id} has no pending async payment.`,
      );
    }
    record.asyncPayment = succeeded ? 'succeeded' : 'failed';
    if (succeeded) record.session.payment_status = 'paid';
    this.options.emit(
      succeeded ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed',
      snapshot(record.session),
      { id: null, idempotencyKey: null },
    );
    return snapshot(record.session);
  }

  /** Expires one open session, as `POST …/expire` does (without an API request behind it). */
  expireSession(id: string): SessionObject {
    const record = this.requireSession(id);
    if (record.session.status !== 'open') {
      throw new EmulatorError(
        'session_not_open',
        `Checkout session ${id} is ${record.session.status}, not open.`,
      );
    }
    this.expire(record, { id: null, idempotencyKey: null });
    return snapshot(record.session);
  }

  /** Expires every open session whose `expires_at` has passed; returns their ids. */
  expireDueSessions(): string[] {
    const now = this.nowSeconds();
    const due = [...this.sessions.values()].filter(
      (record) => record.session.status === 'open' && record.session.expires_at <= now,
    );
    for (const record of due) this.expire(record, { id: null, idempotencyKey: null });
    return due.map((record) => record.session.id);
  }

  private expire(record: SessionRecord, request: RequestInfo): void {
    record.session.status = 'expired';
    record.session.url = null;
    this.options.emit('checkout.session.expired', snapshot(record.session), request);
  }
}

function isExhausted(coupon: CouponObject): boolean {
  return coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions;
}

/** Validates `expand[]` against what an endpoint can expand, with Stripe's message otherwise. */
function checkExpand(expand: string[] | undefined, allowed: readonly string[]): string[] {
  for (const [index, path] of (expand ?? []).entries()) {
    if (!allowed.includes(path)) {
      throw invalidParam(
        `This property cannot be expanded (${path}) by the Stripe emulator.`,
        `expand[${index}]`,
      );
    }
  }
  return expand ?? [];
}

/** A coupon's discount on a subtotal: `amount_off` capped at the subtotal, or `percent_off` rounded half up. */
export function discountOf(
  coupon: Pick<CouponObject, 'amount_off' | 'percent_off'>,
  subtotal: number,
): number {
  if (coupon.amount_off !== null) return Math.min(coupon.amount_off, subtotal);
  // Percentages may carry decimals (25.5): scale to hundredths so the rounding is exact integer math.
  const hundredths = Math.round((coupon.percent_off ?? 0) * 100);
  return Math.floor((subtotal * hundredths + 5000) / 10000);
}

function pageOf<T extends { id: string }>(
  items: readonly T[],
  limit: number,
  startingAfter: string | undefined,
  endingBefore: string | undefined,
  url: string,
): ListObject<T> {
  let start = 0;
  let end = items.length;
  if (startingAfter !== undefined) {
    const index = items.findIndex((item) => item.id === startingAfter);
    if (index < 0) throw resourceMissing('line item', startingAfter, 'starting_after');
    start = index + 1;
  } else if (endingBefore !== undefined) {
    const index = items.findIndex((item) => item.id === endingBefore);
    if (index < 0) throw resourceMissing('line item', endingBefore, 'ending_before');
    end = index;
    start = Math.max(0, end - limit);
  }
  const data = items.slice(start, Math.min(end, start + limit)).map((item) => snapshot(item));
  return { object: 'list', data, has_more: start + data.length < end, url };
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
