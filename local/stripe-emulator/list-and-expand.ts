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
 * on that parameter (`kind` names the objects in the message, e.g. `line item`). For a filtered
 * list, `universe` is the whole list in the same order: a cursor may name an object the filter
 * leaves out, and the page starts (or ends) where that object would be, as a cursor marks a
 * position in Stripe's lists rather than an element of one answer.
 */
export function pageOf<T extends { id: string }>(
  items: readonly T[],
  page: PageRequest,
  url: string,
  kind: string,
  universe: readonly { id: string }[] = items,
): ListObject<T> {
  const rank = new Map(universe.map((item, index) => [item.id, index]));
  const positionOf = (id: string, param: string): number => {
    const index = rank.get(id);
    if (index === undefined) throw resourceMissing(kind, id, param);
    return index;
  };
  const firstFrom = (position: number, inclusive: boolean): number => {
    const index = items.findIndex((item) => {
      const at = rank.get(item.id) ?? -1;
      return inclusive ? at >= position : at > position;
    });
    return index < 0 ? items.length : index;
  };
  let start = 0;
  let end = items.length;
  if (page.startingAfter !== undefined) {
    start = firstFrom(positionOf(page.startingAfter, 'starting_after'), false);
  } else if (page.endingBefore !== undefined) {
    end = firstFrom(positionOf(page.endingBefore, 'ending_before'), true);
    start = Math.max(0, end - page.limit);
  }
  const data = items.slice(start, Math.min(end, start + page.limit)).map((item) => snapshot(item));
  // Paging backwards (`ending_before`), `has_more` says whether objects come before this page.
  const hasMore = page.endingBefore !== undefined ? start > 0 : start + data.length < end;
  return { object: 'list', data, has_more: hasMore, url };
}
