/** Money is always an integer number of minor units (cents for USD). */
export type Cents = number;

/** Currencies this project prices in. Stripe wants them lower-case. */
export const SUPPORTED_CURRENCIES = ['usd'] as const;
export type Currency = (typeof SUPPORTED_CURRENCIES)[number];

const formatters = new Map<Currency, Intl.NumberFormat>();

/** Formats an amount of minor units for people: `formatMoney(640, 'usd')` → `$6.40`. */
export function formatMoney(amount: Cents, currency: Currency): string {
  // The first Intl.NumberFormat of a process loads ICU locale data: over 10 ms of every quote
  // handler's cold start. Dollars need no locale data; other currencies still go through Intl.
  if (currency === 'usd' && Number.isSafeInteger(amount)) return formatUsd(amount);
  let formatter = formatters.get(currency);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    formatters.set(currency, formatter);
  }
  return formatter.format(amount / 100);
}

/** `$1,234.56` and `-$6.40`, exactly as `Intl.NumberFormat('en-US', { currency: 'USD' })` writes them. */
function formatUsd(amount: Cents): string {
  const sign = amount < 0 || Object.is(amount, -0) ? '-' : '';
  const magnitude = Math.abs(amount);
  const dollars = String(Math.floor(magnitude / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${dollars}.${String(magnitude % 100).padStart(2, '0')}`;
}

/**
 * `percent` of `amount`, rounded half up to a whole cent. Percentages are whole numbers (1–100),
 * so the arithmetic stays in integers.
 */
export function percentOf(amount: Cents, percent: number): Cents {
  return Math.floor((amount * percent + 50) / 100);
}

/**
 * Splits `total` over `weights` in proportion, in whole cents, so that the parts sum to `total`
 * exactly. Remainders go to the largest fractional parts first, ties to the earlier index, which
 * keeps the result deterministic.
 */
export function allocateProportionally(total: Cents, weights: readonly number[]): Cents[] {
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  if (weightSum <= 0 || total === 0) return weights.map(() => 0);
  const parts = weights.map((w) => Math.floor((total * w) / weightSum));
  let remainder = total - parts.reduce((sum, p) => sum + p, 0);
  const order = weights
    .map((w, index) => ({ index, fraction: (total * w) % weightSum }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of order) {
    if (remainder === 0) break;
    parts[index] = (parts[index] ?? 0) + 1;
    remainder -= 1;
  }
  return parts;
}
