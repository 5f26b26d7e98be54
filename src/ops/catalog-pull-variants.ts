/**
 * How `catalog pull` tells a Stripe product's prices apart: the option each price stands for (its
 * metadata, else its nickname, else the catalog variant it already is), the order of option
 * values, and the SKUs it derives when Stripe names none.
 */
import { type Product, SKU_PATTERN, type Variant } from '../domain/catalog';

/** The fields of a Stripe price the option inference reads. */
export interface PriceOptionSource {
  readonly id: string;
  readonly nickname: string | null;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Each price's option values, under the product's option names (in order). */
export interface PriceOptions {
  readonly names: readonly string[];
  readonly values: readonly Readonly<Record<string, string>>[];
}

/** Price metadata keys that say something other than an option. */
const NOT_OPTIONS = new Set(['sku']);
const MAX_OPTIONS = 3;

/** `size` → `Size`, `sleeve_length` → `Sleeve length`. */
export function optionNameOf(key: string): string {
  const words = key.trim().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The options of a product's prices: the metadata keys every price has (but `sku`), less those
 * with one value for all, named like `Size`; else each price's nickname, under the catalog
 * product's one option name or "Option"; else the options of the catalog variants the prices
 * already are. A string says why none of these tells the prices apart.
 */
export function optionsOfPrices(
  prices: readonly PriceOptionSource[],
  current: Product | undefined,
  matched: readonly (Variant | undefined)[],
): PriceOptions | string {
  const spelled = (name: string) =>
    current?.options.find((o) => o.name.toLowerCase() === name.toLowerCase())?.name ?? name;

  const shared = Object.keys(prices[0]?.metadata ?? {}).filter(
    (key) =>
      !NOT_OPTIONS.has(key.toLowerCase()) &&
      prices.every((p) => (p.metadata[key] ?? '').trim() !== '') &&
      (prices.length === 1 || new Set(prices.map((p) => p.metadata[key]?.trim())).size > 1),
  );
  if (shared.length > MAX_OPTIONS) {
    return `its prices' metadata names ${shared.length} options (${shared.join(', ')}); a product has at most ${MAX_OPTIONS}`;
  }
  if (shared.length > 0) {
    const names = orderNames(
      shared.map((key) => spelled(optionNameOf(key))),
      current,
    );
    const values = prices.map((p) =>
      Object.fromEntries(shared.map((key) => [spelled(optionNameOf(key)), (p.metadata[key] ?? '').trim()])),
    );
    if (distinct(values, names)) return { names, values };
  }

  const nicknames = prices.map((p) => p.nickname?.trim() ?? '');
  if (nicknames.every((n) => n !== '') && new Set(nicknames).size === nicknames.length) {
    const name = current?.options.length === 1 ? (current.options[0]?.name ?? 'Option') : 'Option';
    return { names: [name], values: nicknames.map((n) => ({ [name]: n })) };
  }

  if (current && current.options.length > 0 && matched.every((v) => v !== undefined)) {
    return { names: current.options.map((o) => o.name), values: matched.map((v) => v?.options ?? {}) };
  }
  return (
    `nothing tells its ${prices.length} prices apart: give each price metadata such as size=M ` +
    '(or a nickname of its own)'
  );
}

function orderNames(names: readonly string[], current: Product | undefined): string[] {
  const known = current?.options.map((o) => o.name) ?? [];
  const rank = (name: string) => {
    const index = known.indexOf(name);
    return index < 0 ? known.length + names.indexOf(name) : index;
  };
  return [...names].sort((a, b) => rank(a) - rank(b));
}

function distinct(values: readonly Readonly<Record<string, string>>[], names: readonly string[]): boolean {
  const seen = new Set(values.map((v) => names.map((n) => v[n]).join('\u0000')));
  return seen.size === values.length;
}

/** Clothing sizes, smallest first; `2XL` and `XXL` are one size. */
const SIZE_RANK = new Map<string, number>([
  ['XXS', 0],
  ['XS', 1],
  ['S', 2],
  ['M', 3],
  ['L', 4],
  ['XL', 5],
  ['XXL', 6],
  ['2XL', 6],
  ['XXXL', 7],
  ['3XL', 7],
  ['4XL', 8],
  ['5XL', 9],
]);

/**
 * An option's values in shop order: sizes smallest first, numbers ascending, else the catalog's
 * order and then new values as they came (the order their prices were created at Stripe).
 */
export function orderValues(values: readonly string[], previous: readonly string[]): string[] {
  const unique = [...new Set(values)];
  if (unique.every((v) => SIZE_RANK.has(v.toUpperCase()))) {
    return unique.sort(
      (a, b) => (SIZE_RANK.get(a.toUpperCase()) ?? 0) - (SIZE_RANK.get(b.toUpperCase()) ?? 0),
    );
  }
  if (unique.every((v) => /^\d+(\.\d+)?$/.test(v))) return unique.sort((a, b) => Number(a) - Number(b));
  const rank = (value: string) => {
    const index = previous.indexOf(value);
    return index < 0 ? previous.length + unique.indexOf(value) : index;
  };
  return unique.sort((a, b) => rank(a) - rank(b));
}

/** A SKU Stripe's metadata names, upper-cased; `undefined` when it is not a valid SKU. */
export function normalizeSku(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const sku = raw.trim().toUpperCase();
  return SKU_PATTERN.test(sku) ? sku : undefined;
}

/** A SKU made of text: `Classic Tee — Black` → `CLASSIC-TEE-BLACK` (A–Z, 0–9, dashes, ≤ 40). */
export function deriveSku(text: string): string {
  const base = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  if (base.length >= 2) return base;
  return base === '' ? 'ITEM' : `ITEM-${base}`;
}

/** `base`, or `base-2`, `base-3`… (kept within 40 characters), the first not in `taken`. */
export function uniqueSku(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, 40 - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
