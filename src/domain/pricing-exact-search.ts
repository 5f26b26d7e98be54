import { type Cents, percentOf } from './money';
import { at, missingEntry, numberAt, PricingInvariantError } from './pricing-invariant';
import { type Group, type Model, NO_LATER_GROUP, projectCounts, upperBound } from './pricing-model';
import { readPlan } from './pricing-plan';
import {
  type BundleApplication,
  type MultiStage,
  type SetStage,
  type TieredStage,
  tierPercent,
} from './pricing-stages';
import { isBetter, NOTHING, type StageResult, withDiscount } from './pricing-tie-break';
import { WorkCounter, type WorkMeter } from './pricing-work';

/*
 * The exact search: depth-first over stages with the group-count vector as state, memoised per
 * stage, with branch and bound inside each stage's enumeration (docs/pricing.md, "Search").
 */

/** Bounds are computed in floating point; this margin keeps rounding noise from pruning a real optimum. */
const BOUND_EPSILON = 1e-6;

/** A memo entry for a state searched under a threshold that nothing from it reaches. */
interface FailBelow {
  readonly failBelow: number;
}

/**
 * The applications that maximise one component's discount, at least `floor` (a discount known to be
 * reachable, or 0).
 *
 * @throws SearchBudgetExceeded past `budget` units of work (one per state expanded and per choice
 *   tried); WorkMeterExhausted when `meter` runs dry; PricingInvariantError `search_below_floor` if
 *   the optimum falls short of `floor`, which a floor from a valid answer makes impossible.
 */
export function searchExactly(
  model: Model,
  budget: number,
  floor: Cents,
  meter?: WorkMeter,
): BundleApplication[] {
  const search = new ExactSearch(model, new WorkCounter(budget, meter));
  if (!search.solve(0, model.initial, floor)) {
    throw new PricingInvariantError(
      'search_below_floor',
      `the exact search found nothing reaching the floor of ${floor}, which a valid answer reaches`,
    );
  }
  return readPlan(model, (b, counts) => search.optimumAt(b, counts));
}

/** One exact search of a model: the memo, the work counter, and the per-stage searches. */
class ExactSearch {
  /**
   * Per stage, by state: the exact best, or `failBelow` when a search with that threshold showed
   * nothing from this state reaches it (so nothing reaches any higher threshold either).
   */
  private readonly memo: Map<string, StageResult | FailBelow>[];

  constructor(
    readonly model: Model,
    readonly work: WorkCounter,
  ) {
    this.memo = model.stages.map(() => new Map());
  }

  /**
   * The best result from stage b on, given the units left: exact if its discount reaches `need`;
   * otherwise `undefined`, meaning nothing from here reaches `need` (branches that provably cannot
   * were not explored). Thresholds are never strict, so every tie with the answer is still compared.
   */
  solve(b: number, counts: readonly number[], need: number): StageResult | undefined {
    const { stages } = this.model;
    if (b === stages.length) return NOTHING;
    const stage = at(stages, b, 'a stage');
    const memo = at(this.memo, b, 'the memo of a stage');
    const key = counts.join(',');
    const known = memo.get(key);
    if (known) {
      if (!('failBelow' in known)) return known;
      if (need >= known.failBelow) return undefined;
    }
    this.work.tick();
    const result =
      stage.kind === 'set'
        ? this.solveSet(b, stage, counts, need)
        : new CollectionStageSearch(this, b, stage, counts, need).run();
    memo.set(key, result ?? { failBelow: need });
    return result;
  }

  /** The exact optimum memoised for stage b at `counts`, if the search settled it. */
  optimumAt(b: number, counts: readonly number[]): StageResult | undefined {
    const entry = at(this.memo, b, 'the memo of a stage').get(counts.join(','));
    return entry && !('failBelow' in entry) ? entry : undefined;
  }

  /** A set stage: how many times to apply it, most first. */
  private solveSet(
    b: number,
    stage: SetStage,
    counts: readonly number[],
    need: number,
  ): StageResult | undefined {
    const { model } = this;
    const itemGroups = at(at(model.setItemGroupsAt, b, 'set item groups'), b, 'set item groups');
    let most = Number.POSITIVE_INFINITY;
    stage.items.forEach((item, i) => {
      const available = numberAt(counts, numberAt(itemGroups, i, 'a set item group'), 'a group count');
      most = Math.min(most, Math.floor(available / item.quantity));
    });
    const perApplication = stage.items.reduce((sum, item) => sum + item.quantity, 0);
    const position = numberAt(model.rank, b, 'a catalog rank');
    let best: StageResult | undefined;
    // Most applications first: on a tie under every rule of isBetter, the earlier find wins.
    for (let times = most; times >= 0; times--) {
      this.work.tick();
      const take = new Array<number>(counts.length).fill(0);
      stage.items.forEach((item, i) => {
        const g = numberAt(itemGroups, i, 'a set item group');
        take[g] = numberAt(take, g, 'a take') + times * item.quantity;
      });
      const next = projectCounts(model, b, counts, take);
      const value = times * stage.saving;
      const threshold = best ? Math.max(need, best.d) : need;
      if (value + upperBound(model, b + 1, next) + BOUND_EPSILON < threshold) continue;
      const rest = this.solve(b + 1, next, threshold - value);
      if (!rest || value + rest.d < threshold) continue;
      const d = value + rest.d;
      const u = times * perApplication + rest.u;
      if (isBetter(d, u, position, value, rest, best)) {
        best = { d, u, take, v: withDiscount(rest, position, value) };
      }
    }
    return best && best.d >= need ? best : undefined;
  }
}

