import { type CartItem, normaliseCart } from './cart';
import {
  type Bundle,
  type Catalog,
  type MultiBuyBundle,
  maxQuantityOf,
  type PricingCatalog,
  type Product,
  type SetBundle,
  type TieredPercentBundle,
} from './catalog';
import { formatMoney } from './money';
import type { AppliedBundle, NextTierHint, PricedCart, PricedLine } from './priced-cart';
import { allocateDiscounts } from './pricing-allocation';
import { addCount, countOf, get, numberAt, PricingInvariantError } from './pricing-invariant';
import {
  type BundleApplication,
  type BundleChoice,
  type ComponentCache,
  chooseBundles,
  type OptimiserLine,
  WorkMeterExhausted,
} from './pricing-search';
import { splitUnitLines, toUnitItems } from './pricing-variants';

export { type PricingInvariantCode, PricingInvariantError } from './pricing-invariant';

/**
 * Units of search work allowed per independent group of overlapping bundles before the engine falls
 * back to its greedy heuristic. Realistic carts use a few hundred at most; see docs/pricing.md.
 */
export const DEFAULT_SEARCH_BUDGET = 20_000;

/**
 * Search work all the hint re-pricings of one cart may use together, as a multiple of the search
 * budget. Past it the remaining hints are dropped rather than guessed.
 */
export const HINT_WORK_BUDGETS = 1;

/** Hints returned with a priced cart, at most. */
export const MAX_HINTS = 3;

/** Tuning for {@link priceCart}. */
export interface PriceCartOptions {
  /** Overrides {@link DEFAULT_SEARCH_BUDGET} (a positive integer). */
  readonly searchBudget?: number;
  /**
   * `false` skips the next-tier hints (they come back empty): for callers that only need the
   * amounts, such as checkout verifying a quote. Hints are most of a cart's pricing work.
   */
  readonly hints?: boolean;
  /**
   * Solved components to reuse and add to, for a caller that prices related carts of one catalog
   * (a cart, then its hints' additions with a discount code): each component is solved once.
   */
  readonly componentCache?: ComponentCache;
  /**
   * Filled with the bundle choice each hint's addition was priced with, by {@link additionKey}: for a
   * caller that puts a discount code on top (pricing-codes.ts), which then needs no re-pricing.
   */
  readonly hintPricings?: HintPricings;
}

/** The bundle choice of the cart with an addition, by the addition's {@link additionKey}. */
export type HintPricings = Map<string, BundleChoice>;

/** One key per addition: its items as the engine proposes them (by SKU, each once). */
export function additionKey(addition: readonly CartItem[]): string {
  return addition.map((item) => `${item.sku}:${item.quantity}`).join(',');
}

export type PricingErrorCode = 'unknown_sku' | 'quantity_out_of_range';

/** The cart handed to the pricing engine is not one it can price; callers validate carts first. */
export class PricingError extends Error {
  override readonly name = 'PricingError';
  constructor(
    readonly code: PricingErrorCode,
    message: string,
    readonly sku: string,
  ) {
    super(message);
  }
}

/**
 * Prices a cart against the catalog: line amounts, the bundle discounts that save the customer the
 * most (each unit counts toward at most one bundle application), each line's exact share of the
 * discount, and up to three hints for adding items that would unlock a further saving.
 *
 * Pure and deterministic: the same catalog and cart contents give the same result in any item order,
 * which is what lets a quote be signed and re-priced later. Items are expected to be validated
 * (known, active SKUs, quantities within bounds); they are normalised here (duplicates merged,
 * sorted by SKU) and the lines come back in that order.
 *
 * @throws PricingError `unknown_sku` for a SKU not in the catalog, `quantity_out_of_range` for a
 *   quantity that is not a positive integer.
 * @throws PricingInvariantError when the catalog object is inconsistent in a way `parseCatalog`
 *   refuses (`catalog_inconsistent`), or the engine's own state is: never a price it cannot vouch for.
 */
