import { createHash } from 'node:crypto';
import type { Catalog, Product } from './catalog';
import { type Cents, type Currency, formatMoney } from './money';

/*
 * Discount codes ("BABES10"): what a code is, how a shopper's spelling of it is read, and whether it
 * can apply at a moment. How a code changes a priced cart is in pricing-codes.ts; where codes and
 * their counts are kept, in the table (adapters/dynamodb/table-items.ts).
 */

/** A code as stored: upper-case letters and digits, dashes or underscores inside; 3–32 characters. */
export const CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{1,30}[A-Z0-9]$/;

/** How a code meets bundles: on top of them, or instead of them when it saves more. */
export type CodeCombination = 'with_bundles' | 'best_of';

/** What a code takes off: a whole percentage, or an amount of cents. */
export type CodeDiscount =
  | { readonly kind: 'percent'; readonly percentOff: number }
  | { readonly kind: 'amount_off'; readonly amountOff: Cents; readonly currency: Currency };

/** What a code covers: the whole cart, products of some collections, or some products (by SKU, every size). */
export type CodeScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'collections'; readonly collections: readonly string[] }
  | { readonly kind: 'skus'; readonly skus: readonly string[] };

/** A code's definition, as the operator created it. */
export interface DiscountCode {
  /** Normalised: upper-case ({@link normaliseCode}). */
  readonly code: string;
  readonly discount: CodeDiscount;
  readonly scope: CodeScope;
  readonly combination: CodeCombination;
  /** The covered items must add up to at least this before any discount; `null`: no minimum. */
  readonly minSubtotal: Cents | null;
  /** Epoch seconds from which the code applies; `null`: from its creation. */
  readonly startsAt: number | null;
  /** Epoch seconds from which it no longer applies; `null`: never ends. */
  readonly endsAt: number | null;
  /** Uses in all (paid orders plus checkouts holding one); `null`: unlimited. */
  readonly limit: number | null;
  /** Uses per email address; `null`: unlimited. A code with one needs the email at checkout. */
  readonly limitPerEmail: number | null;
  /** `false` once the operator disabled it. */
  readonly enabled: boolean;
}

/** A code with its counts: uses paid for, and uses held by checkouts not yet paid or ended. */
export interface StoredCode extends DiscountCode {
  readonly used: number;
  readonly held: number;
  /** Epoch seconds. */
  readonly createdAt: number;
}

/**
 * The form a shopper's code is looked up by: trimmed, upper-case. `null` when it cannot be any
 * code (wrong characters or length): such a code is unknown without a look-up.
 */
export function normaliseCode(input: string): string | null {
  const code = input.trim().toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}

/** What happened to a code presented with a cart. */
export type CodeStatus =
  | 'applied'
  | 'unknown'
  | 'expired'
  | 'not_started'
  | 'min_subtotal_not_met'
  | 'limit_reached'
  | 'not_applicable'
  | 'worse_than_bundles'
  | 'too_many_attempts'
  | 'unavailable';

/** A quote's account of the code it was asked for (`quote.code`). */
export interface CodeOutcome {
  readonly code: string;
  readonly status: CodeStatus;
  /** What the code takes off this cart: positive when `applied`, else 0. */
  readonly discount: Cents;
  /** A sentence for the shopper. */
  readonly message: string;
}

/**
 * Why a code cannot apply at `now` whatever the cart, or `null` when it can: unknown, disabled or
 * ended (`expired`), not started, or all its uses paid for or held (`limit_reached`; unless
 * `countUses` is `false`, for checkout, where the hold's own condition decides).
 */
export function codeUnavailability(
  code: StoredCode | null,
  now: number,
  options: { readonly countUses?: boolean } = {},
): 'unknown' | 'expired' | 'not_started' | 'limit_reached' | null {
  if (!code) return 'unknown';
  if (!code.enabled || (code.endsAt !== null && now >= code.endsAt)) return 'expired';
  if (code.startsAt !== null && now < code.startsAt) return 'not_started';
  const usedUp = code.limit !== null && code.used + code.held >= code.limit;
  if (usedUp && options.countUses !== false) return 'limit_reached';
  return null;
}

/** Whether a product (and so each of its variants) is one the code covers. */
export function codeCovers(code: DiscountCode, product: Product): boolean {
  switch (code.scope.kind) {
    case 'all':
      return true;
    case 'collections': {
      const { collections } = code.scope;
      return product.collections.some((c) => collections.includes(c));
    }
    case 'skus':
      return code.scope.skus.includes(product.sku);
  }
}

/** "10% off" or "$5.00 off", and what it covers: "10% off tees and hoodies". */
export function describeCodeDiscount(code: DiscountCode, catalog: Pick<Catalog, 'currency'>): string {
  const amount =
    code.discount.kind === 'percent'
      ? `${code.discount.percentOff}% off`
      : `${formatMoney(code.discount.amountOff, catalog.currency)} off`;
  return code.scope.kind === 'all' ? amount : `${amount} selected items`;
}

/** The shopper's sentence for each status but `applied` and `worse_than_bundles` (see pricing-codes.ts). */
export function codeStatusMessage(
  status: Exclude<CodeStatus, 'applied' | 'worse_than_bundles'>,
  code: StoredCode | null,
  detail: { readonly missing?: Cents; readonly currency: Currency; readonly retryAfterSeconds?: number },
): string {
  switch (status) {
    case 'unknown':
      return 'We don’t recognise this code. Check the spelling and try again.';
    case 'expired':
      return code?.enabled === false ? 'This code is no longer valid.' : 'This code has expired.';
    case 'not_started':
      return code?.startsAt
        ? `This code can be used from ${describeMoment(code.startsAt)}.`
        : 'This code cannot be used yet.';
    case 'min_subtotal_not_met':
      return `Spend ${formatMoney(code?.minSubtotal ?? 0, detail.currency)}${
        code?.scope.kind === 'all' ? '' : ' on the items this code covers'
      } to use this code — add ${formatMoney(detail.missing ?? 0, detail.currency)} more.`;
    case 'limit_reached':
      return 'This code has been used up.';
    case 'not_applicable':
      return 'This code doesn’t take anything off the items in your cart.';
    case 'too_many_attempts': {
      const minutes = Math.max(1, Math.ceil((detail.retryAfterSeconds ?? 3_600) / 60));
      return `Too many codes were tried. Please wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`;
    }
    case 'unavailable':
      return 'Codes can’t be checked just now. Your cart is priced without it; try the code again in a moment.';
  }
}

/** "1 December 2026, 00:00 UTC". */
function describeMoment(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  const time = date.toISOString().slice(11, 16);
  return `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${time} UTC`;
}

/**
 * The key a code's per-email count is kept under: a digest of the address as people write it
 * (trimmed, lower-case), so `Jane@Example.com` and `jane@example.com` count together and the table
 * never holds the address itself.
 */
export function codeEmailKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);
}
