import Stripe from 'stripe';
import {
  type CallOptions,
  type CheckoutGateway,
  type CheckoutSessionView,
  CouponRefusedError,
  PaymentProviderError,
} from '../../app/ports';
import { toSessionCreateParams } from './session-params';

/**
 * {@link CheckoutGateway} on the official Stripe SDK. Stripe's errors become
 * {@link PaymentProviderError}s here, so nothing above this file knows the SDK's error classes.
 */
export function createStripeGateway(stripe: Stripe): CheckoutGateway {
  const gateway: CheckoutGateway = {
    async createCoupon(spec, options) {
      const params: Stripe.CouponCreateParams = {
        id: spec.id,
        amount_off: spec.amountOff,
        currency: spec.currency,
        duration: 'once',
        max_redemptions: 1,
        redeem_by: spec.redeemBy,
        name: spec.name,
        metadata: { ...spec.metadata },
      };
      await call(() => stripe.coupons.create(params, requestOptions(options)));
    },

    async retrieveCoupon(id, options) {
      try {
        const coupon = await call(() => stripe.coupons.retrieve(id, {}, requestOptions(options)));
        return { amountOff: coupon.amount_off, valid: coupon.valid };
      } catch (err: unknown) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async deleteCoupon(id, options) {
      try {
        await call(() => stripe.coupons.del(id, {}, requestOptions(options)));
        return 'deleted';
      } catch (err: unknown) {
        if (isMissing(err)) return 'missing';
        throw err;
      }
    },

    async createSession(spec, options) {
      const params = toSessionCreateParams(spec);
      try {
        return toView(await call(() => stripe.checkout.sessions.create(params, requestOptions(options))));
      } catch (err: unknown) {
        if (spec.couponId && isCouponRefusal(err)) {
          throw new CouponRefusedError(err instanceof Error ? err.message : String(err), { cause: err });
        }
        throw err;
      }
    },

    async retrieveSession(id, options) {
      try {
        return toView(await call(() => stripe.checkout.sessions.retrieve(id, {}, requestOptions(options))));
      } catch (err: unknown) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async expireSession(id, options) {
      try {
        return toView(await call(() => stripe.checkout.sessions.expire(id, {}, requestOptions(options))));
      } catch (err: unknown) {
        if (isMissing(err)) return null;
        // Stripe refuses to expire a session that is not open (paid, awaiting a transfer, or expired
        // already): what it is now is the answer.
        if (!(err instanceof PaymentProviderError) || err.kind !== 'rejected') throw err;
        return gateway.retrieveSession(id, options);
      }
    },
  };
  return gateway;
}

function requestOptions(options: CallOptions = {}): Stripe.RequestOptions {
  return {
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: Math.max(1, Math.floor(options.timeoutMs)) } : {}),
  };
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err: unknown) {
    throw toProviderError(err);
  }
}

/**
 * Stripe refused the session's parameters because of its discount: the error names the `discounts`
 * parameter (a coupon that does not exist, was deleted or is used up), or says `coupon_expired`.
 */
function isCouponRefusal(err: unknown): boolean {
  if (!(err instanceof PaymentProviderError) || err.kind !== 'rejected') return false;
  return err.details.param?.startsWith('discounts') === true || err.details.providerCode === 'coupon_expired';
}

function isMissing(err: unknown): boolean {
  return err instanceof PaymentProviderError && err.details.providerCode === 'resource_missing';
}

/**
 * Stripe's refusals (4xx but 409 and 429) are `rejected`; everything else may work on a retry. An
 * idempotency error (the key was used with other parameters) is not a refusal of the parameters:
 * it must never lead to a fallback request, which would make a second session.
 */
export function toProviderError(err: unknown): PaymentProviderError {
  if (err instanceof PaymentProviderError) return err;
  if (err instanceof Stripe.errors.StripeError) {
    const statusCode = err.statusCode;
    const rejected =
      !(err instanceof Stripe.errors.StripeIdempotencyError) &&
      statusCode !== undefined &&
      statusCode >= 400 &&
      statusCode < 500 &&
      statusCode !== 429 &&
      statusCode !== 409;
    return new PaymentProviderError(
      rejected ? 'rejected' : 'unavailable',
      `Stripe ${err.type}${err.code ? ` (${err.code})` : ''}: ${err.message}`,
      {
        ...(err.code ? { providerCode: err.code } : {}),
        ...(err.param ? { param: err.param } : {}),
        ...(statusCode !== undefined ? { statusCode } : {}),
      },
      { cause: err },
    );
  }
  return new PaymentProviderError('unavailable', `Stripe call failed: ${String(err)}`, {}, { cause: err });
}

/** What this system reads of a Stripe Checkout Session object (API response or event payload). */
export function toView(session: Stripe.Checkout.Session): CheckoutSessionView {
  const discount = session.discounts?.[0]?.coupon;
  const shipping = session.collected_information?.shipping_details?.address ?? null;
  return {
    id: session.id,
    url: session.url,
    status: session.status,
    paymentStatus: session.payment_status,
    currency: session.currency,
    amountSubtotal: session.amount_subtotal,
    amountTotal: session.amount_total,
    amountDiscount: session.total_details?.amount_discount ?? 0,
    amountShipping: session.total_details?.amount_shipping ?? 0,
    amountTax: session.total_details?.amount_tax ?? 0,
    expiresAt: session.expires_at,
    metadata: { ...(session.metadata ?? {}) },
    customerEmail: session.customer_details?.email ?? session.customer_email ?? null,
    customerName:
      session.collected_information?.shipping_details?.name ?? session.customer_details?.name ?? null,
    shippingAddress: shipping ? { ...shipping } : null,
    couponId: typeof discount === 'string' ? discount : (discount?.id ?? null),
    paymentIntentId:
      typeof session.payment_intent === 'string'
        ? session.payment_intent
        : (session.payment_intent?.id ?? null),
  };
}
