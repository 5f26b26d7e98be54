/**
 * Request parameters of the endpoints the emulator implements. Anything not listed here is
 * answered `parameter_unknown`, even when real Stripe accepts it: a call the emulator cannot
 * honour must fail loudly rather than be half-emulated.
 */
import {
  boolean,
  currency,
  decimal,
  email,
  type Infer,
  integer,
  list,
  metadata,
  object,
  oneOf,
  optional,
  required,
  string,
  url,
} from './params';

export const MAX_LINE_ITEMS = 100;
export const MAX_SHIPPING_OPTIONS = 5;
const MAX_AMOUNT = 99_999_999;

const expand = optional(list(string({ max: 200 })));

export const couponCreateShape = {
  id: optional(
    string({ max: 200, pattern: /^\S+$/, patternMessage: 'Invalid id: must not contain whitespace' }),
  ),
  amount_off: optional(integer({ min: 1, max: MAX_AMOUNT })),
  percent_off: optional(decimal({ exclusiveMin: 0, max: 100 })),
  currency: optional(currency()),
  duration: optional(oneOf(['once', 'repeating', 'forever'])),
  duration_in_months: optional(integer({ min: 1, max: 120 })),
  max_redemptions: optional(integer({ min: 1 })),
  redeem_by: optional(integer({ min: 0 })),
  metadata: optional(metadata()),
  name: optional(string({ max: 40 })),
  expand,
};
export const couponCreateSchema = object(couponCreateShape);
export type CouponCreateParams = Infer<typeof couponCreateShape>;

/** `expand` alone: what retrieve and delete endpoints accept. */
export const expandOnlySchema = object({ expand });

/** Parameters of a list that Stripe has and the emulator does not filter by. */
function unfilteredHint(names: readonly string[]): (key: string) => string {
  return (key) => (names.includes(key) ? ' (Stripe accepts it; the emulator does not implement it)' : '');
}

const pageShape = {
  limit: optional(integer({ min: 1, max: 100 })),
  starting_after: optional(string({ max: 5000 })),
  ending_before: optional(string({ max: 5000 })),
  expand,
};

/** `GET /v1/products`. */
export const productListSchema = object(
  { ...pageShape, active: optional(boolean()), ids: optional(list(string({ max: 5000 }))) },
  { unknownHint: unfilteredHint(['created', 'shippable', 'type', 'url']) },
);

/** `GET /v1/prices`. */
export const priceListSchema = object(
  {
    ...pageShape,
    active: optional(boolean()),
    product: optional(string({ max: 5000 })),
    type: optional(oneOf(['one_time', 'recurring'])),
    currency: optional(currency()),
  },
  { unknownHint: unfilteredHint(['created', 'lookup_keys', 'recurring']) },
);

/** `GET /v1/refunds`. */
export const refundListSchema = object(
  {
    ...pageShape,
    payment_intent: optional(string({ max: 5000 })),
    charge: optional(string({ max: 5000 })),
  },
  { unknownHint: unfilteredHint(['created']) },
);

export const listLineItemsSchema = object({
  limit: optional(integer({ min: 1, max: 100 })),
  starting_after: optional(string({ max: 200 })),
  ending_before: optional(string({ max: 200 })),
  expand,
});

const productData = object({
  name: required(string({ max: 250 })),
  description: optional(string({ max: 40_000 })),
  images: optional(list(url(), { max: 8 })),
  metadata: optional(metadata()),
  tax_code: optional(string({ max: 50 })),
  unit_label: optional(string({ max: 12 })),
});

const priceData = object({
  currency: required(currency()),
  product_data: optional(productData),
  unit_amount: optional(integer({ min: 0, max: MAX_AMOUNT })),
  tax_behavior: optional(oneOf(['exclusive', 'inclusive', 'unspecified'])),
});

const lineItemShape = {
  price: optional(string({ max: 200 })),
  price_data: optional(priceData),
  quantity: optional(integer({ min: 1, max: 999_999 })),
  metadata: optional(metadata()),
};
export type LineItemParams = Infer<typeof lineItemShape>;

