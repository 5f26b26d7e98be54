/**
 * What a v1 API route is: a method, a path pattern (`/v1/coupons/:id`) and the call it makes on
 * the emulated resources. Each resource module lists its own routes next to its behaviour
 * (`COUPON_ROUTES` in coupons.ts…); the API handler matches requests against all of them.
 */
import type { AccountResources } from './account';
import type { CheckoutSessions } from './checkout-sessions';
import type { CouponStore } from './coupons';
import type { FormObject } from './form';
import type { PriceStore } from './prices';
import type { RefundStore } from './refunds';
import type { SessionLifecycle } from './session-lifecycle';

/** Who asked for a change, for the event's `request` field (`null` ids for dashboard-like actions). */
export interface RequestInfo {
  id: string | null;
  idempotencyKey: string | null;
}

/** The resources API routes act on. */
export interface ApiResources {
  readonly coupons: CouponStore;
  readonly prices: PriceStore;
  readonly checkoutSessions: CheckoutSessions;
  readonly sessionLifecycle: SessionLifecycle;
  readonly account: AccountResources;
  readonly refunds: RefundStore;
}

/** One API call: its decoded parameters, the `:id` of the path, and the request behind it. */
export interface ApiContext {
  params: FormObject;
  id: string;
  request: RequestInfo;
}

export interface ApiRoute {
  method: string;
  /** The path with `:id` for the object's id, as logged and counted (`GET /v1/coupons/:id`). */
  pattern: string;
  regex: RegExp;
  /** Returns the answer's body; throws a `StripeApiError` for Stripe's error answers. */
  run(resources: ApiResources, context: ApiContext): unknown;
}

/** Declares a route; `:id` in the pattern matches one path segment. */
export function route(method: string, pattern: string, run: ApiRoute['run']): ApiRoute {
  const regex = new RegExp(`^${pattern.replace(':id', '([^/]+)')}$`);
  return { method, pattern, regex, run };
}

/** The route for a request and the raw (still encoded) `:id` segment, or `null`. */
export function matchRoute(
  routes: readonly ApiRoute[],
  method: string,
  path: string,
): { route: ApiRoute; id: string } | null {
  for (const candidate of routes) {
    const m = candidate.regex.exec(path);
    if (m && candidate.method === method) return { route: candidate, id: m[1] ?? '' };
  }
  return null;
}
