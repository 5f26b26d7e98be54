/**
 * Carriers and tracking numbers as the operator types them for `orders ship`, and the carrier's
 * public tracking page for a number (for the customer's shipping confirmation).
 */

/** Tracking pages of the carriers a small US shop ships with; `{n}` is the tracking number. */
const TRACKING_PAGES: Readonly<Record<string, string>> = {
  usps: 'https://tools.usps.com/go/TrackConfirmAction?tLabels={n}',
  ups: 'https://www.ups.com/track?tracknum={n}',
  fedex: 'https://www.fedex.com/fedextrack/?trknbr={n}',
  dhl: 'https://www.dhl.com/us-en/home/tracking.html?tracking-id={n}',
};

/** Carriers with a known tracking page, for the CLI's help. */
export const KNOWN_CARRIERS: readonly string[] = Object.keys(TRACKING_PAGES);

const CARRIER = /^[A-Za-z0-9][A-Za-z0-9 .&-]{0,39}$/;
const TRACKING = /^[A-Za-z0-9-]{4,40}$/;

/** A carrier name as stored: trimmed, lower-case; `null` when it is not a plausible name. */
export function normaliseCarrier(carrier: string): string | null {
  const trimmed = carrier.trim();
  return CARRIER.test(trimmed) ? trimmed.toLowerCase() : null;
}

/** A tracking number as stored: without spaces, upper-case; `null` when it cannot be one. */
export function normaliseTracking(tracking: string): string | null {
  const compact = tracking.replace(/\s+/g, '').toUpperCase();
  return TRACKING.test(compact) ? compact : null;
}

/** The carrier's tracking page for the number, or `null` for a carrier without a known page. */
export function carrierTrackingUrl(carrier: string | null, tracking: string | null): string | null {
  if (!carrier || !tracking) return null;
  const page = TRACKING_PAGES[carrier.toLowerCase()];
  return page ? page.replace('{n}', encodeURIComponent(tracking)) : null;
}
