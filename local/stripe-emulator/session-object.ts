/**
 * The Checkout Session object a new session starts as: every field of Stripe's
 * `checkout.session`, filled from the create parameters and the amounts computed for them, with
 * Stripe's defaults where the emulator has nothing to say. Kept apart from the rules that decide
 * the amounts (checkout-sessions.ts) because it is long and only maps.
 */
import type { SessionObject } from './objects';
import type { SessionCreateParams } from './schemas';
import type { ShippingRate } from './shipping-rates';

/** What a new session is made of, once its parameters are checked and its amounts computed. */
export interface NewSessionFields {
  id: string;
  params: SessionCreateParams;
  created: number;
  currency: string;
  expiresAt: number;
  subtotal: number;
  discount: number;
  total: number;
  /** The coupon's id, when one applies. */
  couponId: string | null;
  /** The chosen shipping options, in order; the first one is charged. */
  shipping: readonly ShippingRate[];
  /** The hosted page's address. */
  url: string;
}

/** Builds an open, unpaid session. */
export function buildSession(fields: NewSessionFields): SessionObject {
  const { id, params, created, currency, expiresAt, subtotal, discount, total, shipping } = fields;
  const taxEnabled = params.automatic_tax?.enabled ?? false;
  const firstShipping = shipping[0];
  return {
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
    discounts: fields.couponId ? [{ coupon: fields.couponId, promotion_code: null }] : [],
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
    url: fields.url,
    wallet_options: null,
  };
}
