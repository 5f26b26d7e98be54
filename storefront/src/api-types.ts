/*
 * The API's JSON as a storefront sees it (README "API"). Written from the public contract, not
 * imported from the server's code: this is what a frontend on another origin has to go on.
 */

export interface CartItem {
  readonly sku: string;
  readonly quantity: number;
}

/** What is left of a SKU (`GET /catalog` variants, quote lines). */
export interface Availability {
  /** `low_stock`: "only N left"; `backorder`: none on hand, sold anyway. */
  readonly status: 'in_stock' | 'low_stock' | 'sold_out' | 'backorder';
  /** Units a new checkout may take; `null` when the SKU's stock is not tracked. */
  readonly available: number | null;
  /** A sentence for the shopper ("Only 2 left", "Sold out"), or `null`. */
  readonly message: string | null;
  /** Sold beyond what is left (ships when restocked): `available` is no limit. Absent from older APIs. */
  readonly backorder?: boolean;
}

export interface ProductOption {
  readonly name: string;
  readonly values: readonly string[];
}

/** One SKU a cart may name: a size of a product, or a product without sizes (then its own SKU). */
export interface CatalogVariant {
  readonly sku: string;
  /** "M" (the option values); `""` for a product without sizes. */
  readonly label: string;
  readonly options: Readonly<Record<string, string>>;
  readonly unitAmount: number;
  readonly images: readonly string[];
  /** `null` when the stock could not be read (checkout decides). */
  readonly availability: Availability | null;
}

export interface CatalogProduct {
  readonly sku: string;
  readonly name: string;
  readonly description: string | null;
  readonly unitAmount: number;
  readonly currency: string;
  /** The most sold at once, all sizes together. */
  readonly maxQuantity: number;
  readonly collections: readonly string[];
  readonly tags: readonly string[];
  /** Paths on the shop's site (`/images/…`) or https URLs. */
  readonly images: readonly string[];
  /** Empty for a product without sizes. */
  readonly options: readonly ProductOption[];
  /** Always at least one. */
  readonly variants: readonly CatalogVariant[];
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
  /** What is left of the line's SKU (`null`: the stock could not be read). */
  readonly availability?: Availability | null;
}

export interface AppliedBundle {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly timesApplied: number;
  readonly unitsUsed: number;
  readonly discount: number;
}

/** A "save more" hint; its `skus` and `addition` name PRODUCT SKUs (a sized product needs a size). */
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
  /** `applied`, or why not: `unknown`, `expired`, `not_started`, `min_subtotal_not_met`, `limit_reached`, `not_applicable`, `worse_than_bundles`, `too_many_attempts`, `unavailable`. */
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
  /** With `out_of_stock`: the units of the SKU a checkout may still take. */
  readonly available?: number;
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
