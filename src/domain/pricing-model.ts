import type { Product } from './catalog';
import type { Cents } from './money';
import { at, get, missingEntry, numberAt } from './pricing-invariant';
import { type Component, type OptimiserLine, type Stage, stageLines, tierPercent } from './pricing-stages';

/*
 * The search model of one component: its unit classes. Lines are local indices 0..n-1. At stage b,
 * units are grouped by (unit amount, eligibility for stages b..K-1): units of one group are
 * interchangeable for every decision still to come, so the search state at stage b is the count of
 * units left in each group. Groups get coarser as stages pass, which lets states reached in
 * different ways meet in the memo.
 */

/** The units of one class at one stage. */
export interface Group {
  readonly amount: Cents;
  /** Local line indices, ascending. */
  readonly lines: readonly number[];
  /** Eligible for the stage being decided. */
  readonly eligible: boolean;
  /** The group these units belong to at the next stage, or {@link NO_LATER_GROUP}. */
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

/** `Group.next` of units no later stage wants: they leave the search after this stage. */
export const NO_LATER_GROUP = -1;

/** One line of a component, with its index in the whole cart. */
export interface ModelLine {
  readonly product: Product;
  readonly quantity: number;
  readonly global: number;
}

/** The search model of one component: its stages, lines, unit classes and bounds, all local. */
export interface Model {
  readonly stages: readonly Stage[];
  /** Per local line: the product, quantity, and global index. */
  readonly lines: readonly ModelLine[];
  /** groups[b] for b in 0..K-1. */
  readonly groups: readonly (readonly Group[])[];
  /** setItemGroupsAt[b][s]: for a set stage s ≥ b, per item, the group at stage b holding its line. */
  readonly setItemGroupsAt: readonly (readonly (readonly number[])[])[];
  /** bound[b][g]: per-unit upper bound of what stages b..K-1 can make of a unit of group g. */
  readonly bound: readonly (readonly number[])[];
  /**
   * slack[b]: half a cent per tier stage from b on. percentOf rounds half up, so a tier application
   * can save up to half a cent more than its percentage of the sum, once per application.
   */
  readonly slack: readonly number[];
  /** Units per group at the first stage. */
  readonly initial: readonly number[];
  /** rank[b]: the stage's position in catalog order among this component's stages. */
  readonly rank: readonly number[];
}

/** What building the model needs to know of the component, in local terms. */
interface Frame {
  readonly stages: readonly Stage[];
  readonly lines: readonly ModelLine[];
  /** eligibleFor[line][s]: whether stage s can take units of the line. */
  readonly eligibleFor: readonly (readonly boolean[])[];
  /** Local line index by global. */
  readonly localOf: ReadonlyMap<number, number>;
}

/** Builds the search model of one component of the cart (see the comment at the top). */
export function buildModel(
  component: Component,
  allStages: readonly Stage[],
  allLines: readonly OptimiserLine[],
): Model {
  const frame = frameOf(component, allStages, allLines);
  const groupLines = frame.stages.map((_, b) => groupLinesAt(frame, b));
  const groupOfLine = groupLines.map((groups) => {
    const of = new Array<number>(frame.lines.length).fill(NO_LATER_GROUP);
    groups.forEach((members, g) => {
      for (const line of members) of[line] = g;
    });
    return of;
  });
  const { groups, bound } = buildGroups(frame, groupLines, groupOfLine);
  const setItemGroupsAt = frame.stages.map((_, b) =>
    frame.stages.map((stage, s) =>
      stage.kind === 'set' && s >= b
        ? stage.items.map((item) =>
            numberAt(
              at(groupOfLine, b, 'groups of lines'),
              get(frame.localOf, item.line, 'a set item line'),
              'a set item group',
            ),
          )
        : [],
    ),
  );
  // A component has at least one stage.
  const initial = at(groupLines, 0, 'groups of the first stage').map((members) =>
    members.reduce((sum, line) => sum + at(frame.lines, line, 'a grouped line').quantity, 0),
  );
  return {
    stages: frame.stages,
    lines: frame.lines,
    groups,
    setItemGroupsAt,
    bound,
    slack: tierSlack(frame.stages),
    initial,
    rank: catalogRanks(frame.stages),
  };
}

/** The component's stages and lines, renumbered locally, and which stage wants which line. */
function frameOf(
  component: Component,
  allStages: readonly Stage[],
  allLines: readonly OptimiserLine[],
): Frame {
  const localOf = new Map(component.lines.map((global, local) => [global, local]));
  const lines = component.lines.map((global) => {
    const line = at(allLines, global, 'a component line');
    return { product: line.product, quantity: line.quantity, global };
  });
  const stages = component.stages.map((s) => at(allStages, s, 'a component stage'));
  const eligibleFor = lines.map(() => new Array<boolean>(stages.length).fill(false));
  stages.forEach((stage, s) => {
    for (const global of stageLines(stage)) {
      at(eligibleFor, get(localOf, global, 'a stage line in its component'), 'eligibility of a line')[s] =
        true;
    }
  });
  return { stages, lines, eligibleFor, localOf };
}

/**
 * Which stages from `from` on want the line's units, as a key. Set items are specific SKUs: two lines
 * in the same set are never interchangeable, so a set names the line.
 */
function signatureOf(frame: Frame, line: number, from: number): string {
  const eligible = at(frame.eligibleFor, line, 'eligibility of a line');
  const parts: string[] = [];
  for (let s = from; s < frame.stages.length; s++) {
    if (!eligible[s]) continue;
    parts.push(at(frame.stages, s, 'a stage').kind === 'set' ? `${s}:${line}` : `${s}`);
  }
  return parts.join(',');
}

/**
 * The groups of stage b as lists of local lines, ordered by price descending, then first line: the
 * enumeration order that the tie-break documents. Lines no stage from b on wants are in no group.
 */
function groupLinesAt(frame: Frame, b: number): number[][] {
  const byKey = new Map<string, number[]>();
  frame.lines.forEach((line, local) => {
    const signature = signatureOf(frame, local, b);
    if (signature === '') return;
    const key = `${line.product.unitAmount}|${signature}`;
    const members = byKey.get(key);
    if (members) members.push(local);
    else byKey.set(key, [local]);
  });
  // Every group has a first line: it was created with one.
  const amountOf = (members: readonly number[]) =>
    at(frame.lines, numberAt(members, 0, 'a group line'), 'a group line').product.unitAmount;
  return [...byKey.values()].sort(
    (a, c) => amountOf(c) - amountOf(a) || numberAt(a, 0, 'a group line') - numberAt(c, 0, 'a group line'),
  );
}

/**
 * The groups of every stage with their per-unit bounds, built from the last stage backwards:
 * bound[b][g] = max(0, the best per-unit value of any stage from b on that wants group g).
 */
function buildGroups(
  frame: Frame,
  groupLines: readonly (readonly (readonly number[])[])[],
  groupOfLine: readonly (readonly number[])[],
): { groups: Group[][]; bound: number[][] } {
  const { stages } = frame;
  const bound: number[][] = new Array(stages.length);
  const groups: Group[][] = new Array(stages.length);
  for (let b = stages.length - 1; b >= 0; b--) {
    const stage = at(stages, b, 'a stage');
    const row: number[] = [];
    groups[b] = at(groupLines, b, 'groups of a stage').map((members, g) => {
      const first = numberAt(members, 0, 'a group line');
      const eligible = at(frame.eligibleFor, first, 'eligibility of a line');
      const amount = at(frame.lines, first, 'a group line').product.unitAmount;
      const isEligible = eligible[b] === true;
      const next =
        b + 1 < stages.length
          ? numberAt(at(groupOfLine, b + 1, 'groups of lines'), first, 'a line group')
          : NO_LATER_GROUP;
      const later =
        next === NO_LATER_GROUP ? 0 : numberAt(at(bound, b + 1, 'bounds of a stage'), next, 'a group bound');
      const here = isEligible ? perUnitValue(stage, amount) : 0;
      row[g] = Math.max(0, later, here);
      const wantedBy: number[] = [];
      for (let s = b; s < stages.length; s++) if (eligible[s]) wantedBy.push(s);
      return {
        amount,
        lines: members,
        eligible: isEligible,
        next,
        here,
        later,
        future: signatureOf(frame, first, b + 1),
        wantedBy,
      };
    });
    bound[b] = row;
  }
  return { groups, bound };
}

/** An optimistic per-unit value of a unit of `amount` taken by `stage`. */
function perUnitValue(stage: Stage, amount: Cents): number {
  switch (stage.kind) {
    case 'tiered': {
      // Rounding can add half a cent per application on top of this; see `slack`.
      const top = at(stage.tiers, stage.tiers.length - 1, 'the top tier of a tier stage');
      return (top.percentOff * amount) / 100;
    }
    case 'multi':
      return amount - stage.price / stage.size;
    case 'set':
      return (amount * stage.saving) / stage.amount;
  }
}

/** slack[b]: half a cent per tier stage from b on (see `Model.slack`); slack[K] = 0. */
function tierSlack(stages: readonly Stage[]): number[] {
  const slack = new Array<number>(stages.length + 1).fill(0);
  for (let b = stages.length - 1; b >= 0; b--) {
    slack[b] = numberAt(slack, b + 1, 'slack') + (at(stages, b, 'a stage').kind === 'tiered' ? 0.5 : 0);
  }
  return slack;
}

/** rank[b]: stage b's position in catalog order among the component's stages. */
function catalogRanks(stages: readonly Stage[]): number[] {
  const byCatalog = stages.map((stage, b) => ({ b, bundleIndex: stage.bundleIndex }));
  byCatalog.sort((x, y) => x.bundleIndex - y.bundleIndex);
  const rank = new Array<number>(stages.length).fill(0);
  byCatalog.forEach(({ b }, position) => {
    rank[b] = position;
  });
  return rank;
}

/**
 * An upper bound on what stages b.. can still save from `counts`: every unit at its best per-unit
 * value among the stages that want it, where a stage counts only at what the units left can reach
 * (a tier at the tier its eligible units reach, a multi-buy only with enough units, a set only with
 * every item), plus half a cent per tier that can apply. Cheap, valid, and far tighter than
 * assuming every tier at its top. Past the last stage there is nothing left to save.
 */
export function upperBound(model: Model, b: number, counts: readonly number[]): number {
  const { stages } = model;
  if (b === stages.length) return 0;
  const stageGroups = at(model.groups, b, 'groups of a stage');
  const eligibleUnits = new Array<number>(stages.length).fill(0);
  for (let g = 0; g < stageGroups.length; g++) {
    const count = counts[g];
    const group = stageGroups[g];
    if (count === undefined || group === undefined) throw missingEntry('a group count', g);
    if (count === 0) continue;
    for (const s of group.wantedBy) {
      const units = eligibleUnits[s];
      if (units === undefined) throw missingEntry('units wanted by a stage', s);
      eligibleUnits[s] = units + count;
    }
  }
  let total = 0;
  // Per stage: multiplier on a unit's amount (-1: the stage cannot apply), and a per-unit offset
  // (multi-buys: −price/size).
  const rate = new Array<number>(stages.length).fill(-1);
  const offset = new Array<number>(stages.length).fill(0);
  for (let s = b; s < stages.length; s++) {
    const stage = stages[s];
    const units = eligibleUnits[s];
    if (stage === undefined || units === undefined) throw missingEntry('a stage', s);
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
      const itemGroups = at(at(model.setItemGroupsAt, b, 'set item groups'), s, 'set item groups');
      const complete = stage.items.every(
        (item, i) =>
          numberAt(counts, numberAt(itemGroups, i, 'a set item group'), 'a group count') >= item.quantity,
      );
      if (complete) rate[s] = stage.saving / stage.amount;
    }
  }
  for (let g = 0; g < stageGroups.length; g++) {
    const count = counts[g];
    const group = stageGroups[g];
    if (count === undefined || group === undefined) throw missingEntry('a group count', g);
    if (count === 0) continue;
    let best = 0;
    for (const s of group.wantedBy) {
      const r = rate[s];
      const o = offset[s];
      if (r === undefined || o === undefined) throw missingEntry('a stage rate', s);
      if (r >= 0) best = Math.max(best, r * group.amount + o);
    }
    total += count * best;
  }
  return total;
}

/**
 * The units left per group at stage b + 1, after stage b takes `take` from `counts`. Units no later
 * stage wants drop out; past the last stage nothing is left to count.
 */
export function projectCounts(
  model: Model,
  b: number,
  counts: readonly number[],
  take: readonly number[],
): number[] {
  if (b + 1 === model.stages.length) return [];
  const next = new Array<number>(at(model.groups, b + 1, 'groups of a stage').length).fill(0);
  at(model.groups, b, 'groups of a stage').forEach((group, g) => {
    if (group.next === NO_LATER_GROUP) return;
    const before = next[group.next];
    const count = counts[g];
    const taken = take[g];
    if (before === undefined || count === undefined || taken === undefined) {
      throw missingEntry('a group count to project', g);
    }
    next[group.next] = before + count - taken;
  });
  return next;
}
