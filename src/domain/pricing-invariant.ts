/*
 * Invariants of the pricing engine. Its internal tables are dense arrays and maps whose every read is
 * meant to hit; under `noUncheckedIndexedAccess` each read is still `T | undefined`. Defaulting such a
 * read to 0 or -1 would turn a bug into a wrong price (a discount written to `discounts[-1]` is money
 * silently lost), so a read that misses throws {@link PricingInvariantError} instead. Where absence
 * genuinely means zero (a SKU nobody has counted yet), {@link countOf} says so by its name.
 */

/**
 * Stable codes of broken pricing invariants. None is the caller's fault in the way a
 * `PricingError` (pricing.ts) is: each means the engine or the catalog object it was handed is
 * inconsistent, and pricing stops rather than return an amount it cannot vouch for.
 */
export type PricingInvariantCode =
  /** An index or key the engine built itself did not resolve. */
  | 'missing_entry'
  /** A catalog object whose SKU index disagrees with its products (not one `parseCatalog` builds). */
  | 'catalog_inconsistent'
  /** Lines handed to the optimiser are not one line per SKU, sorted, with positive integer quantities. */
  | 'lines_not_normalised'
  /** A bundle application names units the cart does not have. */
  | 'unit_outside_cart'
  /** The exact search found less than the greedy answer it is bounded by. */
  | 'search_below_floor'
  /** The best plan could not be read back from the search's memo. */
  | 'plan_unreadable'
  /** The best plan contains a multi-buy application that saves nothing. */
  | 'application_without_saving';

/**
 * The pricing engine found its own state, or the catalog object it was given, inconsistent. Thrown
 * instead of pricing on: a broken invariant must never become a wrong amount. A server maps it to a
 * 500 like any unexpected error; the message names the invariant, for the log.
 */
export class PricingInvariantError extends Error {
  override readonly name = 'PricingInvariantError';
  constructor(
    readonly code: PricingInvariantCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`Pricing invariant broken: ${message}`, options);
  }
}

/**
 * `values[index]`, which the caller's invariant says exists. Throws a {@link PricingInvariantError}
 * (`missing_entry`) naming `what` when it does not, rather than let `undefined` become 0 downstream.
 */
export function at<T>(values: readonly T[], index: number, what: string): T {
  const value = values[index];
  if (value === undefined) throw missingEntry(what, index);
  return value;
}

/**
 * {@link at} for arrays of numbers (counts, amounts, indices). Kept apart from `at` for speed, not
 * meaning: V8 compiles a helper's array read for the kinds of array it has seen, even where it
 * inlines the helper, and one helper fed both the engine's object arrays and its integer and
 * fractional number arrays sees more kinds than it reads fast (sharing `at` made the stress benchmark
 * 20 % slower). For the same reason the search's inner loops check their reads inline, each read
 * with its own feedback, and throw {@link missingEntry}; see docs/decisions.md #91.
 */
export function numberAt(values: readonly number[], index: number, what: string): number {
  const value = values[index];
  if (value === undefined) throw missingEntry(what, index);
  return value;
}

/** `map.get(key)`, which the caller's invariant says is set; throws like {@link at} when it is not. */
export function get<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw missingEntry(what, key);
  return value;
}

/** A tally's count for `key`: a key never counted has a count of 0, which is what the tally means. */
export function countOf<K>(tally: ReadonlyMap<K, number>, key: K): number {
  return tally.get(key) ?? 0;
}

/** Adds `quantity` to `key`'s count in `tally` (see {@link countOf}). */
export function addCount<K>(tally: Map<K, number>, key: K, quantity: number): void {
  tally.set(key, countOf(tally, key) + quantity);
}

/** The error for a read that missed, for the inner loops that check their reads inline (see {@link numberAt}). */
export function missingEntry(what: string, key: unknown): PricingInvariantError {
  return new PricingInvariantError('missing_entry', `${what}: nothing at ${String(key)}`);
}
