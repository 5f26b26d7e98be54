/*
 * The search's work budget. Work is counted, not timed, so that a cart prices the same on any machine
 * under any load: one unit per search state expanded and one per choice tried.
 */

/** A component's exact search used up its budget; the caller falls back to the greedy answer. */
export class SearchBudgetExceeded extends Error {
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

/** A {@link WorkMeter} ran dry: the pricing under way was abandoned, not approximated. */
export class WorkMeterExhausted extends Error {
  override readonly name = 'WorkMeterExhausted';
}

/** Counts one exact search's work against its budget and, if given, a shared meter. */
export class WorkCounter {
  private work = 0;

  constructor(
    private readonly budget: number,
    private readonly meter: WorkMeter | undefined,
  ) {}

  /**
   * Spends one unit of work.
   *
   * @throws SearchBudgetExceeded past the budget; WorkMeterExhausted when the shared meter runs dry.
   */
  tick(): void {
    this.work += 1;
    if (this.work > this.budget) throw new SearchBudgetExceeded();
    if (this.meter && --this.meter.remaining < 0) throw new WorkMeterExhausted();
  }
}
