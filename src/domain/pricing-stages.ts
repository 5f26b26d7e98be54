import type { Bundle, PricingCatalog, Product, SetBundle } from './catalog';
import { type Cents, percentOf } from './money';
import { at, numberAt, PricingInvariantError } from './pricing-invariant';

/*
 * The optimiser's terms: cart lines in, bundle applications out, and in between the stages (bundles
 * that can apply to this cart) grouped into components that never compete for a unit.
 */

/** One normalised cart line as the optimiser sees it. */
export interface OptimiserLine {
  readonly product: Product;
  readonly quantity: number;
}

/** One application of a bundle: the units it consumed and what it saves. */
export interface BundleApplication {
  /** Index into `catalog.activeBundles`. */
  readonly bundleIndex: number;
  /** Units consumed, by SKU, in SKU order. */
  readonly units: readonly { readonly sku: string; readonly quantity: number }[];
  readonly discount: Cents;
}

/** A tier, as the optimiser reads it. */
export interface Tier {
  readonly minQuantity: number;
  readonly percentOff: number;
}

/**
 * A bundle that can apply to the cart at hand, in the optimiser's terms. Lines are indices into the
 * cart's lines. Sets carry their fixed saving per application, which is known before the search.
 */
export type Stage = TieredStage | MultiStage | SetStage;

export interface TieredStage {
  readonly kind: 'tiered';
  readonly bundleIndex: number;
  readonly lines: readonly number[];
  /** Never empty (a stage is only made for a tier the cart can reach). */
  readonly tiers: readonly Tier[];
}

export interface MultiStage {
  readonly kind: 'multi';
  readonly bundleIndex: number;
  readonly lines: readonly number[];
  readonly size: number;
  readonly price: Cents;
}

export interface SetStage {
  readonly kind: 'set';
  readonly bundleIndex: number;
  readonly items: readonly { readonly line: number; readonly quantity: number }[];
  readonly amount: Cents;
  readonly saving: Cents;
}

/** The percentage of the highest tier `units` reaches; 0 below the first. */
export function tierPercent(tiers: readonly Tier[], units: number): number {
  let percent = 0;
  for (const tier of tiers) if (units >= tier.minQuantity) percent = tier.percentOff;
  return percent;
}

/** The cart lines a stage can take units from. */
export function stageLines(stage: Stage): readonly number[] {
  return stage.kind === 'set' ? stage.items.map((item) => item.line) : stage.lines;
}

/**
 * The stages that could apply to this cart, in processing order: sets first (one degree of freedom
 * each: how many times), then collection bundles from the one with the fewest eligible lines to the
 * one with the most (catalog order on equal counts). Units a stage shares with later stages cost
 * search work; units no later stage wants cost next to none. Narrow bundles first means a broad
 * bundle that contains them (an "all apparel" tier over a "tees" tier) comes last, where all its
 * units are its own. The order changes only how fast the optimum is found, never which one: the
 * tie-break between equal answers is by catalog order (see `isBetter`). Bundles that cannot apply at
 * all (too few eligible units, missing set items, no saving) are left out up front.
 */
export function buildStages(catalog: PricingCatalog, lines: readonly OptimiserLine[]): Stage[] {
  const sets: Stage[] = [];
  const collections: (TieredStage | MultiStage)[] = [];
  const lineBySku = new Map(lines.map((line, index) => [line.product.sku, index]));
  assertNormalisedLines(lines, lineBySku);
  for (const [bundleIndex, bundle] of catalog.activeBundles.entries()) {
    if (bundle.kind === 'set') {
      const stage = setStage(bundle, bundleIndex, lines, lineBySku);
      if (stage) sets.push(stage);
    } else {
      const stage = collectionStage(bundle, bundleIndex, lines);
      if (stage) collections.push(stage);
    }
  }
  collections.sort((a, b) => a.lines.length - b.lines.length || a.bundleIndex - b.bundleIndex);
  return [...sets, ...collections];
}

/**
 * Checks the optimiser's contract on its input: one line per SKU (`lineBySku` indexes them), each a
 * positive whole number of units. Two lines of one SKU would price, but their discounts would be
 * allocated by SKU to one of them, which can exceed its subtotal.
 *
 * @throws PricingInvariantError `lines_not_normalised`.
 */
function assertNormalisedLines(
  lines: readonly OptimiserLine[],
  lineBySku: ReadonlyMap<string, number>,
): void {
  const malformed =
    lineBySku.size !== lines.length
      ? lines.find((line, index) => lineBySku.get(line.product.sku) !== index)
      : lines.find(({ quantity }) => !Number.isInteger(quantity) || quantity < 1);
  if (malformed) {
    throw new PricingInvariantError(
      'lines_not_normalised',
      `lines must be one per SKU with a positive integer quantity; "${malformed.product.sku}" has a repeated line or quantity ${malformed.quantity}`,
    );
  }
}

