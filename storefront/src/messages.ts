import { ApiError } from './api';
import type { CatalogBundle, Quote } from './api-types';

/** `$12.40` for 1240 cents of `usd`. */
export function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
    cents / 100,
  );
}

/** A bundle in a few words, for product cards and the deals list. */
export function describeBundle(bundle: CatalogBundle, currency: string): string {
  if (bundle.description) return bundle.description;
  switch (bundle.kind) {
    case 'tiered_percent':
      return bundle.tiers
        .map((t) => `${t.minQuantity}+ ${bundle.unit?.other ?? 'items'} ${t.percentOff}% off`)
        .join(', ');
    case 'multi_buy':
      return `Any ${bundle.quantity} ${bundle.unit?.other ?? 'items'} for ${formatMoney(bundle.price, currency)}`;
    case 'set':
      return bundle.price !== undefined
        ? `The set for ${formatMoney(bundle.price, currency)}`
        : `The set ${bundle.percentOff ?? 0}% off`;
  }
}

/** Where a failed call happened: the same failure reads differently in each place. */
export type CallSite = 'catalog' | 'quote' | 'checkout' | 'status';

/**
 * The sentence a customer sees for a failed API call. Each says what happened and what to do;
 * none blames the customer for the shop's trouble, and none shows raw codes.
 */
export function describeFailure(err: unknown, site: CallSite): string {
  if (!(err instanceof ApiError)) return 'Something went wrong in this page. Please reload it.';
  if (err.kind === 'network') {
    return site === 'checkout'
      ? 'We could not reach the shop, so checkout did not start and nothing was charged. Check your connection and try again.'
      : 'We could not reach the shop. Check your connection; we will keep trying.';
  }
  if (err.kind === 'invalid_response')
    return 'The shop gave an answer we did not understand. Please try again.';
  switch (err.code) {
    case 'rate_limited': {
      const wait = err.retryAfterSeconds;
      const when = wait === null ? 'in a little while' : `in ${formatWait(wait)}`;
      return site === 'checkout'
        ? `Too many checkout attempts from your connection. Please try again ${when}.`
        : `Too many requests from your connection. Please try again ${when}.`;
    }
    case 'payment_provider_error':
      return site === 'status'
        ? 'The payment provider is not answering right now, so we cannot confirm your payment yet. If you paid, your order is safe.'
        : 'The payment provider is not answering right now. Nothing was charged; please try again in a moment.';
    case 'quote_outdated':
      return 'Prices changed since your cart was priced. Please check the new total and press Checkout again.';
    case 'quote_already_paid':
      return 'This exact cart has already been paid for. Change the cart to place another order.';
    case 'cart_already_paid':
      return 'This cart was already paid for, in another tab or window. It is an order now, so your cart was emptied.';
    case 'checkout_in_progress':
      return 'Checkout of this cart is starting in another tab or window. Please wait a moment and try again.';
    case 'quote_mismatch':
      return 'Your cart changed while checking out. We re-priced it; please press Checkout again.';
    case 'unknown_sku':
    case 'inactive_sku':
      return 'Some items are no longer sold and were removed from your cart.';
    case 'variant_required':
      return 'Some items in your cart need a size and were taken out. Choose a size and add them again.';
    case 'out_of_stock':
      return site === 'checkout'
        ? 'Some items ran out while you were checking out, so nothing was charged. Change the marked items and try again.'
        : 'Some items in your cart are not in stock in the quantity you chose.';
    case 'quantity_out_of_range':
      return 'Some quantities were above what we can sell at once and were lowered.';
    case 'validation_error':
      return err.details.some((d) => d.path === 'email')
        ? 'Please enter a valid email address, or leave it empty.'
        : 'The shop could not read this request. Please reload the page.';
    case 'origin_not_allowed':
      return 'This page is not allowed to use the shop’s API.';
    case 'request_blocked':
      return site === 'checkout'
        ? 'The shop’s firewall blocked this request, so checkout did not start and nothing was charged. Please try again later or contact the shop.'
        : 'The shop’s firewall blocked this request. Please try again later or contact the shop.';
    case 'not_found':
      return site === 'status'
        ? 'We could not find this checkout.'
        : 'The shop could not find what was asked for.';
    default:
      if (site === 'status') {
        return 'Something went wrong on our side, so we cannot confirm your payment yet. If you paid, your order is safe.';
      }
      return (err.status ?? 500) >= 500
        ? 'Something went wrong on our side. Nothing was charged; please try again.'
        : 'The shop could not do that. Please reload the page and try again.';
  }
}

function formatWait(seconds: number): string {
  if (seconds < 90)
    return `${Math.max(1, Math.round(seconds))} second${Math.round(seconds) === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/**
 * What to tell the customer when a cart they already saw priced comes back priced differently
 * (an expired quote re-priced, or `quote_outdated` at checkout); `null` when nothing they pay changed.
 */
export function describePriceChange(
  before: Pick<Quote, 'total' | 'currency'>,
  after: Pick<Quote, 'total' | 'currency'>,
): string | null {
  if (before.total === after.total && before.currency === after.currency) return null;
  return `Prices were updated: your total is now ${formatMoney(after.total, after.currency)} (it was ${formatMoney(before.total, before.currency)}).`;
}
