import type { CartItem } from './cart';
import type { Catalog, Product } from './catalog';
import {
  type CodeOutcome,
  type CodeStatus,
  codeCovers,
  codeStatusMessage,
  codeUnavailability,
  describeCodeDiscount,
  type StoredCode,
} from './discount-code';
import { allocateProportionally, type Cents, formatMoney, percentOf } from './money';
import type { NextTierHint, PricedCart, PricedLine } from './priced-cart';
import { additionKey, type HintPricings, MAX_HINTS, priceUnits } from './pricing';
import type { BundleChoice, ComponentCache } from './pricing-search';
import { toUnitItems } from './pricing-variants';

/*
 * A discount code on top of a priced cart. The bundle engine (pricing.ts) prices the cart as it
 * always does; this step then applies the code the shopper gave, as its combination says:
 *
 * - `with_bundles`: after the bundles, on what is left to pay of the lines the code covers;
 * - `best_of`: the code alone (on the covered lines' full prices, no bundles) when it saves more
 *   than the bundles, otherwise the bundles and not the code.
 *
 * Either way a line's discount never exceeds its subtotal, so no total goes below zero, and the
 * lines' discounts add up to the cart's. docs/pricing.md, "Discount codes", says why this is the
 * cheapest total for the customer, and where the tests prove it.
 */

/** A code as a quote or checkout found it. */
export interface CodeLookup {
  /** The code as it will be echoed: normalised, or as typed (upper-case) when it cannot be a code. */
  readonly code: string;
  /** The stored code, or `null` when there is none of that name. */
  readonly found: StoredCode | null;
  /** Epoch seconds. */
  readonly now: number;
  /**
   * `false`: a code with every use held or paid still applies. For checkout, where the shopper's own
   * earlier session may hold one of those uses, and the hold's transaction counts exactly.
   */
  readonly countUses?: boolean;
}

export interface ApplyCodeOptions {
  /** `false`: no hints to keep true (checkout, which only needs the amounts). */
  readonly hints?: boolean;
  /**
   * The hints' own bundle choices, filled by the pricing of `priced` (pricing.ts `hintPricings`):
   * with them no hint is re-priced. Without them (a quote from the cache) a hint a code on top of the
   * bundles covers only partly is re-priced.
   */
  readonly hintPricings?: HintPricings;
}

/**
 * The cart priced with the code: amounts, lines and bundles as the code's combination makes them,
 * and `code` saying what happened. A code that does not apply (unknown, out of date, used up, below
 * its minimum, covering nothing here, or worse than the bundles) leaves the amounts as they were;
 * the cart always prices. Hints are re-priced with the code, so each states the saving the shopper
 * would really get (a hint whose bundle the code would push out is dropped).
 *
 * `priced` is the bundle pricing of `items` (pricing.ts), hints included unless `options.hints` is
 * `false`; `items` the normalised cart.
 */
export function applyCode(
  catalog: Catalog,
  items: readonly CartItem[],
  priced: PricedCart,
  lookup: CodeLookup,
  options: ApplyCodeOptions = {},
): PricedCart {
  const unavailable = codeUnavailability(lookup.found, lookup.now, { countUses: lookup.countUses ?? true });
  if (unavailable || !lookup.found) {
    const status = unavailable ?? 'unknown';
    return withOutcome(priced, outcome(lookup.code, status, lookup.found, catalog));
  }
  const code = lookup.found;
  const result = evaluate(catalog, priced, code);
  if (options.hints === false || priced.hints.length === 0) return result.cart;
  let units: CartItem[] | undefined;
  const componentCache: ComponentCache = new Map();
  const coverage = coverageOf(catalog, code, priced);
  const hints = repriceHints(priced.hints, result.cart, (hint) => {
    const choice = options.hintPricings?.get(additionKey(hint.addition ?? []));
    const known = discountAfterHint(catalog, priced, code, hint, choice, coverage);
    if (known !== undefined) return known;
    // A code on top of the bundles and covering only some products, and the hint's own bundle
    // choice not at hand: what the code takes depends on which lines the bundles' discount falls
    // on after the addition, so the cart is re-priced.
    units ??= toUnitItems(catalog, items);
    const after = evaluate(
      catalog,
      priceUnits(catalog.pricing, [...units, ...(hint.addition ?? [])], {
        hints: false,
        componentCache,
      }),
      code,
    );
    return after.bundlesKept ? after.cart.discount : null;
  });
  return { ...result.cart, hints };
}