/** Units left in one group at a collection stage's state. */
interface Holding {
  /** The group's index at this stage. */
  readonly g: number;
  readonly group: Group;
  /** Units left in it (never 0: empty groups offer no choice). */
  readonly count: number;
}

/** A collection stage's choices at one state: which units it takes (see {@link CollectionStageSearch}). */
interface StageUnits {
  /** Groups only this stage (of those left) wants, most expensive first. */
  readonly privates: readonly Holding[];
  /** Groups later stages also want, in the classes this stage chooses a count from. */
  readonly classes: readonly (readonly Holding[])[];
  /** Optimistic total of everything this stage and later stages could still make. */
  readonly optimistic: number;
}

/**
 * Sorts the units left at a collection stage into what it chooses among. A tier chooses a count per
 * shared group. A multi-buy gains exactly what a unit costs, and any later stage loses at most that
 * when handed a cheaper unit instead (p% of a difference, rounded, never exceeds it). So among units
 * later stages treat alike, a multi-buy taking x of them takes the x most expensive: the choice is a
 * count per class of groups with the same `future`, not a subset. Groups are already sorted by amount.
 */
function classifyUnits(
  model: Model,
  b: number,
  stage: TieredStage | MultiStage,
  counts: readonly number[],
): StageUnits {
  const stageGroups = at(model.groups, b, 'groups of a stage');
  if (counts.length !== stageGroups.length) throw missingEntry('a group count', stageGroups.length - 1);
  const privates: Holding[] = [];
  const classes: Holding[][] = [];
  const classOfFuture = new Map<string, Holding[]>();
  let optimistic = numberAt(model.slack, b, 'slack');
  stageGroups.forEach((group, g) => {
    const count = counts[g];
    if (count === undefined) throw missingEntry('a group count', g);
    if (count === 0) return;
    if (!group.eligible) {
      optimistic += count * group.later;
      return;
    }
    const holding = { g, group, count };
    if (group.next === NO_LATER_GROUP) {
      privates.push(holding);
      optimistic += count * Math.max(0, group.here);
      return;
    }
    optimistic += count * Math.max(group.here, group.later);
    if (stage.kind === 'tiered') {
      classes.push([holding]);
      return;
    }
    const members = classOfFuture.get(group.future);
    if (members) members.push(holding);
    else {
      const created = [holding];
      classOfFuture.set(group.future, created);
      classes.push(created);
    }
  });
  return { privates, classes, optimistic };
}

/**
 * prefix[k]: the sum of the k most expensive private units. Units no later stage wants are only this
 * stage's to take, and for any number of them the most expensive are best (both kinds of value grow
 * with the sum): one dimension, sorted by amount.
 */
function privatePrefix(privates: readonly Holding[]): number[] {
  const prefix = [0];
  let sum = 0;
  for (const { group, count } of privates) {
    for (let i = 0; i < count; i++) {
      sum += group.amount;
      prefix.push(sum);
    }
  }
  return prefix;
}

/** What `units` units worth `sum` save in one go at this stage; `undefined` if that is no valid application. */
function stageValue(stage: TieredStage | MultiStage, units: number, sum: Cents): number | undefined {
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
}

/** Whether taking `units` units can make a valid application of the stage (or none). */
function isValidCount(stage: TieredStage | MultiStage, units: number): boolean {
  if (units === 0) return true;
  if (stage.kind === 'tiered') return units >= at(stage.tiers, 0, 'the first tier').minQuantity;
  return units % stage.size === 0;
}

/**
 * The best number k of private units to add to `takenUnits` units worth `takenSum`, as [value, k]:
 * the largest value, then the smallest k. Not a scan: private units are sorted most expensive first,
 * so a tier's value never falls as k grows (best at k = all, then step down while equal), and a
 * multi-buy's value over valid k (steps of its size) gains less with each step (stop at the first
 * step that does not gain).
 */
