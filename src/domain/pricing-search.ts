import type { Catalog, Product } from './catalog';
import { type Cents, percentOf } from './money';

/*
 * The bundle optimiser behind priceCart: which bundle applications, over which units, give the
 * customer the largest total discount. docs/pricing.md explains the model, the search, its bound and
 * the tie-breaks; the comments here say why the code is shaped the way it is.
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

/** The applications chosen for a cart. */
export interface BundleChoice {
  /** Ordered by bundle (catalog order), then application. */
  readonly applications: readonly BundleApplication[];
  readonly discount: Cents;
  /** False when some part of the cart outgrew the search budget and was priced by the greedy fallback. */
  readonly exact: boolean;
}

/** Solved components by content, so that re-pricing a cart that differs in one place reuses the rest. */
export type ComponentCache = Map<string, ComponentSolution>;

interface ComponentSolution {
  readonly applications: readonly BundleApplication[];
  readonly exact: boolean;
}

/**
 * A bundle that can apply to the cart at hand, in the optimiser's terms. Lines are indices into the
 * cart's lines. Sets carry their fixed saving per application, which is known before the search.
 */
type Stage =
  | {
      readonly kind: 'tiered';
      readonly bundleIndex: number;
      readonly lines: readonly number[];
      readonly tiers: readonly { readonly minQuantity: number; readonly percentOff: number }[];
    }
  | {
      readonly kind: 'multi';
      readonly bundleIndex: number;
      readonly lines: readonly number[];
      readonly size: number;
      readonly price: Cents;
    }
  | {
      readonly kind: 'set';
      readonly bundleIndex: number;
      readonly items: readonly { readonly line: number; readonly quantity: number }[];
      readonly amount: Cents;
      readonly saving: Cents;
    };

class SearchBudgetExceeded extends Error {
  override readonly name = 'SearchBudgetExceeded';
}

/**
 * Work shared by several pricings (the hints of one cart). Each unit of search work also draws on the
 * meter; when it runs dry, {@link WorkMeterExhausted} aborts the pricing under way. Unlike the
 * per-component budget, running out does not fall back to a heuristic: it stops, so nothing priced
 * under a meter ever differs from what the same cart priced alone would give.
 */
export interface WorkMeter {
  remaining: number;
}

export class WorkMeterExhausted extends Error {
  override readonly name = 'WorkMeterExhausted';
}

/**
 * Work for a first exact attempt without a floor, before the greedy passes run. Most carts finish
 * well inside it; for those that do not, it is a small part of the budget.
 */
const QUICK_SEARCH_WORK = 256;

/** Bounds are computed in floating point; this margin keeps rounding noise from pruning a real optimum. */
const BOUND_EPSILON = 1e-6;

/**
 * Chooses the bundle applications that maximise the cart's total discount. Each unit counts toward at
 * most one application. The cart splits into independent components (bundles that share no cart
 * line); each is solved exactly within `budget` units of search work, or by the greedy fallback past
 * it. `cache` lets a caller that prices many similar carts (the hints) reuse solved components;
 * `meter`, if given, caps the work of this call (see {@link WorkMeter}).
 */
export function chooseBundles(
  catalog: Catalog,
  lines: readonly OptimiserLine[],
  budget: number,
  cache: ComponentCache = new Map(),
  meter?: WorkMeter,
): BundleChoice {
  const stages = buildStages(catalog, lines);
  const applications: BundleApplication[] = [];
  let exact = true;
  for (const component of splitComponents(stages, lines.length)) {
    const key = componentKey(component, stages, lines);
    let solution = cache.get(key);
    if (!solution) {
      solution = solveComponent(component, stages, lines, budget, meter);
      cache.set(key, solution);
    }
    applications.push(...solution.applications);
    exact &&= solution.exact;
  }
  // Components are found in processing order; callers want catalog order. The sort is stable, so a
  // bundle's own applications keep their order.
  applications.sort((a, b) => a.bundleIndex - b.bundleIndex);
  return { applications, discount: applications.reduce((sum, a) => sum + a.discount, 0), exact };
}

/**
 * The stages that could apply to this cart, in processing order: sets first (one degree of freedom
 * each: how many times), then collection bundles from the one with the fewest eligible lines to the
 * one with the most (catalog order on equal counts). Units a stage shares with later stages cost
 * search work; units no later stage wants cost next to none. Narrow bundles first means a broad
 * bundle that contains them (an "all apparel" tier over a "tees" tier) comes last, where all its
 * units are its own. The order changes only how fast the optimum is found, never which one: the
 * tie-break between equal answers is by catalog order (see isBetter). Bundles that cannot apply at
 * all (too few eligible units, missing set items, no saving) are left out up front.
 */