/**
 * The cart's whole discount after a hint's addition, with the code, worked out without re-pricing:
 * the addition's amounts are the catalog's, and the bundles then save the hint's extra saving more.
 * `null` when the code would push the hint's bundle out (best-of, the code then saving more).
 *
 * A code on top of bundles that covers only some products takes its share of what the bundles leave
 * of the covered lines, so it needs the bundles' discount on those lines after the addition: from
 * `after`, the hint's own bundle choice, split over its units exactly as pricing-allocation.ts splits
 * it over the lines. Without `after` such a hint gives `undefined`: only a re-pricing can tell.
 */
function discountAfterHint(
  catalog: Catalog,
  priced: PricedCart,
  code: StoredCode,
  hint: NextTierHint,
  after: BundleChoice | undefined,
  coverage: Coverage,
): Cents | null | undefined {
  const partly = code.combination === 'with_bundles' && code.scope.kind !== 'all';
  if (partly && after === undefined) return undefined;
  const addition = hint.addition ?? [];
  const amountOf = (sku: string) => catalog.pricing.productsBySku.get(sku)?.unitAmount ?? 0;
  const { covers, coveredBefore } = coverage;
  const coveredAdded = addition.reduce(
    (sum, a) => sum + (covers(a.sku) ? amountOf(a.sku) * a.quantity : 0),
    0,
  );
  const subtotal = priced.subtotal + addition.reduce((sum, a) => sum + amountOf(a.sku) * a.quantity, 0);
  const covered = coveredBefore + coveredAdded;
  const bundles = priced.discount + hint.extraSaving;
  const currencyDiffers = code.discount.kind === 'amount_off' && code.discount.currency !== priced.currency;
  const applies =
    covered > 0 && !currencyDiffers && (code.minSubtotal === null || covered >= code.minSubtotal);
  if (!applies) return bundles;
  if (code.combination === 'best_of') return codeDiscountOn(code, covered) > bundles ? null : bundles;
  // On top of the bundles: the code takes its share of what they leave of the lines it covers.
  if (!partly) return bundles + codeDiscountOn(code, subtotal - bundles);
  return after && bundles + codeDiscountOn(code, covered - coveredShare(catalog, after, covers));
}

/** Whether the code covers a SKU (a sellable's or a pricing unit's), and its covered subtotal now. */
interface Coverage {
  readonly covers: (sku: string) => boolean;
  readonly coveredBefore: Cents;
}

function coverageOf(catalog: Catalog, code: StoredCode, priced: PricedCart): Coverage {
  const known = new Map<string, boolean>();
  const covers = (sku: string) => {
    let covered = known.get(sku);
    if (covered === undefined) {
      const product = productOf(catalog, sku);
      covered = product !== undefined && codeCovers(code, product);
      known.set(sku, covered);
    }
    return covered;
  };
  const coveredBefore = priced.lines.reduce((sum, line) => sum + (covers(line.sku) ? line.subtotal : 0), 0);
  return { covers, coveredBefore };
}

/**
 * The part of a bundle choice's discount that falls on the units `covers` accepts: each
 * application's discount split over its units in proportion to their amounts, by the same rule (and
 * so to the same cent) as pricing-allocation.ts splits it over the cart's lines.
 */