function bestPrivateCount(
  stage: TieredStage | MultiStage,
  prefix: readonly number[],
  takenUnits: number,
  takenSum: Cents,
): [number, number] | undefined {
  const privateUnits = prefix.length - 1;
  if (stage.kind === 'tiered') {
    const top = stageValue(stage, takenUnits + privateUnits, takenSum + prefixSum(prefix, privateUnits));
    if (top === undefined) return takenUnits === 0 ? [0, 0] : undefined;
    let k = privateUnits;
    while (k > 0 && stageValue(stage, takenUnits + k - 1, takenSum + prefixSum(prefix, k - 1)) === top) k--;
    return [top, k];
  }
  let k = (stage.size - (takenUnits % stage.size)) % stage.size;
  if (k > privateUnits) return undefined;
  while (
    k + stage.size <= privateUnits &&
    prefixSum(prefix, k + stage.size) - prefixSum(prefix, k) - stage.price > 0
  ) {
    k += stage.size;
  }
  const value = stageValue(stage, takenUnits + k, takenSum + prefixSum(prefix, k));
  return value === undefined ? undefined : [value, k];
}

/** prefix[k], the sum of the k most expensive private units (see {@link privatePrefix}). */
function prefixSum(prefix: readonly number[], k: number): Cents {
  const sum = prefix[k];
  if (sum === undefined) throw missingEntry('a private prefix', k);
  return sum;
}

/**
 * One collection stage at one state: enumerates a count per class (most units first), then settles
 * the private units, then hands what is left to the next stage, keeping the best whole under
 * `isBetter`. Branches whose optimistic total cannot reach the threshold are cut.
 */
class CollectionStageSearch {
  private readonly units: StageUnits;
  private readonly prefix: readonly number[];
  /** The stage's position in catalog order, for the tie-break. */
  private readonly position: number;
  /** Units this stage takes per group, on the branch being enumerated. */
  private readonly take: number[];
  private best: StageResult | undefined;

  constructor(
    private readonly search: ExactSearch,
    private readonly b: number,
    private readonly stage: TieredStage | MultiStage,
    private readonly counts: readonly number[],
    private readonly need: number,
  ) {
    const { model } = search;
    this.units = classifyUnits(model, b, stage, counts);
    this.prefix = privatePrefix(this.units.privates);
    this.position = numberAt(model.rank, b, 'a catalog rank');
    this.take = new Array<number>(counts.length).fill(0);
  }

  /** The best result from this stage on if it reaches `need`, else `undefined`. */
  run(): StageResult | undefined {
    this.enumerate(0, 0, 0, this.units.optimistic);
    const { best } = this;
    return best && best.d >= this.need ? best : undefined;
  }

  /** What a branch must reach to matter: the need, or the best found so far if higher. */
  private threshold(): number {
    return this.best ? Math.max(this.need, this.best.d) : this.need;
  }

  /** Chooses a count for class j and on, having taken `takenUnits` worth `takenSum`. */
  private enumerate(j: number, takenUnits: number, takenSum: Cents, optimism: number): void {
    const { classes } = this.units;
    const members = classes[j];
    if (members === undefined) {
      this.leaf(takenUnits, takenSum);
      return;
    }
    const { take } = this;
    let size = 0;
    let withoutThis = optimism;
    for (const { group, count } of members) {
      size += count;
      withoutThis -= count * Math.max(group.here, group.later);
    }
    // With nothing left to choose after this class and no private units to adjust the count, only
    // counts that make a valid application (or none) can lead anywhere: skip the rest unexpanded.
    const lastChoice = j === classes.length - 1 && this.prefix.length === 1;
    // Most units first: on a tie under every rule of isBetter, the earlier find wins.
    for (let x = size; x >= 0; x--) {
      if (lastChoice && !isValidCount(this.stage, takenUnits + x)) continue;
      this.search.work.tick();
      let left = x;
      let sum = 0;
      let optimismAfter = withoutThis;
      for (const { g, group, count } of members) {
        const n = Math.min(left, count);
        take[g] = n;
        left -= n;
        sum += n * group.amount;
        optimismAfter += n * group.here + (count - n) * group.later;
      }
      if (optimismAfter + BOUND_EPSILON < this.threshold()) continue;
      this.enumerate(j + 1, takenUnits + x, takenSum + sum, optimismAfter);
    }
    for (const { g } of members) take[g] = 0;
  }

  /** Every class has its count: settle the private units, then search the stages after this one. */
  private leaf(takenUnits: number, takenSum: Cents): void {
    const found = bestPrivateCount(this.stage, this.prefix, takenUnits, takenSum);
    if (!found) return;
    const [value, privateCount] = found;
    const { search, b, counts, take, position } = this;
    const { model } = search;
    const next = projectCounts(model, b, counts, take);
    const threshold = this.threshold();
    if (value + upperBound(model, b + 1, next) + BOUND_EPSILON < threshold) return;
    const rest = search.solve(b + 1, next, threshold - value);
    if (!rest || value + rest.d < threshold) return;
    const d = value + rest.d;
    const u = takenUnits + privateCount + rest.u;
    if (!isBetter(d, u, position, value, rest, this.best)) return;
    const chosen = [...take];
    let left = privateCount;
    for (const { g, count } of this.units.privates) {
      const n = Math.min(left, count);
      chosen[g] = n;
      left -= n;
    }
    this.best = { d, u, take: chosen, v: withDiscount(rest, position, value) };
  }
}