function buildStages(catalog: Catalog, lines: readonly OptimiserLine[]): Stage[] {
  const sets: Stage[] = [];
  const collections: (Stage & { kind: 'tiered' | 'multi' })[] = [];
  const lineBySku = new Map(lines.map((line, index) => [line.product.sku, index]));
  for (const [bundleIndex, bundle] of catalog.activeBundles.entries()) {
    if (bundle.kind === 'set') {
      const items: { line: number; quantity: number }[] = [];
      let amount = 0;
      for (const item of bundle.items) {
        const index = lineBySku.get(item.sku);
        const line = index === undefined ? undefined : lines[index];
        if (index === undefined || !line || !line.product.active || line.quantity < item.quantity) break;
        items.push({ line: index, quantity: item.quantity });
        amount += line.product.unitAmount * item.quantity;
      }
      if (items.length !== bundle.items.length) continue;
      const saving =
        bundle.price !== undefined ? amount - bundle.price : percentOf(amount, bundle.percentOff ?? 0);
      if (saving > 0) sets.push({ kind: 'set', bundleIndex, items, amount, saving });
      continue;
    }
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
      if (first && units >= first.minQuantity) {
        collections.push({ kind: 'tiered', bundleIndex, lines: eligible, tiers: bundle.tiers });
      }
    } else if (units >= bundle.quantity) {
      collections.push({
        kind: 'multi',
        bundleIndex,
        lines: eligible,
        size: bundle.quantity,
        price: bundle.price,
      });
    }
  }
  collections.sort((a, b) => a.lines.length - b.lines.length || a.bundleIndex - b.bundleIndex);
  return [...sets, ...collections];
}

function stageLines(stage: Stage): readonly number[] {
  return stage.kind === 'set' ? stage.items.map((item) => item.line) : stage.lines;
}

interface Component {
  /** Stage indices, in processing order. */
  readonly stages: readonly number[];
  /** Line indices, ascending. */
  readonly lines: readonly number[];
}