const shippingRateData = object({
  display_name: required(string({ max: 100 })),
  type: optional(oneOf(['fixed_amount'])),
  fixed_amount: optional(
    object({
      amount: required(integer({ min: 0, max: MAX_AMOUNT })),
      currency: required(currency()),
    }),
  ),
  delivery_estimate: optional(
    object({
      minimum: optional(
        object({
          unit: required(oneOf(['business_day', 'day', 'hour', 'month', 'week'])),
          value: required(integer({ min: 1 })),
        }),
      ),
      maximum: optional(
        object({
          unit: required(oneOf(['business_day', 'day', 'hour', 'month', 'week'])),
          value: required(integer({ min: 1 })),
        }),
      ),
    }),
  ),
  metadata: optional(metadata()),
  tax_behavior: optional(oneOf(['exclusive', 'inclusive', 'unspecified'])),
  tax_code: optional(string({ max: 50 })),
});

const paymentIntentData = object({
  description: optional(string({ max: 1000 })),
  metadata: optional(metadata()),
  receipt_email: optional(email()),
  statement_descriptor: optional(string({ max: 22 })),
  statement_descriptor_suffix: optional(string({ max: 22 })),
  capture_method: optional(oneOf(['automatic', 'automatic_async', 'manual'])),
  transfer_group: optional(string({ max: 200 })),
});

/** Top-level Checkout Session parameters that Stripe has and the emulator deliberately lacks. */
const STRIPE_ONLY_SESSION_PARAMS = new Set([
  'adaptive_pricing',
  'after_expiration',
  'allowed_payment_method_types',
  'branding_settings',
  'consent_collection',
  'custom_fields',
  'custom_text',
  'customer',
  'customer_account',
  'customer_update',
  'excluded_payment_method_types',
  'integration_identifier',
  'invoice_creation',
  'managed_payments',
  'name_collection',
  'optional_items',
  'origin_context',
  'payment_method_collection',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'permissions',
  'redirect_on_completion',
  'return_url',
  'saved_payment_method_options',
  'setup_intent_data',
  'subscription_data',
  'tax_id_collection',
  'ui_mode',
  'wallet_options',
]);

export const sessionCreateShape = {
  mode: required(oneOf(['payment', 'setup', 'subscription'])),
  line_items: optional(
    list(object(lineItemShape), {
      max: MAX_LINE_ITEMS,
      maxMessage: `line_items: a Checkout Session in payment mode can have at most ${MAX_LINE_ITEMS} line items.`,
    }),
  ),
  discounts: optional(
    list(object({ coupon: optional(string({ max: 200 })), promotion_code: optional(string({ max: 200 })) }), {
      max: 1,
      maxMessage: 'discounts: only one discount (a coupon or a promotion code) can be applied to a session.',
    }),
  ),
  allow_promotion_codes: optional(boolean()),
  metadata: optional(metadata()),
  client_reference_id: optional(string({ max: 200 })),
  customer_email: optional(email()),
  customer_creation: optional(oneOf(['always', 'if_required'])),
  success_url: optional(url()),
  cancel_url: optional(url()),
  expires_at: optional(integer({ min: 0 })),
  currency: optional(currency()),
  locale: optional(string({ max: 10 })),
  submit_type: optional(oneOf(['auto', 'book', 'donate', 'pay'])),
  billing_address_collection: optional(oneOf(['auto', 'required'])),
  phone_number_collection: optional(object({ enabled: required(boolean()) })),
  payment_method_types: optional(list(string({ max: 50 }), { max: 40 })),
  shipping_address_collection: optional(
    object({
      allowed_countries: required(
        list(string({ pattern: /^[A-Z]{2}$/, patternMessage: 'Invalid country code' }), { max: 250 }),
      ),
    }),
  ),
  shipping_options: optional(
    list(
      object({
        shipping_rate: optional(string({ max: 200 })),
        shipping_rate_data: optional(shippingRateData),
      }),
      {
        max: MAX_SHIPPING_OPTIONS,
        maxMessage: `shipping_options: at most ${MAX_SHIPPING_OPTIONS} shipping options are allowed.`,
      },
    ),
  ),
  automatic_tax: optional(object({ enabled: required(boolean()) })),
  payment_intent_data: optional(paymentIntentData),
  expand,
};
export const sessionCreateSchema = object(sessionCreateShape, {
  unknownHint: (key) =>
    STRIPE_ONLY_SESSION_PARAMS.has(key) ? ' (Stripe accepts it; the emulator does not implement it)' : '',
});
export type SessionCreateParams = Infer<typeof sessionCreateShape>;
export type PaymentIntentDataParams = NonNullable<SessionCreateParams['payment_intent_data']>;
