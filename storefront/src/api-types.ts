/*
 * The API's JSON as a storefront sees it (README "API"). Written from the public contract, not
 * imported from the server's code: this is what a frontend on another origin has to go on.
 */

export interface CartItem {
  readonly sku: string;
  readonly quantity: number;
}

export interface CatalogProduct {
  readonly sku: string;
  readonly name: string;
  readonly description: string | null;
  readonly unitAmount: number;
  readonly currency: string;
  readonly maxQuantity: number;
  readonly collections: readonly string[];
  readonly tags: readonly string[];
  readonly bundleIds: readonly string[];
}

interface BundleBase {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
}

export interface TieredBundle extends BundleBase {
  readonly kind: 'tiered_percent';
  readonly collection: string;
  readonly unit?: { readonly one: string; readonly other: string };
  readonly tiers: readonly { readonly minQuantity: number; readonly percentOff: number }[];
}

export interface MultiBuyBundle extends BundleBase {
  readonly kind: 'multi_buy';
  readonly collection: string;
  readonly unit?: { readonly one: string; readonly other: string };
  readonly quantity: number;
  readonly price: number;
}

export interface SetBundle extends BundleBase {
  readonly kind: 'set';
  readonly items: readonly CartItem[];
  readonly price?: number;
  readonly percentOff?: number;
}

export type CatalogBundle = TieredBundle | MultiBuyBundle | SetBundle;

export interface PublicCatalog {
  readonly version: string;
  readonly currency: string;
  readonly sampleData: boolean;
  readonly products: readonly CatalogProduct[];
  readonly bundles: readonly CatalogBundle[];
}

export interface QuoteLine {
  readonly sku: string;
  readonly name: string;
  readonly unitAmount: number;
  readonly quantity: number;
  readonly subtotal: number;
  readonly discount: number;
  readonly total: number;
}

export interface AppliedBundle {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly timesApplied: number;
  readonly unitsUsed: number;
  readonly discount: number;
}

export interface QuoteHint {
  readonly bundleId: string;
  readonly bundleName: string;
  readonly skus: readonly string[];
  readonly quantityToAdd: number;
  readonly extraSaving: number;
  readonly message: string;
  readonly addition?: readonly CartItem[];
}

/** What became of the discount code a cart was priced with (`quote.code`). */
export interface QuoteCode {
  readonly code: string;
  /** `applied`, or why not: `unknown`, `expired`, `not_started`, `min_subtotal_not_met`, `limit_reached`, `not_applicable`, `worse_than_bundles`, `too_many_attempts`. */
  readonly status: string;
  /** What the code takes off; 0 unless applied. */
  readonly discount: number;
  /** A sentence for the customer. */
  readonly message: string;
}

export interface Quote {
  readonly cartHash: string;
  readonly items: readonly CartItem[];
  readonly currency: string;
  readonly catalogVersion: string;
  readonly lines: readonly QuoteLine[];
  readonly subtotal: number;
  readonly discount: number;
  readonly total: number;
  readonly appliedBundles: readonly AppliedBundle[];
  readonly hints: readonly QuoteHint[];
  /** Present when the cart was priced with a code. */
  readonly code?: QuoteCode;
  readonly issuedAt: string;
}

/** `POST /cart/quote` (200), and the new quote inside a 409 `quote_outdated` or `code_unavailable`. */
export interface QuoteResponse {
  readonly quoteSignature: string;
  readonly expiresAt: string;
  readonly quote: Quote;
}

/** `POST /checkout/create-session` (201 new, 200 the open session of this quote). */
export interface CheckoutSessionResponse {
  readonly checkoutUrl: string;
  readonly sessionId: string;
  readonly quoteSignature: string;
}

/** `GET /checkout/session-status`. */
export interface SessionStatusResponse {
  readonly status: 'open' | 'complete' | 'expired' | null;
  /** `failed`: an async payment (a bank transfer) did not go through; nothing was charged. */
  readonly paymentStatus: 'paid' | 'unpaid' | 'no_payment_required' | 'failed';
  readonly amountTotal: number | null;
  readonly currency: string | null;
}

/** One entry of `error.details`. */
export interface ErrorDetail {
  readonly path?: string;
  readonly sku?: string;
  readonly message: string;
  readonly maxQuantity?: number;
}

/** Every error answer: `{ error: { code, message, details? }, requestId, …extra }`. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: readonly ErrorDetail[];
  };
  readonly requestId?: string;
}
