/**
 * Coupons (`/v1/coupons`: create, retrieve, delete) and the rules a coupon follows wherever it is
 * used: when it is valid (`redeem_by`, `max_redemptions`, deletion), what discount it gives, and
 * what redeeming it at payment changes. Checkout sessions and the payment life cycle ask this
 * module rather than reading coupon fields themselves, so the rules live in one place.
 */
import { type ApiRoute, route } from './api-route';
import { invalidParam, resourceMissing, StripeApiError } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import { checkExpand } from './list-and-expand';
import { type CouponObject, snapshot, stripeSeconds } from './objects';
import {
  type CouponCreateParams,
  couponCreateSchema,
  expandOnlySchema,
  type SessionCreateParams,
} from './schemas';

export interface CouponRecord {
  coupon: CouponObject;
  deleted: boolean;
  /** When it was deleted (epoch seconds), for inspection. */
  deletedAt: number | null;
}

export interface CouponStoreOptions {
  /** Milliseconds since the epoch, like `Date.now`. */
  now: () => number;
  newId: (kind: IdKind) => string;
}

/** The endpoints of this module, for the API router. */
export const COUPON_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/coupons', (r, c) => r.coupons.create(c.params)),
  route('GET', '/v1/coupons/:id', (r, c) => r.coupons.retrieve(c.id, c.params)),
  route('DELETE', '/v1/coupons/:id', (r, c) => r.coupons.delete(c.id, c.params)),
];

/** Every coupon of the account, by id and in creation order. */
export class CouponStore {
  /** The current coupon of each id (a deleted one until its id is reused). */
  private readonly byId = new Map<string, CouponRecord>();
  /** Every coupon ever created, including deleted ones whose id was later reused. */
  readonly history: CouponRecord[] = [];

  constructor(private readonly options: CouponStoreOptions) {}

  /** `POST /v1/coupons`. */
  create(raw: FormObject): CouponObject {
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
    const existing = this.byId.get(id);
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
    this.add(record);
    return this.view(record);
  }

  /** `GET /v1/coupons/:id`. */
  retrieve(id: string, raw: FormObject): CouponObject {
    checkExpand(expandOnlySchema.parse(raw, '').expand, []);
    return this.view(this.requireLive(id));
  }

  /** `DELETE /v1/coupons/:id`: later sessions cannot use it; sessions that have it keep their discount. */
  delete(id: string, raw: FormObject): { id: string; object: 'coupon'; deleted: true } {
    expandOnlySchema.parse(raw, '');
    const record = this.requireLive(id);
    record.deleted = true;
    record.deletedAt = this.nowSeconds();
    return { id, object: 'coupon', deleted: true };
  }

  /** The current coupon of an id, deleted or not, for inspection. */
  find(id: string): CouponRecord | undefined {
    return this.byId.get(id);
  }

  /** A coupon as Stripe shows it now: `valid` follows deletion, `redeem_by` and `max_redemptions`. */
  view(record: CouponRecord): CouponObject {
    const coupon = snapshot(record.coupon);
    coupon.valid = this.isValid(record);
    return coupon;
  }

  /**
   * The coupon `discounts[]` of a new session names, checked as Stripe does at creation: it must
   * exist, be neither expired nor exhausted, and an `amount_off` coupon must be in the session's
   * currency. `null` without a discount.
   */
  resolveDiscount(
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
    const record = this.byId.get(entry.coupon);
    if (!record || record.deleted) throw resourceMissing('coupon', entry.coupon, param);
    const problem = this.problemOf(record.coupon);
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

  /**
   * Whether a session that carries this coupon may still be paid. The cap is checked again at
   * payment because two open sessions may share a `max_redemptions=1` coupon; a deleted coupon
   * stays honoured, because deleting does not remove applied discounts.
   */
  canRedeem(record: CouponRecord): boolean {
    return !isExhausted(record.coupon);
  }

  /** Counts a redemption (a session carrying the coupon was paid). */
  redeem(record: CouponRecord): void {
    record.coupon.times_redeemed += 1;
    record.coupon.valid = this.isValid(record);
  }

  /** Puts a record back as it was created (used when state is loaded), keeping creation order. */
  add(record: CouponRecord): void {
    this.byId.set(record.coupon.id, record);
    this.history.push(record);
  }

  reset(): void {
    this.byId.clear();
    this.history.length = 0;
  }

  private requireLive(id: string): CouponRecord {
    const record = this.byId.get(id);
    if (!record || record.deleted) throw resourceMissing('coupon', id);
    return record;
  }

  private isValid(record: CouponRecord): boolean {
    return !record.deleted && this.problemOf(record.coupon) === null;
  }

  private problemOf(coupon: CouponObject): 'expired' | 'exhausted' | null {
    if (coupon.redeem_by !== null && this.nowSeconds() >= coupon.redeem_by) return 'expired';
    if (isExhausted(coupon)) return 'exhausted';
    return null;
  }

  private nowSeconds(): number {
    return stripeSeconds(this.options.now());
  }
}

function isExhausted(coupon: CouponObject): boolean {
  return coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions;
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
