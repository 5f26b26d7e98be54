import { percentOf } from './money';
import { at, get, numberAt } from './pricing-invariant';
import type { Model } from './pricing-model';
import { type BundleApplication, type Stage, tierPercent } from './pricing-stages';

/*
 * The greedy fallback past the search budget, which is also the floor the full exact search is cut
 * against (docs/pricing.md, "The bound, and what happens past it").
 */

type GreedyRule = 'saving' | 'saving-per-unit';

/** One application a greedy pass could make next: units per local line, and its saving. */
interface Candidate {
  readonly stage: Stage;
  readonly taken: readonly (readonly [local: number, units: number])[];
  readonly discount: number;
  readonly units: number;
}

/**
 * The better (by total discount; the first on a tie) of two greedy passes. Each repeatedly applies
 * the single application that looks best, until none saves anything: the first by largest saving,
 * the second by largest saving per unit consumed (ties: fewer units, then catalog order). Valid,
 * never overlapping, deterministic; not always optimal.
 */
export function chooseGreedily(model: Model): BundleApplication[] {
  const bySaving = greedyPass(model, 'saving');
  const byRate = greedyPass(model, 'saving-per-unit');
  const total = (applications: readonly BundleApplication[]) =>
    applications.reduce((sum, a) => sum + a.discount, 0);
  return total(byRate) > total(bySaving) ? byRate : bySaving;
}

/** What a greedy pass knows as it goes: units left per local line, and tiers already applied. */
interface PassState {
  readonly model: Model;
  readonly remaining: number[];
  readonly localOf: ReadonlyMap<number, number>;
  /** Per stage, a collection stage's local lines most expensive first (then lowest SKU); sets: []. */
  readonly sortedLines: readonly (readonly number[])[];
  readonly tieredDone: Set<number>;
}

function greedyPass(model: Model, rule: GreedyRule): BundleApplication[] {
  const localOf = new Map(model.lines.map((line, local) => [line.global, local]));
  const amountOf = (local: number) => at(model.lines, local, 'a line of the model').product.unitAmount;
  const state: PassState = {
    model,
    remaining: model.lines.map((line) => line.quantity),
    localOf,
    sortedLines: model.stages.map((stage) =>
      stage.kind === 'set'
        ? []
        : stage.lines
            .map((global) => get(localOf, global, 'a stage line in its component'))
            .sort((a, c) => amountOf(c) - amountOf(a) || a - c),
    ),
    tieredDone: new Set(),
  };
  const applications: BundleApplication[] = [];
  for (;;) {
    let best: Candidate | undefined;
    model.stages.forEach((stage, b) => {
      const candidate = candidateAt(state, stage, b);
      if (candidate && beats(candidate, best, rule)) best = candidate;
    });
    const chosen: Candidate | undefined = best;
    if (!chosen) break;
    for (const [local, n] of chosen.taken) {
      state.remaining[local] = numberAt(state.remaining, local, 'units left of a line') - n;
    }
    if (chosen.stage.kind === 'tiered') state.tieredDone.add(chosen.stage.bundleIndex);
    applications.push({
      bundleIndex: chosen.stage.bundleIndex,
      units: [...chosen.taken]
        .sort(([a], [c]) => a - c)
        .map(([local, n]) => ({
          sku: at(model.lines, local, 'a line of the model').product.sku,
          quantity: n,
        })),
      discount: chosen.discount,
    });
  }
  return applications;
}

/**
 * The application stage b would make next, if any saves: a set's items; a multi-buy's `size` most
 * expensive units left; a tier's every eligible unit left, at the tier that count reaches (a tier
 * applies once).
 */
function candidateAt(state: PassState, stage: Stage, b: number): Candidate | undefined {
  const { model, remaining } = state;
  const taken: [number, number][] = [];
  let units = 0;
  let discount: number;
  if (stage.kind === 'set') {
    for (const item of stage.items) {
      const local = get(state.localOf, item.line, 'a set item line in its component');
      if (numberAt(remaining, local, 'units left of a line') < item.quantity) return undefined;
      taken.push([local, item.quantity]);
      units += item.quantity;
    }
    discount = stage.saving;
  } else {
    if (stage.kind === 'tiered' && state.tieredDone.has(stage.bundleIndex)) return undefined;
    const wanted = stage.kind === 'multi' ? stage.size : Number.POSITIVE_INFINITY;
    let sum = 0;
    for (const local of at(state.sortedLines, b, 'sorted lines of a stage')) {
      const n = Math.min(numberAt(remaining, local, 'units left of a line'), wanted - units);
      if (n <= 0) continue;
      taken.push([local, n]);
      units += n;
      sum += n * at(model.lines, local, 'a line of the model').product.unitAmount;
      if (units === wanted) break;
    }
    if (stage.kind === 'multi' && units < stage.size) return undefined;
    discount = stage.kind === 'multi' ? sum - stage.price : percentOf(sum, tierPercent(stage.tiers, units));
  }
  return discount > 0 ? { stage, taken, discount, units } : undefined;
}

/** Whether `candidate` looks better than `best` under the pass's rule; ties: fewer units, then catalog order. */
function beats(candidate: Candidate, best: Candidate | undefined, rule: GreedyRule): boolean {
  if (!best) return true;
  // Per unit, compared without division: a/b > c/d  ⇔  a·d > c·b for positive b, d.
  const mine = rule === 'saving' ? candidate.discount : candidate.discount * best.units;
  const theirs = rule === 'saving' ? best.discount : best.discount * candidate.units;
  if (mine !== theirs) return mine > theirs;
  if (candidate.units !== best.units) return candidate.units < best.units;
  return candidate.stage.bundleIndex < best.stage.bundleIndex;
}