export function priceCart(
  catalog: Catalog,
  items: readonly CartItem[],
  options: PriceCartOptions = {},
): PricedCart {
  for (const { sku } of items) {
    const sellable = catalog.sellablesBySku.get(sku);
    if (!sellable || (sellable.productSku === sku && catalog.productsBySku.get(sku)?.variants.length)) {
      throw new PricingError(
        'unknown_sku',
        `SKU "${sku}" is not sellable in catalog ${catalog.version}; validate the cart before pricing it`,
        sku,
      );
    }
  }
  const cart = normaliseCart(items);
  const priced = priceUnits(catalog.pricing, toUnitItems(catalog, cart), options);
  return { ...priced, lines: splitUnitLines(catalog, cart, priced.lines) };
}

/**
 * {@link priceCart} on the engine's own terms: a cart of pricing units (the products of
 * `catalog.pricing`). Hints name pricing units (a product, whatever the size).
 */
export function priceUnits(
  catalog: PricingCatalog,
  items: readonly CartItem[],
  options: PriceCartOptions = {},
): PricedCart {
  const budget = options.searchBudget ?? DEFAULT_SEARCH_BUDGET;
  if (!Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`searchBudget must be a positive integer, got ${budget}`);
  }
  const cart = resolveCart(catalog, items);
  // Shared by the hint re-pricings: a component of the cart that an addition does not touch is
  // solved once.
  const cache: ComponentCache = options.componentCache ?? new Map();
  const choice = chooseBundles(catalog, cart, budget, cache);

  const discounts = allocateDiscounts(cart, choice.applications);
  const lines: PricedLine[] = cart.map(({ product, quantity }, index) => {
    const subtotal = product.unitAmount * quantity;
    const discount = numberAt(discounts, index, 'the discount of a line');
    return {
      sku: product.sku,
      name: product.name,
      unitAmount: product.unitAmount,
      quantity,
      subtotal,
      discount,
      total: subtotal - discount,
    };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.subtotal, 0);
  return {
    currency: catalog.currency,
    catalogVersion: catalog.version,
    lines,
    subtotal,
    discount: choice.discount,
    total: subtotal - choice.discount,
    appliedBundles: summariseBundles(catalog, choice.applications),
    hints:
      options.hints === false
        ? []
        : findHints(catalog, cart, choice, budget, cache, options.hintPricings ?? new Map()),
    search: choice.exact ? 'exact' : 'heuristic',
  };
}

function resolveCart(catalog: PricingCatalog, items: readonly CartItem[]): OptimiserLine[] {
  for (const { sku, quantity } of items) {
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw new PricingError(
        'quantity_out_of_range',
        `Quantity of "${sku}" must be a positive integer, got ${quantity}; validate the cart before pricing it`,
        sku,
      );
    }
  }
  return normaliseCart(items).map(({ sku, quantity }) => {
    const product = catalog.productsBySku.get(sku);
    if (!product) {
      throw new PricingError(
        'unknown_sku',
        `SKU "${sku}" is not in catalog ${catalog.version}; validate the cart before pricing it`,
        sku,
      );
    }
    // Lines, allocation and hints all go by the product's SKU: one filed under another SKU would
    // price a different line from the one asked for.
    if (product.sku !== sku) {
      throw new PricingInvariantError(
        'catalog_inconsistent',
        `catalog ${catalog.version} files product "${product.sku}" under SKU "${sku}"; build catalogs with parseCatalog`,
      );
    }
    return { product, quantity };
  });
}

function summariseBundles(
  catalog: PricingCatalog,
  applications: readonly BundleApplication[],
): AppliedBundle[] {
  const summaries: AppliedBundle[] = [];
  catalog.activeBundles.forEach((bundle, bundleIndex) => {
    const own = applications.filter((a) => a.bundleIndex === bundleIndex);
    if (own.length === 0) return;
    summaries.push({
      id: bundle.id,
      name: bundle.name,
      kind: bundle.kind,
      timesApplied: own.length,
      unitsUsed: unitsOf(own),
      discount: own.reduce((sum, a) => sum + a.discount, 0),
    });
  });
  return summaries;
}