function coveredShare(catalog: Catalog, choice: BundleChoice, covers: (sku: string) => boolean): Cents {
  let share = 0;
  for (const application of choice.applications) {
    const covered = application.units.map((unit) => covers(unit.sku));
    if (!covered.some(Boolean)) continue;
    if (covered.every(Boolean)) {
      share += application.discount;
      continue;
    }
    const weights = application.units.map(
      (unit) => (catalog.pricing.productsBySku.get(unit.sku)?.unitAmount ?? 0) * unit.quantity,
    );
    const shares = allocateProportionally(application.discount, weights);
    covered.forEach((isCovered, i) => {
      if (isCovered) share += shares[i] ?? 0;
    });
  }
  return share;
}

/**
 * The cart with a code refused before any look-up: too many failed guesses from this client, or the
 * codes could not be read (the cart prices without it rather than fail).
 */
export function refuseCode(
  priced: PricedCart,
  code: string,
  status: 'too_many_attempts' | 'unavailable',
  retryAfterSeconds: number,
): PricedCart {
  return withOutcome(priced, {
    code,
    status,
    discount: 0,
    message: codeStatusMessage(status, null, { currency: priced.currency, retryAfterSeconds }),
  });
}

/** What the code makes of one priced cart, and whether the bundles stay. */
interface Evaluation {
  readonly cart: PricedCart;
  /** False when the code replaced the bundles (`best_of`, the code saving more). */
  readonly bundlesKept: boolean;
}

function evaluate(catalog: Catalog, priced: PricedCart, code: StoredCode): Evaluation {
  const covered = priced.lines.map((line) => {
    const product = productOf(catalog, line.sku);
    return product !== undefined && codeCovers(code, product);
  });
  const coveredSubtotal = sumWhere(priced.lines, covered, (line) => line.subtotal);
  const refuse = (status: 'not_applicable' | 'min_subtotal_not_met', missing?: Cents): Evaluation => ({
    cart: withOutcome(priced, outcome(code.code, status, code, catalog, missing)),
    bundlesKept: true,
  });
  const currencyDiffers = code.discount.kind === 'amount_off' && code.discount.currency !== priced.currency;
  if (coveredSubtotal === 0 || currencyDiffers) return refuse('not_applicable');
  if (code.minSubtotal !== null && coveredSubtotal < code.minSubtotal) {
    return refuse('min_subtotal_not_met', code.minSubtotal - coveredSubtotal);
  }

  if (code.combination === 'with_bundles') {
    // What is left to pay of each covered line after its share of the bundles.
    const bases = priced.lines.map((line, i) => (covered[i] ? line.total : 0));
    const discount = codeDiscountOn(code, sum(bases));
    if (discount === 0) return refuse('not_applicable');
    const lines = addShares(priced.lines, allocateProportionally(discount, bases));
    return {
      cart: applied(priced, { lines, appliedBundles: priced.appliedBundles }, code, discount, catalog),
      bundlesKept: true,
    };
  }

  // best_of: the code alone, on the covered lines' full prices, against the bundles.
  const bases = priced.lines.map((line, i) => (covered[i] ? line.subtotal : 0));
  const alone = codeDiscountOn(code, sum(bases));
  if (alone === 0) return refuse('not_applicable');
  if (alone <= priced.discount) {
    // Bundles save as much or more; on a tie the bundles stay, and no use of the code is spent.
    return {
      cart: withOutcome(priced, {
        code: code.code,
        status: 'worse_than_bundles',
        discount: 0,
        message: `This code can’t be combined with bundle deals, and your bundle savings of ${formatMoney(
          priced.discount,
          priced.currency,
        )} are ${alone === priced.discount ? 'just as good' : 'better'}. We’ve kept the bundle deals.`,
      }),
      bundlesKept: true,
    };
  }
  const shares = allocateProportionally(alone, bases);
  const lines = priced.lines.map((line, i) => {
    const discount = shares[i] ?? 0;
    return { ...line, discount, total: line.subtotal - discount };
  });
  return {
    cart: applied(priced, { lines, appliedBundles: [] }, code, alone, catalog),
    bundlesKept: false,
  };
}

