import type { PricingCatalog } from './catalog';
import type { Cents } from './money';
import { searchExactly } from './pricing-exact-search';
import { chooseGreedily } from './pricing-greedy';
import { buildModel } from './pricing-model';
import {
  type BundleApplication,
  buildStages,
  type Component,
  componentKey,
  type OptimiserLine,
  type Stage,
  splitComponents,
} from './pricing-stages';
import { SearchBudgetExceeded, type WorkMeter } from './pricing-work';

/*
 * The bundle optimiser behind priceCart: which bundle applications, over which units, give the
 * customer the largest total discount. docs/pricing.md explains the model, the search, its bound and
 * the tie-breaks; the comments here say why the code is shaped the way it is. The parts, in the
 * order a cart meets them:
 *
 * - pricing-stages.ts: the bundles that can apply (stages), split into independent components;
 * - pricing-model.ts: per component, the unit classes the search counts, and its upper bound;
 * - pricing-exact-search.ts: the memoised branch-and-bound search, within a work budget
 *   (pricing-work.ts), comparing answers by pricing-tie-break.ts;
 * - pricing-plan.ts: the best plan read back from the search's memo, as bundle applications;
 * - pricing-greedy.ts: the fallback past the budget, and the floor the search is cut against.
 */

export type { BundleApplication, OptimiserLine } from './pricing-stages';
export { type WorkMeter, WorkMeterExhausted } from './pricing-work';

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

/** One component's applications, and whether the exact search (not the fallback) found them. */
interface ComponentSolution {
  readonly applications: readonly BundleApplication[];
  readonly exact: boolean;
}

/**
 * Work for a first exact attempt without a floor, before the greedy passes run. Most carts finish
 * well inside it; for those that do not, it is a small part of the budget.
 */
const QUICK_SEARCH_WORK = 256;

/**
 * Chooses the bundle applications that maximise the cart's total discount. Each unit counts toward at
 * most one application. The cart splits into independent components (bundles that share no cart
 * line); each is solved exactly within `budget` units of search work, or by the greedy fallback past
 * it. `cache` lets a caller that prices many similar carts (the hints) reuse solved components;
 * `meter`, if given, caps the work of this call (see {@link WorkMeter}).
 *
 * @throws PricingInvariantError `lines_not_normalised` unless `lines` has one line per SKU, each a
 *   positive integer quantity (priceCart's lines always do; see `buildStages`); WorkMeterExhausted
 *   when `meter` runs dry.
 */
export function chooseBundles(
  catalog: PricingCatalog,
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
 * One component's best applications: a quick exact search first; past it, the greedy answer, then a
 * full exact search cut against that answer; past the budget, the greedy answer, flagged inexact.
 */
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