function unitsOf(applications: readonly BundleApplication[]): number {
  return applications.reduce((sum, a) => sum + a.units.reduce((s, unit) => s + unit.quantity, 0), 0);
}

/*
 * Hints. For each active bundle the engine proposes the cheapest additions that would make the bundle
 * apply further, re-prices cart + addition with the same optimiser, and keeps the first proposal
 * whose re-pricing really applies the bundle further and saves more. See docs/pricing.md, "Hints".
 */

interface Proposal {
  readonly addition: readonly CartItem[];
  /** Whether the re-priced cart applies the bundle further than now. */
  readonly reached: (after: readonly BundleApplication[]) => boolean;
  readonly describe: (after: readonly BundleApplication[], saving: string) => string;
}

interface CartState {
  readonly catalog: PricingCatalog;
  readonly cart: readonly OptimiserLine[];
  readonly quantityOf: (sku: string) => number;
  /** Units of `sku` consumed by any application. */
  readonly usedOf: (sku: string) => number;
  /** Units of `sku` consumed by applications of bundle `bundleIndex`. */
  readonly usedByBundle: (bundleIndex: number, sku: string) => number;
  readonly applications: readonly BundleApplication[];
}

function findHints(
  catalog: PricingCatalog,
  cart: readonly OptimiserLine[],
  choice: BundleChoice,
  budget: number,
  cache: ComponentCache,
  repriced: HintPricings,
): NextTierHint[] {
  // Tallies: a SKU not in the cart, or not used, counts 0.
  const quantities = new Map(cart.map((line) => [line.product.sku, line.quantity]));
  const used = new Map<string, number>();
  const usedBy = new Map<string, number>();
  for (const application of choice.applications) {
    for (const unit of application.units) {
      addCount(used, unit.sku, unit.quantity);
      addCount(usedBy, `${application.bundleIndex}|${unit.sku}`, unit.quantity);
    }
  }
  const state: CartState = {
    catalog,
    cart,
    quantityOf: (sku) => countOf(quantities, sku),
    usedOf: (sku) => countOf(used, sku),
    usedByBundle: (bundleIndex, sku) => countOf(usedBy, `${bundleIndex}|${sku}`),
    applications: choice.applications,
  };
  const items = cart.map(({ product, quantity }) => ({ sku: product.sku, quantity }));
  const hints: (NextTierHint & { bundleIndex: number })[] = [];
  const meter = { remaining: budget * HINT_WORK_BUDGETS };
  for (const [bundleIndex, bundle] of catalog.activeBundles.entries()) {
    for (const proposal of proposeAdditions(state, bundle, bundleIndex)) {
      // Bundles often propose the same addition (a tee for the tier and for a set with a tee).
      const key = additionKey(proposal.addition);
      let after = repriced.get(key);
      try {
        after ??= chooseBundles(
          catalog,
          resolveCart(catalog, [...items, ...proposal.addition]),
          budget,
          cache,
          meter,
        );
        repriced.set(key, after);
      } catch (err: unknown) {
        if (!(err instanceof WorkMeterExhausted)) throw err;
        // Out of hint work: keep the hints found so far; a saving not worked out is not shown.
        return rankHints(hints);
      }
      const extraSaving = after.discount - choice.discount;
      if (extraSaving <= 0 || !proposal.reached(after.applications)) continue;
      hints.push({
        bundleIndex,
        bundleId: bundle.id,
        bundleName: bundle.name,
        skus: interchangeableSkus(state, bundle, proposal.addition),
        quantityToAdd: proposal.addition.reduce((sum, item) => sum + item.quantity, 0),
        extraSaving,
        message: proposal.describe(after.applications, formatMoney(extraSaving, catalog.currency)),
        addition: proposal.addition,
      });
      break;
    }
  }
  return rankHints(hints);
}

/** Largest extra saving first, then catalog order; at most {@link MAX_HINTS}. */
function rankHints(hints: (NextTierHint & { bundleIndex: number })[]): NextTierHint[] {
  return hints
    .sort((a, b) => b.extraSaving - a.extraSaving || a.bundleIndex - b.bundleIndex)
    .slice(0, MAX_HINTS)
    .map(({ bundleIndex: _, ...hint }) => hint);
}