/** A set's stage, if every item is in the cart in its quantity and the set saves something. */
function setStage(
  bundle: SetBundle,
  bundleIndex: number,
  lines: readonly OptimiserLine[],
  lineBySku: ReadonlyMap<string, number>,
): SetStage | undefined {
  const items: { line: number; quantity: number }[] = [];
  let amount = 0;
  for (const item of bundle.items) {
    const index = lineBySku.get(item.sku);
    if (index === undefined) return undefined;
    const line = at(lines, index, 'a set item line indexed by SKU');
    if (!line.product.active || line.quantity < item.quantity) return undefined;
    items.push({ line: index, quantity: item.quantity });
    amount += line.product.unitAmount * item.quantity;
  }
  const saving = setSaving(bundle, bundleIndex, amount);
  return saving > 0 ? { kind: 'set', bundleIndex, items, amount, saving } : undefined;
}

/** What one application of a set saves on `amount`: by its price or its percentage, never neither. */
function setSaving(bundle: SetBundle, bundleIndex: number, amount: Cents): Cents {
  if (bundle.price !== undefined) return amount - bundle.price;
  if (bundle.percentOff !== undefined) return percentOf(amount, bundle.percentOff);
  throw new PricingInvariantError(
    'catalog_inconsistent',
    `set bundle "${bundle.id}" (active bundle ${bundleIndex}) has neither a price nor a percentOff; parseCatalog refuses such a set`,
  );
}

/** A tier's or multi-buy's stage, if the cart has enough eligible units for one application. */
function collectionStage(
  bundle: Exclude<Bundle, SetBundle>,
  bundleIndex: number,
  lines: readonly OptimiserLine[],
): TieredStage | MultiStage | undefined {
  const eligible: number[] = [];
  let units = 0;
  lines.forEach((line, index) => {
    if (line.product.active && line.product.collections.includes(bundle.collection)) {
      eligible.push(index);
      units += line.quantity;
    }
  });
  if (bundle.kind === 'tiered_percent') {
    const first = bundle.tiers[0];
    // A tier list is never empty in a parsed catalog; without a first tier there is nothing to reach.
    if (!first || units < first.minQuantity) return undefined;
    return { kind: 'tiered', bundleIndex, lines: eligible, tiers: bundle.tiers };
  }
  if (units < bundle.quantity) return undefined;
  return { kind: 'multi', bundleIndex, lines: eligible, size: bundle.quantity, price: bundle.price };
}

/** Some stages and the cart lines they draw on, competing for no unit outside them. */
export interface Component {
  /** Stage indices, in processing order. */
  readonly stages: readonly number[];
  /** Line indices, ascending. */
  readonly lines: readonly number[];
}

/** Groups stages that share a cart line (transitively); different groups never compete for a unit. */
export function splitComponents(stages: readonly Stage[], lineCount: number): Component[] {
  // Union-find over stage indices; a line's first stage is its owner, and later stages join it.
  const parent = stages.map((_, index) => index);
  const find = (i: number): number => {
    let root = i;
    while (numberAt(parent, root, 'a union-find parent') !== root)
      root = numberAt(parent, root, 'a union-find parent');
    parent[i] = root;
    return root;
  };
  const NO_OWNER = -1;
  const ownerOfLine = new Array<number>(lineCount).fill(NO_OWNER);
  stages.forEach((stage, s) => {
    for (const line of stageLines(stage)) {
      const owner = numberAt(ownerOfLine, line, 'the owner of a stage line');
      if (owner === NO_OWNER) ownerOfLine[line] = s;
      else parent[find(s)] = find(owner);
    }
  });
  const byRoot = new Map<number, { stages: number[]; lines: Set<number> }>();
  stages.forEach((stage, s) => {
    const root = find(s);
    let entry = byRoot.get(root);
    if (!entry) {
      entry = { stages: [], lines: new Set() };
      byRoot.set(root, entry);
    }
    entry.stages.push(s);
    for (const line of stageLines(stage)) entry.lines.add(line);
  });
  return [...byRoot.values()].map((entry) => ({
    stages: entry.stages,
    lines: [...entry.lines].sort((a, b) => a - b),
  }));
}

/**
 * What a component's solution depends on, as a cache key: its bundles and its lines' contents. Two
 * carts that agree on these get the same answer for the component, whatever else they hold.
 */
export function componentKey(
  component: Component,
  stages: readonly Stage[],
  lines: readonly OptimiserLine[],
): string {
  const bundles = component.stages.map((s) => at(stages, s, 'a component stage').bundleIndex).join(',');
  const contents = component.lines
    .map((l) => {
      const line = at(lines, l, 'a component line');
      return `${line.product.sku}:${line.quantity}`;
    })
    .join(',');
  return `${bundles}|${contents}`;
}