/** Groups stages that share a cart line (transitively); different groups never compete for a unit. */
function splitComponents(stages: readonly Stage[], lineCount: number): Component[] {
  const parent = stages.map((_, index) => index);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] ?? root;
    parent[i] = root;
    return root;
  };
  const ownerOfLine = new Array<number>(lineCount).fill(-1);
  stages.forEach((stage, s) => {
    for (const line of stageLines(stage)) {
      const owner = ownerOfLine[line] ?? -1;
      if (owner < 0) ownerOfLine[line] = s;
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

function componentKey(component: Component, stages: readonly Stage[], lines: readonly OptimiserLine[]) {
  const bundles = component.stages.map((s) => stages[s]?.bundleIndex).join(',');
  const contents = component.lines.map((l) => `${lines[l]?.product.sku}:${lines[l]?.quantity}`).join(',');
  return `${bundles}|${contents}`;
}

function solveComponent(
  component: Component,
  stages: readonly Stage[],
  lines: readonly OptimiserLine[],
  budget: number,
  meter: WorkMeter | undefined,
): ComponentSolution {
  const model = buildModel(component, stages, lines);
  // Most components are small: a quick exact search settles them without the greedy passes.
  const quick = Math.min(budget, QUICK_SEARCH_WORK);
  const quickMeter = meter ? { remaining: meter.remaining } : undefined;
  try {
    const applications = searchExactly(model, quick, 0, quickMeter);
    if (meter && quickMeter) meter.remaining = quickMeter.remaining;
    return { applications, exact: true };
  } catch (err: unknown) {
    if (!(err instanceof SearchBudgetExceeded)) throw err;
    if (meter && quickMeter) meter.remaining = quickMeter.remaining;
  }
  // The greedy answer is both the fallback and a floor for the exact search: no branch that cannot
  // reach it needs exploring. The quick attempt's work counts against the budget.
  const greedy = chooseGreedily(model);
  const floor = greedy.reduce((sum, a) => sum + a.discount, 0);
  try {
    return { applications: searchExactly(model, budget - quick, floor, meter), exact: true };
  } catch (err: unknown) {
    if (!(err instanceof SearchBudgetExceeded)) throw err;
    return { applications: greedy, exact: false };
  }
}

/*
 * The search model of one component. Lines are local indices 0..n-1. At stage b, units are grouped
 * by (unit amount, eligibility for stages b..K-1): units of one group are interchangeable for every
 * decision still to come, so the search state at stage b is the count of units left in each group.
 * Groups get coarser as stages pass, which lets states reached in different ways meet in the memo.
 */
interface Group {
  readonly amount: Cents;
  /** Local line indices, ascending. */
  readonly lines: readonly number[];
  /** Eligible for the stage being decided. */
  readonly eligible: boolean;
  /** The group these units belong to at the next stage, or -1 when no later stage wants them. */
  readonly next: number;
  /** Per-unit value if the current stage takes a unit of this group (an optimistic bound). */
  readonly here: number;
  /** Per-unit upper bound of what any later stage can make of a unit of this group. */
  readonly later: number;
  /** Which later stages want these units; groups with equal `future` differ only in amount. */
  readonly future: string;
  /** The stages from this one on that want these units. */
  readonly wantedBy: readonly number[];
}

interface Model {
  readonly stages: readonly Stage[];
  /** Per local line: the product, quantity, and global index. */
  readonly lines: readonly {
    readonly product: Product;
    readonly quantity: number;
    readonly global: number;
  }[];
  /** groups[b] for b in 0..K-1. */
  readonly groups: readonly (readonly Group[])[];
  /** For set stages: per item, the group (at that stage) holding the item's line. */
  readonly setItemGroups: readonly (readonly number[])[];
  /** setItemGroupsAt[b][s]: for a set stage s ≥ b, per item, the group at stage b holding its line. */
  readonly setItemGroupsAt: readonly (readonly (readonly number[])[])[];
  /** bound[b][g]: per-unit upper bound of what stages b..K-1 can make of a unit of group g. */
  readonly bound: readonly (readonly number[])[];
  /**
   * slack[b]: half a cent per tier stage from b on. percentOf rounds half up, so a tier application
   * can save up to half a cent more than its percentage of the sum, once per application.
   */
  readonly slack: readonly number[];
  readonly initial: readonly number[];
  /** rank[b]: the stage's position in catalog order among this component's stages. */
  readonly rank: readonly number[];
}

function buildModel(
  component: Component,
  allStages: readonly Stage[],
  allLines: readonly OptimiserLine[],
): Model {
  const localOf = new Map(component.lines.map((global, local) => [global, local]));
  const lines = component.lines.map((global) => {
    const line = allLines[global];
    if (!line) throw new Error(`line ${global} missing`);
    return { product: line.product, quantity: line.quantity, global };
  });
  const stages = component.stages.map((s) => {
    const stage = allStages[s];
    if (!stage) throw new Error(`stage ${s} missing`);
    return stage;
  });
  // roles[line] = for each stage, whether (and for sets, as which item) the line is eligible.
  const eligibleFor = lines.map(() => new Array<boolean>(stages.length).fill(false));
  stages.forEach((stage, s) => {
    for (const global of stageLines(stage)) {
      const local = localOf.get(global);
      const row = local === undefined ? undefined : eligibleFor[local];
      if (row) row[s] = true;
    }
  });
  const perUnit = (stage: Stage, amount: Cents): number => {
    switch (stage.kind) {
      case 'tiered':
        // Rounding can add half a cent per application on top of this; see `slack`.
        return ((stage.tiers[stage.tiers.length - 1]?.percentOff ?? 0) * amount) / 100;
      case 'multi':
        return amount - stage.price / stage.size;
      case 'set':
        return (amount * stage.saving) / stage.amount;
    }
  };
  const signature = (line: number, from: number): string => {
    const parts: string[] = [];
    for (let s = from; s < stages.length; s++) {
      if (!eligibleFor[line]?.[s]) continue;
      // Set items are specific SKUs: two lines in the same set are never interchangeable.
      parts.push(stages[s]?.kind === 'set' ? `${s}:${line}` : `${s}`);
    }
    return parts.join(',');
  };
  const groupLines: number[][][] = [];
  for (let b = 0; b < stages.length; b++) {
    const byKey = new Map<string, number[]>();
    lines.forEach((line, local) => {
      const sig = signature(local, b);
      if (sig === '') return;
      const key = `${line.product.unitAmount}|${sig}`;
      const members = byKey.get(key);
      if (members) members.push(local);
      else byKey.set(key, [local]);
    });
    // Price descending, then first line: the enumeration order that the tie-break documents.
    groupLines.push(
      [...byKey.values()].sort(
        (a, c) =>
          (lines[c[0] ?? 0]?.product.unitAmount ?? 0) - (lines[a[0] ?? 0]?.product.unitAmount ?? 0) ||
          (a[0] ?? 0) - (c[0] ?? 0),
      ),
    );
  }
  const groupOfLine = groupLines.map((groups) => {
    const of = new Array<number>(lines.length).fill(-1);
    groups.forEach((members, g) => {
      for (const line of members) of[line] = g;
    });
    return of;
  });
  // Upper bounds per unit, built from the last stage backwards: best[b][g] = max(0, max over s >= b).
  const best: number[][] = [];
  const groups: Group[][] = new Array(stages.length);
  for (let b = stages.length - 1; b >= 0; b--) {
    const stage = stages[b];
    if (!stage) continue;
    const row: number[] = [];
    groups[b] = (groupLines[b] ?? []).map((members, g) => {
      const first = members[0] ?? 0;
      const amount = lines[first]?.product.unitAmount ?? 0;
      const eligible = eligibleFor[first]?.[b] ?? false;
      const next = b + 1 < stages.length ? (groupOfLine[b + 1]?.[first] ?? -1) : -1;
      const later = next >= 0 ? (best[b + 1]?.[next] ?? 0) : 0;
      const here = eligible ? perUnit(stage, amount) : 0;
      row[g] = Math.max(0, later, here);
      const wantedBy: number[] = [];
      for (let s = b; s < stages.length; s++) if (eligibleFor[first]?.[s]) wantedBy.push(s);
      return {
        amount,
        lines: members,
        eligible,
        next,
        here,
        later,
        future: signature(first, b + 1),
        wantedBy,
      };
    });
    best[b] = row;
  }
  const setItemGroups = stages.map((stage, b) =>
    stage.kind === 'set'
      ? stage.items.map((item) => groupOfLine[b]?.[localOf.get(item.line) ?? -1] ?? -1)
      : [],
  );
  const initial = (groupLines[0] ?? []).map((members) =>
    members.reduce((sum, line) => sum + (lines[line]?.quantity ?? 0), 0),
  );
  const setItemGroupsAt = stages.map((_, b) =>
    stages.map((stage, s) =>
      stage.kind === 'set' && s >= b
        ? stage.items.map((item) => groupOfLine[b]?.[localOf.get(item.line) ?? -1] ?? -1)
        : [],
    ),
  );
  const slack = new Array<number>(stages.length + 1).fill(0);
  for (let b = stages.length - 1; b >= 0; b--) {
    slack[b] = (slack[b + 1] ?? 0) + (stages[b]?.kind === 'tiered' ? 0.5 : 0);
  }
  const byCatalog = stages.map((stage, b) => ({ b, bundleIndex: stage.bundleIndex }));
  byCatalog.sort((x, y) => x.bundleIndex - y.bundleIndex);
  const rank = new Array<number>(stages.length).fill(0);
  byCatalog.forEach(({ b }, position) => {
    rank[b] = position;
  });
  return { stages, lines, groups, setItemGroups, setItemGroupsAt, bound: best, slack, initial, rank };
}

interface StageResult {
  /** Discount from this stage onwards. */
  readonly d: Cents;
  /** Units consumed from this stage onwards. */
  readonly u: number;
  /** Units this stage takes from each of its groups. */
  readonly take: readonly number[];
  /** Discount per bundle from this stage onwards, indexed by catalog rank (missing = 0). */
  readonly v: readonly number[];
}

const NOTHING: StageResult = { d: 0, u: 0, take: [], v: [] };

/**
 * Whether a candidate (this stage saves `value`, at catalog rank `position`, then `rest`) beats
 * `best`: more discount; then fewer units; then, comparing discounts bundle by bundle in catalog
 * order, the first difference decides for the larger. The third rule does not depend on the order
 * stages are searched in, and it decomposes: with this stage's choice fixed, the best `rest` under
 * the same rule is the best whole, which is what makes memoising `rest` sound.
 */
function isBetter(
  d: number,
  u: number,
  position: number,
  value: number,
  rest: StageResult,
  best: StageResult | undefined,
): boolean {
  if (!best) return true;
  if (d !== best.d) return d > best.d;
  if (u !== best.u) return u < best.u;
  const length = Math.max(rest.v.length, best.v.length, position + 1);
  for (let r = 0; r < length; r++) {
    const mine = r === position ? value : (rest.v[r] ?? 0);
    const theirs = best.v[r] ?? 0;
    if (mine !== theirs) return mine > theirs;
  }
  return false;
}

function withDiscount(rest: StageResult, position: number, value: number): number[] {
  const v = new Array<number>(Math.max(rest.v.length, position + 1)).fill(0);
  rest.v.forEach((x, r) => {
    v[r] = x;
  });
  v[position] = value;
  return v;
}

function tierPercent(tiers: readonly { minQuantity: number; percentOff: number }[], units: number): number {
  let percent = 0;
  for (const tier of tiers) if (units >= tier.minQuantity) percent = tier.percentOff;
  return percent;
}

/**
 * Exact search: depth-first over stages with the group-count vector as state, memoised per stage,
 * with branch-and-bound inside each stage's enumeration. Throws SearchBudgetExceeded past `budget`
 * units of work (one unit per state expanded and per choice enumerated).
 */
function searchExactly(model: Model, budget: number, floor: Cents, meter?: WorkMeter): BundleApplication[] {
  const { stages, groups, setItemGroups, setItemGroupsAt } = model;
  // Per stage, by state: the exact best, or `failBelow` when a search with that threshold showed
  // nothing from this state reaches it (so nothing reaches any higher threshold either).
  const memo = stages.map(() => new Map<string, StageResult | { readonly failBelow: number }>());
  let work = 0;
  const tick = () => {
    work += 1;
    if (work > budget) throw new SearchBudgetExceeded();
    if (meter && --meter.remaining < 0) throw new WorkMeterExhausted();
  };
  /**
   * An upper bound on what stages b.. can still save from `counts`: every unit at its best per-unit
   * value among the stages that want it, where a stage counts only at what the units left can reach
   * (a tier at the tier its eligible units reach, a multi-buy only with enough units, a set only with
   * every item), plus half a cent per tier that can apply. Cheap, valid, and far tighter than
   * assuming every tier at its top.
   */
  const bound = (b: number, counts: readonly number[]): number => {
    const stageGroups = groups[b];
    if (!stageGroups) return 0;
    const eligibleUnits = new Array<number>(stages.length).fill(0);
    stageGroups.forEach((group, g) => {
      const count = counts[g] ?? 0;
      if (count > 0) for (const s of group.wantedBy) eligibleUnits[s] = (eligibleUnits[s] ?? 0) + count;
    });
    let total = 0;
    // Per stage: multiplier on a unit's amount, and a per-unit offset (multi-buys: −price/size).
    const rate = new Array<number>(stages.length).fill(-1);
    const offset = new Array<number>(stages.length).fill(0);
    for (let s = b; s < stages.length; s++) {
      const stage = stages[s];
      const units = eligibleUnits[s] ?? 0;
      if (!stage) continue;
      if (stage.kind === 'tiered') {
        const percent = tierPercent(stage.tiers, units);
        if (percent > 0) {
          rate[s] = percent / 100;
          total += 0.5;
        }
      } else if (stage.kind === 'multi') {
        if (units >= stage.size) {
          rate[s] = 1;
          offset[s] = -stage.price / stage.size;
        }
      } else {
        const itemGroups = setItemGroupsAt[b]?.[s] ?? [];
        const complete = stage.items.every((item, i) => (counts[itemGroups[i] ?? -1] ?? 0) >= item.quantity);
        if (complete) rate[s] = stage.saving / stage.amount;
      }
    }
    stageGroups.forEach((group, g) => {
      const count = counts[g] ?? 0;
      if (count === 0) return;
      let best = 0;
      for (const s of group.wantedBy) {
        const r = rate[s] ?? -1;
        if (r >= 0) best = Math.max(best, r * group.amount + (offset[s] ?? 0));
      }
      total += count * best;
    });
    return total;
  };
  const project = (b: number, counts: readonly number[], take: readonly number[]): number[] => {
    const nextGroups = groups[b + 1];
    if (!nextGroups) return [];
    const next = new Array<number>(nextGroups.length).fill(0);
    (groups[b] ?? []).forEach((group, g) => {
      if (group.next >= 0) next[group.next] = (next[group.next] ?? 0) + (counts[g] ?? 0) - (take[g] ?? 0);
    });
    return next;
  };

  /**
   * The best result from stage b on, given the units left: exact if its discount reaches `need`;
   * otherwise `undefined`, meaning nothing from here reaches `need` (branches that provably cannot
   * were not explored). Thresholds are never strict, so every tie with the answer is still compared.
   */
  const solve = (b: number, counts: readonly number[], need: number): StageResult | undefined => {
    const stage = stages[b];
    if (!stage) return NOTHING;
    const key = counts.join(',');
    const known = memo[b]?.get(key);
    if (known) {
      if (!('failBelow' in known)) return known;
      if (need >= known.failBelow) return undefined;
    }
    tick();
    const result =
      stage.kind === 'set' ? solveSet(b, stage, counts, need) : solveCollection(b, stage, counts, need);
    memo[b]?.set(key, result ?? { failBelow: need });
    return result;
  };

  const solveSet = (
    b: number,
    stage: Stage & { kind: 'set' },
    counts: readonly number[],
    need: number,
  ): StageResult | undefined => {
    const itemGroups = setItemGroups[b] ?? [];
    let most = Number.POSITIVE_INFINITY;
    stage.items.forEach((item, i) => {
      most = Math.min(most, Math.floor((counts[itemGroups[i] ?? -1] ?? 0) / item.quantity));
    });
    const perApplication = stage.items.reduce((sum, item) => sum + item.quantity, 0);
    let best: StageResult | undefined;
    // Most applications first: on a tie under every rule of isBetter, the earlier find wins.
    for (let times = most; times >= 0; times--) {
      tick();
      const take = new Array<number>(counts.length).fill(0);
      stage.items.forEach((item, i) => {
        const g = itemGroups[i] ?? -1;
        take[g] = (take[g] ?? 0) + times * item.quantity;
      });
      const next = project(b, counts, take);
      const value = times * stage.saving;
      const threshold = best ? Math.max(need, best.d) : need;
      if (value + bound(b + 1, next) + BOUND_EPSILON < threshold) continue;
      const rest = solve(b + 1, next, threshold - value);
      if (!rest || value + rest.d < threshold) continue;
      const d = value + rest.d;
      const u = times * perApplication + rest.u;
      const position = model.rank[b] ?? 0;
      if (isBetter(d, u, position, value, rest, best)) {
        best = { d, u, take, v: withDiscount(rest, position, value) };
      }
    }
    return best && best.d >= need ? best : undefined;
  };

  const solveCollection = (
    b: number,
    stage: Stage & { kind: 'tiered' | 'multi' },
    counts: readonly number[],
    need: number,
  ): StageResult | undefined => {
    const stageGroups = groups[b] ?? [];
    const privates: number[] = [];
    // Units later stages also want, in the classes this stage chooses among (see below).
    const classes: number[][] = [];
    const classOfFuture = new Map<string, number[]>();
    // Optimistic total of everything this stage and later stages could still make.
    let optimistic = model.slack[b] ?? 0;
    stageGroups.forEach((group, g) => {
      const count = counts[g] ?? 0;
      if (count === 0) return;
      if (!group.eligible) {
        optimistic += count * group.later;
      } else if (group.next < 0) {
        privates.push(g);
        optimistic += count * Math.max(0, group.here);
      } else {
        optimistic += count * Math.max(group.here, group.later);
        if (stage.kind === 'tiered') {
          classes.push([g]);
          return;
        }
        // A multi-buy gains exactly what a unit costs, and any later stage loses at most that when
        // handed a cheaper unit instead (p% of a difference, rounded, never exceeds it). So among
        // units later stages treat alike, a multi-buy taking x of them takes the x most expensive:
        // the choice is a count per class, not a subset. Groups are already sorted by amount.
        const members = classOfFuture.get(group.future);
        if (members) members.push(g);
        else {
          const created = [g];
          classOfFuture.set(group.future, created);
          classes.push(created);
        }
      }
    });
    // Units no later stage wants are only this stage's to take, and for any number of them the most
    // expensive are best (both kinds of value grow with the sum): one dimension, sorted by amount.
    const prefix = [0];
    for (const g of privates) {
      const amount = stageGroups[g]?.amount ?? 0;
      for (let i = 0; i < (counts[g] ?? 0); i++) prefix.push((prefix[prefix.length - 1] ?? 0) + amount);
    }
    const privateUnits = prefix.length - 1;
    const take = new Array<number>(counts.length).fill(0);
    let best: StageResult | undefined;

    const stageValue = (units: number, sum: Cents): number | undefined => {
      if (units === 0) return 0;
      if (stage.kind === 'tiered') {
        const percent = tierPercent(stage.tiers, units);
        if (percent === 0) return undefined;
        const value = percentOf(sum, percent);
        // A zero-value application only spends units: never better than not applying.
        return value > 0 ? value : undefined;
      }
      if (units % stage.size !== 0) return undefined;
      const value = sum - (units / stage.size) * stage.price;
      return value > 0 ? value : undefined;
    };

    const isValidCount = (units: number): boolean =>
      units === 0 ||
      (stage.kind === 'tiered' ? units >= (stage.tiers[0]?.minQuantity ?? 1) : units % stage.size === 0);

    /**
     * The best number k of private units to add to `takenUnits` units worth `takenSum`: the largest
     * value, then the smallest k. Not a scan: private units are sorted most expensive first, so a
     * tier's value never falls as k grows (best at k = all, then step down while equal), and a
     * multi-buy's value over valid k (steps of its size) gains less with each step (stop at the
     * first step that does not gain).
     */
    const bestPrivateCount = (takenUnits: number, takenSum: Cents): [number, number] | undefined => {
      const valueAt = (k: number) => stageValue(takenUnits + k, takenSum + (prefix[k] ?? 0));
      if (stage.kind === 'tiered') {
        const top = valueAt(privateUnits);
        if (top === undefined) return takenUnits === 0 ? [0, 0] : undefined;
        let k = privateUnits;
        while (k > 0 && valueAt(k - 1) === top) k--;
        return [top, k];
      }
      let k = (stage.size - (takenUnits % stage.size)) % stage.size;
      if (k > privateUnits) return undefined;
      while (
        k + stage.size <= privateUnits &&
        (prefix[k + stage.size] ?? 0) - (prefix[k] ?? 0) - stage.price > 0
      ) {
        k += stage.size;
      }
      const value = valueAt(k);
      return value === undefined ? undefined : [value, k];
    };

    const leaf = (takenUnits: number, takenSum: Cents) => {
      const found = bestPrivateCount(takenUnits, takenSum);
      if (!found) return;
      const [bestValue, bestPrivate] = found;
      const next = project(b, counts, take);
      const threshold = best ? Math.max(need, best.d) : need;
      if (bestValue + bound(b + 1, next) + BOUND_EPSILON < threshold) return;
      const rest = solve(b + 1, next, threshold - bestValue);
      if (!rest || bestValue + rest.d < threshold) return;
      const d = bestValue + rest.d;
      const u = takenUnits + bestPrivate + rest.u;
      const position = model.rank[b] ?? 0;
      if (!isBetter(d, u, position, bestValue, rest, best)) return;
      const chosen = [...take];
      let left = bestPrivate;
      for (const g of privates) {
        const n = Math.min(left, counts[g] ?? 0);
        chosen[g] = n;
        left -= n;
      }
      best = { d, u, take: chosen, v: withDiscount(rest, position, bestValue) };
    };

    const enumerate = (j: number, takenUnits: number, takenSum: Cents, optimism: number) => {
      const members = classes[j];
      if (!members) {
        leaf(takenUnits, takenSum);
        return;
      }
      let size = 0;
      let withoutThis = optimism;
      for (const g of members) {
        const group = stageGroups[g];
        const count = counts[g] ?? 0;
        size += count;
        if (group) withoutThis -= count * Math.max(group.here, group.later);
      }
      // With nothing left to choose after this class and no private units to adjust the count, only
      // counts that make a valid application (or none) can lead anywhere: skip the rest unexpanded.
      const lastChoice = j === classes.length - 1 && privateUnits === 0;
      // Most units first: on a tie under every rule of isBetter, the earlier find wins.
      for (let x = size; x >= 0; x--) {
        if (lastChoice && !isValidCount(takenUnits + x)) continue;
        tick();
        let left = x;
        let sum = 0;
        let optimismAfter = withoutThis;
        for (const g of members) {
          const group = stageGroups[g];
          const count = counts[g] ?? 0;
          const n = Math.min(left, count);
          take[g] = n;
          left -= n;
          if (!group) continue;
          sum += n * group.amount;
          optimismAfter += n * group.here + (count - n) * group.later;
        }
        if (optimismAfter + BOUND_EPSILON < (best ? Math.max(need, best.d) : need)) continue;
        enumerate(j + 1, takenUnits + x, takenSum + sum, optimismAfter);
      }
      for (const g of members) take[g] = 0;
    };

    enumerate(0, 0, 0, optimistic);
    return best && best.d >= need ? best : undefined;
  };

  // The greedy answer is a valid solution, so the optimum reaches the floor and the root is exact.
  if (!solve(0, model.initial, floor))
    throw new Error('pricing search: the optimum fell below the greedy floor');
  return reconstruct(
    model,
    (b, counts) => {
      const entry = memo[b]?.get(counts.join(','));
      return entry && !('failBelow' in entry) ? entry : undefined;
    },
    project,
  );
}

/** Walks the memoised optimum from the first stage and turns group takes into applications. */
function reconstruct(
  model: Model,
  lookup: (b: number, counts: readonly number[]) => StageResult | undefined,
  project: (b: number, counts: readonly number[], take: readonly number[]) => number[],
): BundleApplication[] {
  const remaining = model.lines.map((line) => line.quantity);
  const applications: BundleApplication[] = [];
  let counts: readonly number[] = model.initial;
  model.stages.forEach((stage, b) => {
    const result = lookup(b, counts);
    if (!result) throw new Error(`pricing search: stage ${b} has no memoised result`);
    const taken = new Array<number>(model.lines.length).fill(0);
    (model.groups[b] ?? []).forEach((group, g) => {
      let left = result.take[g] ?? 0;
      // Units of one group are interchangeable from here on; take from the lowest SKU first.
      for (const line of group.lines) {
        const n = Math.min(left, remaining[line] ?? 0);
        taken[line] = (taken[line] ?? 0) + n;
        remaining[line] = (remaining[line] ?? 0) - n;
        left -= n;
      }
      if (left !== 0) throw new Error('pricing search: a group ran out of units');
    });
    applications.push(...splitApplications(model, stage, taken));
    counts = project(b, counts, result.take);
  });
  return applications;
}

/** Cuts a stage's consumed units into its applications and prices each one. */
function splitApplications(model: Model, stage: Stage, taken: readonly number[]): BundleApplication[] {
  const total = taken.reduce((sum, n) => sum + n, 0);
  if (total === 0) return [];
  const skuOf = (local: number) => model.lines[local]?.product.sku ?? '';
  const amountOf = (local: number) => model.lines[local]?.product.unitAmount ?? 0;
  const toUnits = (perLine: readonly number[]) =>
    perLine.flatMap((n, local) => (n > 0 ? [{ sku: skuOf(local), quantity: n }] : []));
  switch (stage.kind) {
    case 'tiered': {
      const sum = taken.reduce((s, n, local) => s + n * amountOf(local), 0);
      const discount = percentOf(sum, tierPercent(stage.tiers, total));
      return [{ bundleIndex: stage.bundleIndex, units: toUnits(taken), discount }];
    }
    case 'set': {
      const perApplication = stage.items.reduce((sum, item) => sum + item.quantity, 0);
      const times = total / perApplication;
      const units = toUnits(taken.map((n) => n / times));
      return Array.from({ length: times }, () => ({
        bundleIndex: stage.bundleIndex,
        units,
        discount: stage.saving,
      }));
    }
    case 'multi': {
      // Any split of an optimal multi-buy selection into groups of `size` saves on every group (a
      // group without saving could be dropped for a better answer), so split deterministically:
      // most expensive units first.
      const order: number[] = [];
      taken.forEach((n, local) => {
        for (let i = 0; i < n; i++) order.push(local);
      });
      order.sort((a, c) => amountOf(c) - amountOf(a) || a - c);
      const result: BundleApplication[] = [];
      for (let start = 0; start < order.length; start += stage.size) {
        const perLine = new Array<number>(model.lines.length).fill(0);
        let sum = 0;
        for (const local of order.slice(start, start + stage.size)) {
          perLine[local] = (perLine[local] ?? 0) + 1;
          sum += amountOf(local);
        }
        const discount = sum - stage.price;
        if (discount <= 0) throw new Error('pricing search: a multi-buy application without saving');
        result.push({ bundleIndex: stage.bundleIndex, units: toUnits(perLine), discount });
      }
      return result;
    }
  }
}

/**
 * The fallback past the search budget: the better (by total discount; the first on a tie) of two
 * greedy passes. Each repeatedly applies the single application that looks best, until none saves
 * anything: the first by largest saving, the second by largest saving per unit consumed (ties:
 * fewer units, then catalog order). Valid, never overlapping, deterministic; not always optimal.
 */
function chooseGreedily(model: Model): BundleApplication[] {
  const bySaving = greedyPass(model, 'saving');
  const byRate = greedyPass(model, 'saving-per-unit');
  const total = (applications: readonly BundleApplication[]) =>
    applications.reduce((sum, a) => sum + a.discount, 0);
  return total(byRate) > total(bySaving) ? byRate : bySaving;
}

function greedyPass(model: Model, rule: 'saving' | 'saving-per-unit'): BundleApplication[] {
  const remaining = model.lines.map((line) => line.quantity);
  const localOf = new Map(model.lines.map((line, local) => [line.global, local]));
  const amountOf = (local: number) => model.lines[local]?.product.unitAmount ?? 0;
  // Each collection stage's lines, most expensive first (then lowest SKU), sorted once.
  const sortedLines = model.stages.map((stage) =>
    stage.kind === 'set'
      ? []
      : stage.lines
          .map((global) => localOf.get(global) ?? -1)
          .filter((local) => local >= 0)
          .sort((a, c) => amountOf(c) - amountOf(a) || a - c),
  );
  const tieredDone = new Set<number>();
  const applications: BundleApplication[] = [];
  type Candidate = { stage: Stage; taken: [number, number][]; discount: number; units: number };
  for (;;) {
    let best: Candidate | undefined;
    model.stages.forEach((stage, b) => {
      const taken: [number, number][] = [];
      let discount = 0;
      let units = 0;
      if (stage.kind === 'set') {
        for (const item of stage.items) {
          const local = localOf.get(item.line) ?? -1;
          if ((remaining[local] ?? 0) < item.quantity) return;
          taken.push([local, item.quantity]);
          units += item.quantity;
        }
        discount = stage.saving;
      } else {
        if (stage.kind === 'tiered' && tieredDone.has(stage.bundleIndex)) return;
        // A multi-buy takes its `size` most expensive units; a tier takes every unit left.
        const wanted = stage.kind === 'multi' ? stage.size : Number.POSITIVE_INFINITY;
        let sum = 0;
        for (const local of sortedLines[b] ?? []) {
          const n = Math.min(remaining[local] ?? 0, wanted - units);
          if (n <= 0) continue;
          taken.push([local, n]);
          units += n;
          sum += n * amountOf(local);
          if (units === wanted) break;
        }
        if (stage.kind === 'multi' && units < stage.size) return;
        discount =
          stage.kind === 'multi' ? sum - stage.price : percentOf(sum, tierPercent(stage.tiers, units));
      }
      if (discount <= 0) return;
      // Per unit, compared without division: a/b > c/d  ⇔  a·d > c·b for positive b, d.
      const mine = rule === 'saving' ? discount : discount * (best?.units ?? 1);
      const theirs = rule === 'saving' ? (best?.discount ?? 0) : (best?.discount ?? 0) * units;
      const better =
        !best ||
        mine > theirs ||
        (mine === theirs &&
          (units < best.units || (units === best.units && stage.bundleIndex < best.stage.bundleIndex)));
      if (better) best = { stage, taken, discount, units };
    });
    const chosen: Candidate | undefined = best;
    if (!chosen) break;
    for (const [local, n] of chosen.taken) remaining[local] = (remaining[local] ?? 0) - n;
    if (chosen.stage.kind === 'tiered') tieredDone.add(chosen.stage.bundleIndex);
    applications.push({
      bundleIndex: chosen.stage.bundleIndex,
      units: [...chosen.taken]
        .sort(([a], [c]) => a - c)
        .map(([local, n]) => ({ sku: model.lines[local]?.product.sku ?? '', quantity: n })),
      discount: chosen.discount,
    });
  }
  return applications;
}