/** Candidate additions for one bundle, smallest first; empty when the bundle cannot go further. */
function proposeAdditions(state: CartState, bundle: Bundle, bundleIndex: number): Proposal[] {
  const own = (applications: readonly BundleApplication[]) =>
    applications.filter((a) => a.bundleIndex === bundleIndex);
  const timesNow = own(state.applications).length;
  const progress: BundleProgress = {
    own,
    appliedFurther: (after) => own(after).length > timesNow,
  };
  return bundle.kind === 'set'
    ? proposeSetAdditions(state, bundle, bundleIndex, progress)
    : proposeCollectionAdditions(state, bundle, progress);
}

/** One bundle's applications in a cart, and whether a re-priced cart applies it more times than now. */
interface BundleProgress {
  readonly own: (applications: readonly BundleApplication[]) => BundleApplication[];
  readonly appliedFurther: (after: readonly BundleApplication[]) => boolean;
}

/** The missing items of a started set, counted two ways (see below); at most two proposals. */
function proposeSetAdditions(
  state: CartState,
  bundle: SetBundle,
  bundleIndex: number,
  progress: BundleProgress,
): Proposal[] {
  const { catalog } = state;
  const products = bundle.items.map((item) => catalog.productsBySku.get(item.sku));
  if (products.some((p) => !p?.active)) return [];
  // Either count every unit of the set's SKUs in the cart (the re-pricing may move a unit from
  // another bundle to the set), or only the units no bundle uses.
  const variants = [
    (sku: string) => state.quantityOf(sku) - state.usedByBundle(bundleIndex, sku),
    (sku: string) => state.quantityOf(sku) - state.usedOf(sku),
  ];
  const proposals: Proposal[] = [];
  const seen = new Set<string>();
  for (const available of variants) {
    const missing = bundle.items.map((item) => ({
      sku: item.sku,
      quantity: Math.max(0, item.quantity - available(item.sku)),
    }));
    const needed = missing.reduce((sum, m) => sum + m.quantity, 0);
    const wanted = bundle.items.reduce((sum, item) => sum + item.quantity, 0);
    // Only a set the cart has started (some item present) and not already able to apply.
    if (needed === 0 || needed === wanted) continue;
    const addition = missing.filter((m) => m.quantity > 0);
    if (!addition.every((m) => fits(state, m.sku, m.quantity))) continue;
    const key = addition.map((m) => `${m.sku}:${m.quantity}`).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const names = addition.map((m) => {
      // `fits` has just found the product.
      const { name } = get(catalog.productsBySku, m.sku, 'a product a hint adds');
      return m.quantity > 1 ? `${m.quantity} × ${name}` : name;
    });
    proposals.push({
      addition,
      reached: progress.appliedFurther,
      describe: (_, saving) => `Add ${joinWords(names)} to complete the ${bundle.name} — save ${saving} more`,
    });
  }
  return proposals;
}

