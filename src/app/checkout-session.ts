import type { CheckoutConfig } from '../config';
import type { Catalog } from '../domain/catalog';
import { type ChargeLine, foldDiscountIntoLines } from '../domain/inline-discount';
import type { PricedCart } from '../domain/priced-cart';
import {
  type CheckoutGateway,
  type CheckoutSessionSpec,
  type CheckoutSessionView,
  CouponRefusedError,
  type DiscountMode,
  PaymentProviderError,
  type SessionLineSpec,
  type ShippingRateSpec,
  type StoredQuote,
} from './ports';
import { describeError, type Telemetry } from './telemetry';
import { CHECKOUT_STRIPE_ATTEMPT_MS } from './time-budgets';

/** A coupon stays redeemable this long after its session expires (clock skew at Stripe). */
const COUPON_GRACE_SECONDS = 300;

export interface StripeSessionDeps {
  readonly catalog: Catalog;
  readonly gateway: CheckoutGateway;
  readonly checkout: CheckoutConfig;
  readonly telemetry: Telemetry;
  /** Epoch milliseconds; deadlines are measured with it. */
  readonly now: () => number;
}

/** What one checkout attempt made at Stripe. */
export interface StripeSessionOutcome {
  readonly session: CheckoutSessionView;
  readonly couponId: string | null;
  readonly discountMode: DiscountMode;
}

/** The one-time coupon of one checkout attempt: every retry of the attempt names the same coupon. */
export function couponIdOf(attemptKey: string): string {
  return `checkout_${attemptKey}`;
}

/** How long the next Stripe call may take: at most 3 s, or half of what is left before `deadline`. */
export function attemptTimeout(now: number, deadline: number): number {
  const remaining = deadline - now;
  if (remaining < 250) throw new PaymentProviderError('unavailable', 'no time left for another Stripe call');
  return Math.min(CHECKOUT_STRIPE_ATTEMPT_MS, Math.floor(remaining / 2));
}

/**
 * Makes one checkout attempt's session at Stripe: the quote's discount as a one-time coupon of its
 * own, then the session using it. Both calls carry the attempt's idempotency keys, so a retry gets
 * Stripe's same answers. Only a refusal of the coupon (never an outage or an idempotency error) falls
 * back to `COUPON_FALLBACK`: the discount folded into the line prices, or none.
 */
export async function createStripeSession(
  deps: StripeSessionDeps,
  input: {
    readonly quote: StoredQuote;
    readonly attemptKey: string;
    readonly email: string | undefined;
    readonly cartId: string | undefined;
    readonly sessionExpiresAt: number;
    readonly deadline: number;
  },
): Promise<StripeSessionOutcome> {
  const { quote, attemptKey } = input;
  const timeoutMs = () => attemptTimeout(deps.now(), input.deadline);
  const create = async (discountMode: DiscountMode, couponId: string | null, keySuffix = '') => {
    const spec = checkoutSessionSpec(deps.checkout, deps.catalog, quote, input, {
      mode: discountMode,
      couponId,
    });
    const session = await deps.gateway.createSession(spec, {
      idempotencyKey: `checkout-${attemptKey}${keySuffix}`,
      timeoutMs: timeoutMs(),
    });
    return { session, couponId, discountMode };
  };

  if (quote.pricedCart.discount === 0) return create('none', null);
  const couponId = couponIdOf(attemptKey);
  if (await ensureCoupon(deps, quote, couponId, input.sessionExpiresAt, attemptKey, timeoutMs)) {
    try {
      return await create('coupon', couponId);
    } catch (err: unknown) {
      if (!(err instanceof CouponRefusedError)) throw err;
      reportCouponFallback(deps, err);
    }
  }
  const mode = deps.checkout.couponFallback;
  return create(mode, null, `-${mode}`);
}

/**
 * Creates the attempt's coupon: `true` when it exists and fits (made now, or by an earlier try whose
 * idempotency key Stripe has pruned), `false` when Stripe refused it (fall back); rethrows when Stripe
 * is unavailable.
 */
async function ensureCoupon(
  deps: StripeSessionDeps,
  quote: StoredQuote,
  couponId: string,
  sessionExpiresAt: number,
  attemptKey: string,
  timeoutMs: () => number,
): Promise<boolean> {
  const { pricedCart } = quote;
  try {
    await deps.gateway.createCoupon(
      {
        id: couponId,
        amountOff: pricedCart.discount,
        currency: pricedCart.currency,
        redeemBy: sessionExpiresAt + COUPON_GRACE_SECONDS,
        name: discountName(pricedCart),
        metadata: {
          cartHash: quote.cartHash,
          catalogVersion: pricedCart.catalogVersion,
          ...codeMetadata(pricedCart),
        },
      },
      { idempotencyKey: `coupon-${attemptKey}`, timeoutMs: timeoutMs() },
    );
    return true;
  } catch (err: unknown) {
    if (!(err instanceof PaymentProviderError) || err.kind !== 'rejected') throw err;
    if (err.details.providerCode === 'resource_already_exists') {
      const existing = await deps.gateway.retrieveCoupon(couponId, { timeoutMs: timeoutMs() });
      if (existing?.valid && existing.amountOff === pricedCart.discount) return true;
    }
    reportCouponFallback(deps, err);
    deps.telemetry.log.warn('coupon not usable', { couponId });
    return false;
  }
}

function reportCouponFallback(deps: StripeSessionDeps, err: unknown) {
  deps.telemetry.metrics.count('CouponFallback');
  deps.telemetry.log.error('coupon refused by Stripe; falling back', {
    fallback: deps.checkout.couponFallback,
    error: describeError(err),
  });
}

