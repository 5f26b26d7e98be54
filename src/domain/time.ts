/** Seconds in an hour and a day: epoch-second arithmetic for lifetimes, windows and TTLs. */
export const HOUR_SECONDS = 3_600;
export const DAY_SECONDS = 86_400;

/** The UTC day (`YYYY-MM-DD`) of an epoch-second time. */
export function utcDayOf(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}
