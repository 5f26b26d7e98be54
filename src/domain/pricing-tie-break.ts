import type { Cents } from './money';
import { numberAt } from './pricing-invariant';

/*
 * What the exact search remembers of a state, and how two answers are compared. The comparison is
 * docs/pricing.md's "Optimality and tie-break": more discount, then fewer units, then bundle by
 * bundle in catalog order.
 */

/** The best the search found from one stage on, for one state. */
export interface StageResult {
  /** Discount from this stage onwards. */
  readonly d: Cents;
  /** Units consumed from this stage onwards. */
  readonly u: number;
  /** Units this stage takes from each of its groups. */
  readonly take: readonly number[];
  /**
   * Discount per bundle from this stage onwards, indexed by catalog rank. It is only as long as the
   * highest rank that saved anything needs: a rank past its end saved nothing (see {@link savedAt}).
   */
  readonly v: readonly number[];
}

/** The result past the last stage: nothing saved, nothing taken. */
export const NOTHING: StageResult = { d: 0, u: 0, take: [], v: [] };

/** The discount `v` records for catalog rank `rank`: 0 past its end, where nothing was saved. */
function savedAt(v: readonly number[], rank: number): number {
  return rank < v.length ? numberAt(v, rank, 'a discount by catalog rank') : 0;
}

/**
 * Whether a candidate (this stage saves `value`, at catalog rank `position`, then `rest`) beats
 * `best`: more discount; then fewer units; then, comparing discounts bundle by bundle in catalog
 * order, the first difference decides for the larger. The third rule does not depend on the order
 * stages are searched in, and it decomposes: with this stage's choice fixed, the best `rest` under
 * the same rule is the best whole, which is what makes memoising `rest` sound.
 */
export function isBetter(
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
    const mine = r === position ? value : savedAt(rest.v, r);
    const theirs = savedAt(best.v, r);
    if (mine !== theirs) return mine > theirs;
  }
  return false;
}

/** `rest`'s discounts by catalog rank, with this stage's `value` at `position`. */
export function withDiscount(rest: StageResult, position: number, value: number): number[] {
  const v = new Array<number>(Math.max(rest.v.length, position + 1)).fill(0);
  rest.v.forEach((x, r) => {
    v[r] = x;
  });
  v[position] = value;
  return v;
}