/** The cheapest units that take a tier to its next tier, or a multi-buy to one more application. */
function proposeCollectionAdditions(
  state: CartState,
  bundle: TieredPercentBundle | MultiBuyBundle,
  { own, appliedFurther }: BundleProgress,
): Proposal[] {
  const { catalog } = state;
  const eligible = catalog.products.filter((p) => p.active && p.collections.includes(bundle.collection));
  const inCart = eligible.reduce((sum, p) => sum + state.quantityOf(p.sku), 0);
  // A hint for a collection the customer has not started would be an advert, not a hint.
  if (inCart === 0) return [];
  const usedHere = unitsOf(own(state.applications));
  const leftover = eligible.reduce((sum, p) => sum + state.quantityOf(p.sku) - state.usedOf(p.sku), 0);
  const label = (n: number) => (n === 1 ? bundle.unit.one : bundle.unit.other);

  let quantities: number[];
  let reached: Proposal['reached'];
  let describe: (quantity: number) => Proposal['describe'];
  if (bundle.kind === 'tiered_percent') {
    const target = bundle.tiers.find((tier) => tier.minQuantity > usedHere);
    if (!target) return [];
    quantities = [target.minQuantity - inCart, target.minQuantity - (usedHere + leftover)];
    reached = (after) => unitsOf(own(after)) >= target.minQuantity;
    describe = (quantity) => (after, saving) => {
      const units = unitsOf(own(after));
      const percent = bundle.tiers.reduce((p, tier) => (units >= tier.minQuantity ? tier.percentOff : p), 0);
      return `Add ${quantity} more ${label(quantity)} to get ${percent}% off — save ${saving} more`;
    };
  } else {
    const size = bundle.quantity;
    quantities = [size - ((inCart - usedHere) % size), size - (leftover % size)];
    reached = appliedFurther;
    describe = (quantity) => (_, saving) =>
      `Add ${quantity} more ${label(quantity)} to get ${size} for ${formatMoney(bundle.price, catalog.currency)} — save ${saving} more`;
  }
  return [...new Set(quantities.filter((q) => q > 0))]
    .sort((a, b) => a - b)
    .flatMap((quantity) => {
      const addition = cheapestUnits(state, eligible, quantity);
      return addition ? [{ addition, reached, describe: describe(quantity) }] : [];
    });
}

/** Whether `quantity` more units of `sku` stay within the product's maximum. */
function fits(state: CartState, sku: string, quantity: number): boolean {
  const product = state.catalog.productsBySku.get(sku);
  return !!product?.active && state.quantityOf(sku) + quantity <= maxQuantityOf(state.catalog, product);
}

/** The cheapest `quantity` units among `products` (then lowest SKU), within each product's maximum. */
function cheapestUnits(
  state: CartState,
  products: readonly Product[],
  quantity: number,
): CartItem[] | undefined {
  const addition: CartItem[] = [];
  let left = quantity;
  const byPrice = [...products].sort((a, b) => a.unitAmount - b.unitAmount || (a.sku < b.sku ? -1 : 1));
  for (const product of byPrice) {
    if (left === 0) break;
    const room = maxQuantityOf(state.catalog, product) - state.quantityOf(product.sku);
    const n = Math.min(room, left);
    if (n <= 0) continue;
    addition.push({ sku: product.sku, quantity: n });
    left -= n;
  }
  return left === 0 ? addition : undefined;
}

/**
 * The SKUs a hint can honestly name: those of the priced addition, plus, for collection bundles, any
 * SKU that prices identically in its place (same unit amount, same bundle memberships) and has room.
 * A SKU with another price or membership could change the saving, so it is not named.
 */
function interchangeableSkus(state: CartState, bundle: Bundle, addition: readonly CartItem[]): string[] {
  const skus = new Set(addition.map((item) => item.sku));
  if (bundle.kind !== 'set') {
    const { catalog } = state;
    const pricing = pricingKeys(catalog);
    for (const item of addition) {
      const key = pricing.get(item.sku);
      for (const p of catalog.products) {
        if (pricing.get(p.sku) === key && fits(state, p.sku, item.quantity)) skus.add(p.sku);
      }
    }
  }
  return [...skus].sort();
}

/** Per catalog: each active product's unit amount and bundle memberships, as a comparable key. */
const pricingKeyCache = new WeakMap<PricingCatalog, ReadonlyMap<string, string>>();

function pricingKeys(catalog: PricingCatalog): ReadonlyMap<string, string> {
  let keys = pricingKeyCache.get(catalog);
  if (!keys) {
    keys = new Map(
      catalog.products
        .filter((p) => p.active)
        .map((p) => {
          // A set names its products, so a product in a set prices like no other product.
          const memberships = catalog.activeBundles.map((b) =>
            b.kind === 'set'
              ? b.items.some((item) => item.sku === p.sku)
                ? `set:${p.sku}`
                : '-'
              : p.collections.includes(b.collection)
                ? 'in'
                : '-',
          );
          return [p.sku, `${p.unitAmount}|${memberships.join(',')}`];
        }),
    );
    pricingKeyCache.set(catalog, keys);
  }
  return keys;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
