/**
 * Two request conventions every retrieve and list endpoint shares: `expand[]` (refused beyond what
 * the endpoint can expand, so a client never reads an id where it expected an object) and Stripe's
 * cursor pagination (`limit`, `starting_after`, `ending_before`, `has_more`).
 */
import { invalidParam, resourceMissing } from './errors';
import { type ListObject, snapshot } from './objects';

/** Validates `expand[]` against what an endpoint can expand, with Stripe's message otherwise. */
export function checkExpand(expand: string[] | undefined, allowed: readonly string[]): string[] {
  for (const [index, path] of (expand ?? []).entries()) {
    if (!allowed.includes(path)) {
      throw invalidParam(
        `This property cannot be expanded (${path}) by the Stripe emulator.`,
        `expand[${index}]`,
      );
    }
  }
  return expand ?? [];
}

/** Where a page starts and how long it may be, as a list endpoint's parameters say. */
export interface PageRequest {
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
}

/**
 * One page of `items` as Stripe's list object. A cursor naming no item is `resource_missing`
 * on that parameter (`kind` names the objects in the message, e.g. `line item`).
 */
export function pageOf<T extends { id: string }>(
  items: readonly T[],
  page: PageRequest,
  url: string,
  kind: string,
): ListObject<T> {
  let start = 0;
  let end = items.length;
  if (page.startingAfter !== undefined) {
    const index = items.findIndex((item) => item.id === page.startingAfter);
    if (index < 0) throw resourceMissing(kind, page.startingAfter, 'starting_after');
    start = index + 1;
  } else if (page.endingBefore !== undefined) {
    const index = items.findIndex((item) => item.id === page.endingBefore);
    if (index < 0) throw resourceMissing(kind, page.endingBefore, 'ending_before');
    end = index;
    start = Math.max(0, end - page.limit);
  }
  const data = items.slice(start, Math.min(end, start + page.limit)).map((item) => snapshot(item));
  return { object: 'list', data, has_more: start + data.length < end, url };
}
