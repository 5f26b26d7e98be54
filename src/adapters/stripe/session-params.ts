import type Stripe from 'stripe';
import type { CheckoutSessionSpec, SessionLineSpec, ShippingRateSpec } from '../../app/ports';

type AllowedCountry = Stripe.Checkout.SessionCreateParams.ShippingAddressCollection.AllowedCountry;

/**
 * Stripe's `POST /v1/checkout/sessions` parameters for a session the application described in its
 * own terms. Every parameter name here follows Stripe's published API for Checkout Sessions.
 */
export function toSessionCreateParams(spec: CheckoutSessionSpec): Stripe.Checkout.SessionCreateParams {
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    line_items: spec.lines.map((line) => lineItem(line, spec.currency)),
    metadata: { ...spec.metadata },
    client_reference_id: spec.reference,
    success_url: spec.successUrl,
    cancel_url: spec.cancelUrl,
    expires_at: spec.expiresAt,
    payment_intent_data: { metadata: { ...spec.paymentMetadata } },
  };
  if (spec.couponId) params.discounts = [{ coupon: spec.couponId }];
  if (spec.customerEmail) params.customer_email = spec.customerEmail;
  if (spec.automaticTax) params.automatic_tax = { enabled: true };
  if (spec.shippingCountries.length > 0) {
    // Two-letter codes, checked when the configuration was read; Stripe refuses one it does not serve.
    params.shipping_address_collection = { allowed_countries: spec.shippingCountries as AllowedCountry[] };
  }
  if (spec.shippingRates.length > 0) {
    params.shipping_options = spec.shippingRates.map((rate) => shippingOption(rate, spec.currency));
  }
  return params;
}

function lineItem(line: SessionLineSpec, currency: string): Stripe.Checkout.SessionCreateParams.LineItem {
  if (line.kind === 'price') return { price: line.priceId, quantity: line.quantity };
  return {
    quantity: line.quantity,
    price_data: {
      currency,
      unit_amount: line.unitAmount,
      product_data: {
        name: line.name,
        metadata: { sku: line.sku },
        ...(line.images.length > 0 ? { images: [...line.images] } : {}),
      },
    },
  };
}

function shippingOption(
  rate: ShippingRateSpec,
  currency: string,
): Stripe.Checkout.SessionCreateParams.ShippingOption {
  return {
    shipping_rate_data: {
      type: 'fixed_amount',
      display_name: rate.name,
      fixed_amount: { amount: rate.amount, currency },
      ...(rate.delivery
        ? {
            delivery_estimate: {
              minimum: { unit: 'business_day', value: rate.delivery.minDays },
              maximum: { unit: 'business_day', value: rate.delivery.maxDays },
            },
          }
        : {}),
    },
  };
}
