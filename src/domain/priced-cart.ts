import type { CartItem } from './cart';
import type { Bundle } from './catalog';
import type { CodeOutcome } from './discount-code';
import type { Cents, Currency } from './money';

/** One cart line, priced. `discount` is this line's share of the cart's discount (bundles and code). */
export interface PricedLine {
  readonly sku: string;
  readonly name: string;
  readonly unitAmount: Cents;
  readonly quantity: number;
  /** unitAmount × quantity */
  readonly subtotal: Cents;
  /** This line's share of the cart's discount; the lines' shares sum to the cart discount. */
  readonly discount: Cents;
  /** subtotal − discount */
  readonly total: Cents;
}

/** A bundle the engine applied to the cart. */
export interface AppliedBundle {
  readonly id: string;
  readonly name: string;
  readonly kind: Bundle['kind'];
  /** How many times the bundle was applied (a multi-buy or set can apply repeatedly; a tier applies once). */
  readonly timesApplied: number;
  /** Units of the cart the applications consumed. */
  readonly unitsUsed: number;
  readonly discount: Cents;
}

/** "Add 1 more tee to get 20% off — save $6.40 more." */
export interface NextTierHint {
  readonly bundleId: string;
  readonly bundleName: string;
  /** SKUs any of which would qualify for the addition. */
  readonly skus: readonly string[];
  /** Units to add. */
  readonly quantityToAdd: number;
  /** How much more the customer would save than now, after adding the cheapest qualifying units. */
  readonly extraSaving: Cents;
  /** Ready-to-show sentence. */
  readonly message: string;
  /**
   * The exact units whose addition was priced to get `extraSaving` (the cheapest qualifying ones).
   * Optional so that hand-built values stay valid; `priceCart` always sets it.
   */
  readonly addition?: readonly CartItem[];
}

/** The result of `priceCart` (pricing.ts). All amounts are integer minor units. */
export interface PricedCart {
  readonly currency: Currency;
  readonly catalogVersion: string;
  readonly lines: readonly PricedLine[];
  readonly subtotal: Cents;
  readonly discount: Cents;
  readonly total: Cents;
  readonly appliedBundles: readonly AppliedBundle[];
  /** At most 3, largest extra saving first; only hints with a positive extra saving. */
  readonly hints: readonly NextTierHint[];
  /**
   * `exact` when the bundle search proved this is the largest discount the catalog allows;
   * `heuristic` when the cart outgrew the search budget and the greedy fallback priced part of it
   * (docs/pricing.md). Optional so that hand-built values stay valid; `priceCart` always sets it.
   */
  readonly search?: 'exact' | 'heuristic';
  /**
   * What became of the discount code the cart was priced with (pricing-codes.ts); absent when none
   * was given. When `applied`, `discount` and the lines' discounts include the code's.
   */
  readonly code?: CodeOutcome;
}