/**
 * The product a priced line is of: a line names a sellable (a variant, or a product without any) or,
 * in a hint's re-pricing, a pricing unit (a product, or a variant with a price of its own).
 */
function productOf(catalog: Catalog, sku: string): Product | undefined {
  return catalog.productsBySku.get(catalog.sellablesBySku.get(sku)?.productSku ?? sku);
}

/** What the code takes off `base` cents: its percentage (rounded half up), or its amount, capped at `base`. */
function codeDiscountOn(code: StoredCode, base: Cents): Cents {
  if (base <= 0) return 0;
  return code.discount.kind === 'percent'
    ? percentOf(base, code.discount.percentOff)
    : Math.min(code.discount.amountOff, base);
}

/** The cart with the code applied: new lines (their discounts include the code's shares) and totals. */
function applied(
  priced: PricedCart,
  parts: Pick<PricedCart, 'lines' | 'appliedBundles'>,
  code: StoredCode,
  codeDiscount: Cents,
  catalog: Catalog,
): PricedCart {
  const discount = parts.lines.reduce((total, line) => total + line.discount, 0);
  return {
    ...priced,
    ...parts,
    discount,
    total: priced.subtotal - discount,
    code: {
      code: code.code,
      status: 'applied',
      discount: codeDiscount,
      message: `${code.code} applied: ${describeCodeDiscount(code, catalog)} — you save ${formatMoney(
        codeDiscount,
        priced.currency,
      )}.`,
    },
  };
}

function addShares(lines: readonly PricedLine[], shares: readonly Cents[]): PricedLine[] {
  return lines.map((line, i) => {
    const discount = line.discount + (shares[i] ?? 0);
    return { ...line, discount, total: line.subtotal - discount };
  });
}

function withOutcome(priced: PricedCart, code: CodeOutcome): PricedCart {
  return { ...priced, code };
}

function outcome(
  code: string,
  status: Exclude<CodeStatus, 'applied' | 'worse_than_bundles'>,
  found: StoredCode | null,
  catalog: Catalog,
  missing?: Cents,
): CodeOutcome {
  return {
    code,
    status,
    discount: 0,
    message: codeStatusMessage(status, found, {
      currency: catalog.currency,
      ...(missing !== undefined ? { missing } : {}),
    }),
  };
}

/**
 * The hints, each re-priced with the code: its extra saving is what the cart with its addition
 * would save, code and all, over `now`. A hint that saves nothing more, or whose bundle the code
 * would push out (`discountAfter` gives `null`), is dropped.
 */
function repriceHints(
  hints: readonly NextTierHint[],
  now: PricedCart,
  discountAfter: (hint: NextTierHint) => Cents | null,
): NextTierHint[] {
  const kept: NextTierHint[] = [];
  for (const hint of hints) {
    if (!hint.addition) continue;
    const after = discountAfter(hint);
    if (after === null) continue;
    const extraSaving = after - now.discount;
    const said = `save ${formatMoney(hint.extraSaving, now.currency)} more`;
    if (extraSaving <= 0 || !hint.message.endsWith(said)) continue;
    const message = `${hint.message.slice(0, -said.length)}save ${formatMoney(extraSaving, now.currency)} more`;
    kept.push({ ...hint, extraSaving, message });
  }
  // Largest saving first, as the engine ranks them; the sort is stable, so ties keep its order.
  return kept.sort((a, b) => b.extraSaving - a.extraSaving).slice(0, MAX_HINTS);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function sumWhere<T>(items: readonly T[], keep: readonly boolean[], value: (item: T) => number): number {
  return items.reduce((total, item, i) => (keep[i] ? total + value(item) : total), 0);
}