/** The applied discount code, for the Dashboard: `{ code: 'BABES10' }`, or nothing. */
function codeMetadata(pricedCart: PricedCart): Record<string, string> {
  return pricedCart.code?.status === 'applied' ? { code: pricedCart.code.code } : {};
}

/** Characters of a Stripe coupon's name, at most. */
const COUPON_NAME_LENGTH = 40;

/**
 * What Stripe's page calls the discount (a coupon name holds 40 characters): the code first, so the
 * shopper sees it, then as many of the bundles' names as fit whole — `BABES10 + Tee stack`,
 * `TEES20 + Tee stack, Hoodie pair + 1 more` — never a name cut off in the middle of a word.
 */
export function discountName(pricedCart: PricedCart): string {
  const code = pricedCart.code?.status === 'applied' ? pricedCart.code.code : null;
  const names = pricedCart.appliedBundles.map((b) => b.name);
  if (names.length === 0) return fitted(code ? `Code ${code}` : 'Bundle discount');
  const lead = code ? `${code} + ` : '';
  for (let shown = names.length; shown >= 1; shown -= 1) {
    const more = names.length - shown;
    const name = `${lead}${names.slice(0, shown).join(', ')}${more > 0 ? ` + ${more} more` : ''}`;
    if (name.length <= COUPON_NAME_LENGTH) return name;
  }
  // Not even one bundle's name fits beside the code (or alone: bundle names hold 80 characters).
  if (!code) return names.length === 1 ? fitted(names[0] ?? '') : `${names.length} bundle deals`;
  const summary = `${code} + bundle deals`;
  return summary.length <= COUPON_NAME_LENGTH ? summary : fitted(`Code ${code}`);
}

/** `text`, or as many of its words as fit before an ellipsis within a coupon name's length. */
function fitted(text: string): string {
  if (text.length <= COUPON_NAME_LENGTH) return text;
  const head = text.slice(0, COUPON_NAME_LENGTH - 1);
  const wordEnd = text[COUPON_NAME_LENGTH - 1] === ' ' ? head.length : head.lastIndexOf(' ');
  // One word longer than the name (a long code) is cut where it must be.
  const words = wordEnd > 0 ? head.slice(0, wordEnd) : head;
  return `${words.replace(/[\s,;:+–-]+$/, '')}…`;
}

/** The session to create for a quote, in the project's terms (the Stripe adapter maps it). */
export function checkoutSessionSpec(
  config: CheckoutConfig,
  catalog: Catalog,
  quote: StoredQuote,
  input: {
    readonly email: string | undefined;
    readonly cartId?: string | undefined;
    readonly sessionExpiresAt: number;
  },
  discount: { readonly mode: DiscountMode; readonly couponId: string | null },
): CheckoutSessionSpec {
  const { pricedCart } = quote;
  const charged: ChargeLine[] =
    discount.mode === 'inline'
      ? foldDiscountIntoLines(pricedCart.lines)
      : pricedCart.lines.map((l) => ({
          sku: l.sku,
          name: l.name,
          unitAmount: l.unitAmount,
          quantity: l.quantity,
        }));
  const paymentMetadata = {
    cartHash: quote.cartHash,
    catalogVersion: pricedCart.catalogVersion,
    ...(input.cartId ? { cartId: input.cartId } : {}),
  };
  return {
    currency: pricedCart.currency,
    lines: charged.map((line) => sessionLine(config, catalog, line, discount.mode)),
    couponId: discount.mode === 'coupon' ? discount.couponId : null,
    customerEmail: input.email ?? null,
    reference: quote.cartHash,
    metadata: {
      ...paymentMetadata,
      ...codeMetadata(pricedCart),
      quoteSignature: quote.quoteSignature,
      quoteTotal: String(pricedCart.total),
      discountMode: discount.mode,
    },
    paymentMetadata,
    successUrl: config.successUrl,
    cancelUrl: config.cancelUrl,
    expiresAt: input.sessionExpiresAt,
    automaticTax: config.automaticTax,
    shippingCountries: config.shippingCountries,
    shippingRates: shippingRates(config, pricedCart.total),
  };
}

/** A catalog line by its Stripe Price when configured and still at the catalog's price. */
function sessionLine(
  config: CheckoutConfig,
  catalog: Catalog,
  line: ChargeLine,
  mode: DiscountMode,
): SessionLineSpec {
  const sellable = catalog.sellablesBySku.get(line.sku);
  const priceId = config.usePriceIds && mode !== 'inline' ? sellable?.stripePriceId : undefined;
  if (priceId && line.unitAmount === sellable?.unitAmount) {
    return { kind: 'price', priceId, quantity: line.quantity };
  }
  return {
    kind: 'amount',
    sku: line.sku,
    name: line.name,
    unitAmount: line.unitAmount,
    quantity: line.quantity,
    images: (sellable?.images ?? []).map((image) => absoluteImageUrl(image, config.successUrl)),
  };
}

/** A catalog image for Stripe: a path on the shop's site is resolved against the shop's origin. */
export function absoluteImageUrl(image: string, shopUrl: string): string {
  return image.startsWith('/') ? new URL(image, shopUrl).href : image;
}

function shippingRates(config: CheckoutConfig, total: number): ShippingRateSpec[] {
  const rates: ShippingRateSpec[] = config.shippingOptions.map((o) => ({
    name: o.name,
    amount: o.amount,
    ...(o.minDays !== undefined && o.maxDays !== undefined
      ? { delivery: { minDays: o.minDays, maxDays: o.maxDays } }
      : {}),
  }));
  if (config.freeShippingThreshold !== null && total >= config.freeShippingThreshold) {
    rates.unshift({ name: 'Free shipping', amount: 0 });
  }
  return rates;
}
