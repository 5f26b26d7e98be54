import { normaliseCode } from '../domain/discount-code';
import type { CodeLookup } from '../domain/pricing-codes';
import { allInOrder } from './all-in-order';
import type { CodeStore, RateDecision, RateLimiter, RateLimits } from './ports';
import { describeError, type Telemetry } from './telemetry';

/** The rate-limit scope of codes looked up and not found. */
export const CODE_MISS_SCOPE = 'code-miss';

export interface CodeLookupDeps {
  readonly codes: CodeStore;
  readonly limiter: RateLimiter;
  readonly codeMissLimits: RateLimits;
  readonly telemetry: Telemetry;
}

/** A shopper's code as a quote found it, or refused before any look-up. */
export type CodeFinding =
  | { readonly kind: 'found'; readonly lookup: CodeLookup }
  | { readonly kind: 'refused'; readonly code: string; readonly retryAfterSeconds: number }
  /** The code could not be read (the table failing): the cart prices without it. */
  | { readonly kind: 'unavailable'; readonly code: string };

/**
 * Looks up the code a shopper typed, for a quote. Every look-up first counts the code among the
 * distinct codes the client looked up in the code-miss windows (one conditional write, so concurrent
 * guesses can never pass the limit); a code that is found is taken back out. So only codes that do
 * not exist are counted, each once however often it is sent again (a shopper's cart keeps a mistyped
 * code on every quote), and a client past the limit learns nothing more: a code not counted yet is
 * refused (`too_many_attempts`) whether it exists or not. Like every rate limit here, an
 * unreachable limiter lets the look-up through.
 */
export async function findCodeForQuote(
  deps: CodeLookupDeps,
  input: { readonly code: string; readonly clientKey: string; readonly now: number },
): Promise<CodeFinding> {
  const normalised = normaliseCode(input.code);
  const shown = normalised ?? input.code.trim().toUpperCase();
  // What is counted: the code as it is looked up, or as typed when it cannot be a code.
  const window = { scope: CODE_MISS_SCOPE, key: input.clientKey, value: shown, now: input.now };
  const [{ decision, counted }, found] = await allInOrder([
    countAttempt(deps, window),
    normalised ? deps.codes.findCode(normalised) : Promise.resolve(null),
  ]);
  if (!decision.allowed) {
    deps.telemetry.metrics.count('CodeGuessesLimited');
    deps.telemetry.log.warn('code look-ups refused: too many unknown codes from this client', {
      window: decision.window,
    });
    return { kind: 'refused', code: shown, retryAfterSeconds: decision.retryAfterSeconds };
  }
  if (found && counted) {
    await deps.limiter.forget(window).catch((err: unknown) => {
      // The client keeps one code counted too many: safe, and rare.
      deps.telemetry.log.error('could not give back a code look-up count', { error: describeError(err) });
    });
  }
  if (!found) deps.telemetry.metrics.count('CodeMiss');
  return { kind: 'found', lookup: { code: shown, found, now: input.now } };
}

async function countAttempt(
  deps: CodeLookupDeps,
  window: { readonly scope: string; readonly key: string; readonly value: string; readonly now: number },
): Promise<{ readonly decision: RateDecision; readonly counted: boolean }> {
  try {
    const decision = await deps.limiter.checkDistinct({ ...window, limits: deps.codeMissLimits });
    return { decision, counted: decision.allowed };
  } catch (err: unknown) {
    deps.telemetry.metrics.count('RateLimiterError');
    deps.telemetry.log.error('rate limiter unavailable; letting the code look-up through', {
      scope: window.scope,
      error: describeError(err),
    });
    return { decision: { allowed: true }, counted: false };
  }
}
