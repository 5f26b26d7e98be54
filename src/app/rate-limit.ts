import type { RateDecision, RateLimiter, RateLimits } from './ports';
import { describeError, type Telemetry } from './telemetry';

/** A client went over a rate limit. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  readonly code = 'rate_limited';
  constructor(
    readonly scope: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`rate limit of ${scope} reached`);
  }
}

/**
 * Counts a request against a limit; throws {@link RateLimitedError} over it. If the table cannot be
 * reached the request passes (fail open) with an error log and a metric: API Gateway's throttles
 * remain the backstop, and a storefront should not go down with its rate-limit store.
 */
export async function enforceRateLimit(
  deps: { readonly limiter: RateLimiter; readonly telemetry: Telemetry },
  request: {
    readonly scope: string;
    readonly key: string;
    readonly limits: RateLimits;
    readonly now: number;
  },
): Promise<void> {
  let decision: RateDecision;
  try {
    decision = await deps.limiter.checkRateLimit(request);
  } catch (err: unknown) {
    deps.telemetry.metrics.count('RateLimiterError');
    deps.telemetry.log.error('rate limiter unavailable; letting the request through', {
      scope: request.scope,
      error: describeError(err),
    });
    return;
  }
  if (!decision.allowed) {
    deps.telemetry.metrics.count('RateLimited');
    deps.telemetry.log.warn('rate limited', { scope: request.scope, window: decision.window });
    throw new RateLimitedError(request.scope, decision.retryAfterSeconds);
  }
}
