import { percentOf } from './money';
import { at, numberAt, PricingInvariantError } from './pricing-invariant';
import { type Model, projectCounts } from './pricing-model';
import type { BundleApplication, MultiStage, SetStage, Stage, TieredStage } from './pricing-stages';
import { tierPercent } from './pricing-stages';
import type { StageResult } from './pricing-tie-break';

/*
 * The reconstruction of the best plan: the search remembers, per stage and state, only how many
 * units the stage takes from each group. Reading those back from the first stage gives the units per
 * line each bundle consumed; cutting them into applications and pricing each gives the answer.
 */

/**
 * Walks the memoised optimum from the first stage and turns group takes into applications.
 * `optimumAt` returns the memo's exact result for a stage and state.
 *
 * @throws PricingInvariantError `plan_unreadable` when the memo lacks a state on the optimal path or
 *   a group holds fewer units than the plan takes from it.
 */
export function readPlan(
  model: Model,
  optimumAt: (b: number, counts: readonly number[]) => StageResult | undefined,
): BundleApplication[] {
  const remaining = model.lines.map((line) => line.quantity);
  const applications: BundleApplication[] = [];
  let counts: readonly number[] = model.initial;
  model.stages.forEach((stage, b) => {
    const result = optimumAt(b, counts);
    if (!result) {
      throw new PricingInvariantError(
        'plan_unreadable',
        `stage ${b} has no memoised result on the best path`,
      );
    }
    const taken = takeUnits(model, b, result.take, remaining);
    applications.push(...splitApplications(model, stage, taken));
    counts = projectCounts(model, b, counts, result.take);
  });
  return applications;
}

/**
 * Units per local line that stage b takes, `take` units per group, drawn from `remaining` (which it
 * updates). Units of one group are interchangeable from here on, so each comes from the group's
 * lowest SKU first.
 */
function takeUnits(model: Model, b: number, take: readonly number[], remaining: number[]): number[] {
  const taken = new Array<number>(model.lines.length).fill(0);
  at(model.groups, b, 'groups of a stage').forEach((group, g) => {
    let left = numberAt(take, g, 'a take');
    for (const line of group.lines) {
      const n = Math.min(left, numberAt(remaining, line, 'units left of a line'));
      taken[line] = numberAt(taken, line, 'units taken of a line') + n;
      remaining[line] = numberAt(remaining, line, 'units left of a line') - n;
      left -= n;
    }
    if (left !== 0) {
      throw new PricingInvariantError(
        'plan_unreadable',
        `stage ${b} takes ${left} more units from group ${g} than it holds`,
      );
    }
  });
  return taken;
}

/** Cuts a stage's consumed units (per local line) into its applications and prices each one. */
function splitApplications(model: Model, stage: Stage, taken: readonly number[]): BundleApplication[] {
  const total = taken.reduce((sum, n) => sum + n, 0);
  if (total === 0) return [];
  switch (stage.kind) {
    case 'tiered':
      return [tierApplication(model, stage, taken, total)];
    case 'set':
      return setApplications(model, stage, taken, total);
    case 'multi':
      return multiBuyApplications(model, stage, taken);
  }
}

const skuOf = (model: Model, local: number) => at(model.lines, local, 'a line of the model').product.sku;
const amountOf = (model: Model, local: number) =>
  at(model.lines, local, 'a line of the model').product.unitAmount;

/** Units per local line as an application's units: by SKU, in line (so SKU) order, none empty. */
function toUnits(model: Model, perLine: readonly number[]): BundleApplication['units'] {
  return perLine.flatMap((n, local) => (n > 0 ? [{ sku: skuOf(model, local), quantity: n }] : []));
}

/** A tier applies once, to everything the stage took. */
function tierApplication(
  model: Model,
  stage: TieredStage,
  taken: readonly number[],
  total: number,
): BundleApplication {
  const sum = taken.reduce((s, n, local) => s + n * amountOf(model, local), 0);
  const discount = percentOf(sum, tierPercent(stage.tiers, total));
  return { bundleIndex: stage.bundleIndex, units: toUnits(model, taken), discount };
}

/** A set took whole applications' worth of each item: that many identical applications. */
function setApplications(
  model: Model,
  stage: SetStage,
  taken: readonly number[],
  total: number,
): BundleApplication[] {
  const perApplication = stage.items.reduce((sum, item) => sum + item.quantity, 0);
  const times = total / perApplication;
  const units = toUnits(
    model,
    taken.map((n) => n / times),
  );
  return Array.from({ length: times }, () => ({
    bundleIndex: stage.bundleIndex,
    units,
    discount: stage.saving,
  }));
}

/**
 * Any split of an optimal multi-buy selection into groups of `size` saves on every group (a group
 * without saving could be dropped for a better answer), so split deterministically: most expensive
 * units first.
 *
 * @throws PricingInvariantError `application_without_saving` if a group saves nothing after all.
 */
function multiBuyApplications(
  model: Model,
  stage: MultiStage,
  taken: readonly number[],
): BundleApplication[] {
  const order: number[] = [];
  taken.forEach((n, local) => {
    for (let i = 0; i < n; i++) order.push(local);
  });
  order.sort((a, c) => amountOf(model, c) - amountOf(model, a) || a - c);
  const result: BundleApplication[] = [];
  for (let start = 0; start < order.length; start += stage.size) {
    const perLine = new Array<number>(model.lines.length).fill(0);
    let sum = 0;
    for (const local of order.slice(start, start + stage.size)) {
      perLine[local] = numberAt(perLine, local, 'units of a line') + 1;
      sum += amountOf(model, local);
    }
    const discount = sum - stage.price;
    if (discount <= 0) {
      throw new PricingInvariantError(
        'application_without_saving',
        `a multi-buy application of active bundle ${stage.bundleIndex} in the best plan saves ${discount}`,
      );
    }
    result.push({ bundleIndex: stage.bundleIndex, units: toUnits(model, perLine), discount });
  }
  return result;
}
