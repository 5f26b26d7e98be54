import type { CartItem } from '../domain/cart';
import type { Catalog } from '../domain/catalog';
import { type Availability, availabilityOf, shortLines, trackedItems } from '../domain/stock';
import { OutOfStockError } from './checkout-errors';
import type {
  CallOptions,
  CheckoutGateway,
  LiveHold,
  SessionRecord,
  SessionStore,
  StockHoldRef,
  StockLevel,
  StockStore,
} from './ports';
import { describeError, type Telemetry } from './telemetry';

/*
 * Stock holds (docs/architecture.md, "Stock"): checkout holds a cart's tracked units in one
 * transaction before its Stripe session exists, until the session's `expires_at`. The session's
 * outcome ends the hold exactly once: paid → sold; expired, replaced or its bank transfer failed →
 * released. A hold whose checkout stopped before recording a session is released by the sweep once
 * its end has passed; no hold is ever left to TTL.
 */

export interface StockDeps {
  readonly catalog: Catalog;
  readonly stock: StockStore;
  readonly telemetry: Telemetry;
}

/**
 * Availability of each line of a normalised cart (tracked SKUs read in one round trip). `ownHeld`:
 * the units the shopper's own open checkout of this cart holds, which its next checkout gives back
 * first, so they count as available to this shopper.
 */
export async function availabilityOfCart(
  deps: StockDeps,
  cart: readonly CartItem[],
  ownHeld: readonly CartItem[] | Promise<readonly CartItem[]> = [],
): Promise<Map<string, Availability>> {
  const tracked = trackedItems(deps.catalog, cart).map((i) => i.sku);
  // Both reads in one round trip.
  const [levels, own] = await Promise.all([
    tracked.length > 0 ? deps.stock.levels(tracked) : new Map<string, StockLevel>(),
    ownHeld,
  ]);
  const result = new Map<string, Availability>();
  for (const { sku } of cart) {
    const sellable = deps.catalog.sellablesBySku.get(sku);
    if (!sellable) continue;
    const level = levels.get(sku);
    const mine = own.find((i) => i.sku === sku)?.quantity ?? 0;
    result.set(sku, availabilityOf(deps.catalog, sellable, level ? level.available + mine : undefined));
  }
  return result;
}

/**
 * Refuses (409 `out_of_stock`) a cart that asks for more than a refuse-policy SKU has left. A line
 * whose availability is unknown (the stock could not be read) is not refused: the hold decides.
 */
export function refuseShortCart(
  catalog: Catalog,
  cart: readonly CartItem[],
  availability: ReadonlyMap<string, Availability>,
): void {
  const known = cart.filter((item) => availability.has(item.sku));
  const short = shortLines(catalog, known, (sku) => availability.get(sku)?.available ?? undefined);
  if (short.length > 0) throw new OutOfStockError(short);
}

/** The hold a checkout of `cart` takes (`null` when no line is tracked). */
export function holdOf(
  catalog: Catalog,
  cart: readonly CartItem[],
  holdId: string,
  until: number,
): StockHoldRef | null {
  const lines = trackedItems(catalog, cart).map(({ sku, quantity }) => ({
    sku,
    quantity,
    whenShort: catalog.sellablesBySku.get(sku)?.inventory.whenShort ?? 'refuse',
  }));
  return lines.length > 0 ? { holdId, until, lines } : null;
}

/**
 * Takes the hold before the session exists; throws {@link OutOfStockError} naming each short line
 * with what is left now.
 */
export async function takeHold(
  deps: StockDeps,
  hold: StockHoldRef,
  cart: readonly CartItem[],
  context: { readonly slotId: string; readonly now: number },
): Promise<void> {
  const taken = await deps.stock.takeHold({ ...hold, slotId: context.slotId, now: context.now });
  if (taken.outcome === 'taken') {
    deps.telemetry.metrics.count('StockHeld');
    return;
  }
  deps.telemetry.metrics.count('CheckoutOutOfStock');
  const levels = await deps.stock.levels(taken.short);
  const shortCart = cart.filter((i) => taken.short.includes(i.sku));
  const lines = shortLines(deps.catalog, shortCart, (sku) => levels.get(sku)?.available);
  // A race lost between the read and the write still names every short SKU, with what is left now.
  throw new OutOfStockError(
    lines.length > 0
      ? lines
      : shortCart.map((i) => ({
          sku: i.sku,
          name: deps.catalog.sellablesBySku.get(i.sku)?.name ?? i.sku,
          requested: i.quantity,
          available: Math.max(0, levels.get(i.sku)?.available ?? 0),
        })),
  );
}

/** Gives a hold back after its checkout failed before handing out a session (logged, never thrown). */
export async function releaseQuietly(deps: StockDeps, hold: StockHoldRef, now: number): Promise<void> {
  try {
    await deps.stock.releaseHold(hold, now);
  } catch (err: unknown) {
    // The sweep releases it once its end has passed.
    deps.telemetry.log.error('could not release a stock hold; the sweep will', {
      holdId: hold.holdId,
      error: describeError(err),
    });
  }
}

/** Releases the hold of a session that ended unpaid (expired, replaced, bank transfer failed). Idempotent. */
export async function releaseSessionHold(
  deps: Pick<StockDeps, 'stock' | 'telemetry'>,
  record: Pick<SessionRecord, 'sessionId' | 'hold'>,
  now: number,
): Promise<void> {
  if (!record.hold) return;
  if (await deps.stock.releaseHold(record.hold, now)) {
    deps.telemetry.metrics.count('StockReleased');
    deps.telemetry.log.info('stock hold released', {
      sessionId: record.sessionId,
      holdId: record.hold.holdId,
    });
  }
}

/**
 * Makes a paid session's held units sold, once; returns the SKUs found short (by this sale, or as
 * recorded by the call that made it). A paid session whose hold is gone (released before the payment
 * arrived) has its units taken from stock now, once per session, and is flagged if they were short.
 */
export async function sellSessionHold(
  deps: Pick<StockDeps, 'stock' | 'telemetry'> & { readonly sessions: Pick<SessionStore, 'getSession'> },
  record: Pick<SessionRecord, 'sessionId' | 'hold' | 'stockShort'>,
  now: number,
): Promise<readonly string[]> {
  if (!record.hold) return [];
  if (record.stockShort) return record.stockShort;
  const sold = await deps.stock.sellHold(record.hold, record.sessionId, now);
  if (sold !== null) {
    deps.telemetry.metrics.count('StockSold');
    return sold;
  }
  // The hold is gone: sold by a concurrent caller (its note is on the session), or released.
  const late = await deps.stock.sellHold(record.hold, record.sessionId, now, { held: false });
  if (late !== null) {
    deps.telemetry.metrics.count('StockSold');
    deps.telemetry.log.warn('paid session had no live stock hold; its units were taken from stock now', {
      sessionId: record.sessionId,
      holdId: record.hold.holdId,
    });
    return late;
  }
  return (await deps.sessions.getSession(record.sessionId))?.stockShort ?? [];
}

/** The sweep leaves a hold this long past its end: the session's own `expired` event comes first. */
const SWEEP_GRACE_SECONDS = 15 * 60;
/** Holds one sweep looks at, at most (oldest first). */
const SWEEP_BATCH = 200;
/** The sweep stops starting work with less time than this left. */
const SWEEP_RESERVE_MS = 3_000;

export interface SweepSummary {
  readonly ended: number;
  readonly released: number;
  readonly sold: number;
  /** Holds whose session may still be paid (a bank transfer under way): left alone. */
  readonly waiting: number;
}

export type SweepDeps = Pick<StockDeps, 'stock' | 'telemetry'> & {
  readonly sessions: Pick<SessionStore, 'getSession'>;
  readonly gateway: Pick<CheckoutGateway, 'retrieveSession'>;
  readonly stripeCall: CallOptions;
};

/**
 * Ends holds that outlived their session because nothing else ended them: a hold whose checkout
 * stopped before recording a session (none was handed out, so none can be paid) is released; a
 * hold whose session ended without its event having ended the hold (the webhook down or behind) is
 * settled by what the table, or else Stripe, says of the session: ended unpaid → released, paid →
 * sold, a bank transfer still under way → left. Runs on the webhook function's schedule, 15 minutes
 * after a hold's end; each release or sale is exactly once whoever else gets there.
 */
export async function sweepHolds(
  deps: SweepDeps,
  now: number,
  timeLeftMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<SweepSummary> {
  const ended = await deps.stock.expiredHolds(now - SWEEP_GRACE_SECONDS, SWEEP_BATCH);
  const summary = { ended: ended.length, released: 0, sold: 0, waiting: 0 };
  for (const hold of ended) {
    if (timeLeftMs() < SWEEP_RESERVE_MS) break;
    try {
      const outcome = await settleEndedHold(deps, hold, now);
      if (outcome === 'released') summary.released += 1;
      if (outcome === 'sold') summary.sold += 1;
      if (outcome === 'waiting') summary.waiting += 1;
    } catch (err: unknown) {
      deps.telemetry.log.error('stock hold sweep failed for one hold; the next run tries again', {
        holdId: hold.holdId,
        error: describeError(err),
      });
    }
  }
  if (summary.released + summary.sold + summary.waiting > 0)
    deps.telemetry.log.info('stock holds swept', { ...summary });
  return summary;
}

async function settleEndedHold(
  deps: SweepDeps,
  hold: LiveHold,
  now: number,
): Promise<'released' | 'sold' | 'waiting' | 'none'> {
  const release = async (why: string) => {
    if (!(await deps.stock.releaseHold(hold, now))) return 'none' as const;
    deps.telemetry.metrics.count('StockSweptHold');
    deps.telemetry.log.warn(`released a stock hold past its end: ${why}`, {
      holdId: hold.holdId,
      sessionId: hold.sessionId,
    });
    return 'released' as const;
  };
  if (hold.sessionId === null) return release('its checkout stopped before handing out a session');
  const record = await deps.sessions.getSession(hold.sessionId);
  let status = record?.status ?? 'expired';
  if (status === 'open') {
    // The table has not heard how the session ended: Stripe has.
    const session = await deps.gateway.retrieveSession(hold.sessionId, deps.stripeCall);
    if (!session || session.status === 'expired') status = 'expired';
    else if (session.status === 'complete') {
      status = session.paymentStatus === 'unpaid' ? 'awaiting_payment' : 'complete';
    }
  }
  switch (status) {
    case 'expired':
    case 'payment_failed':
      return release(
        `its session ${status === 'expired' ? 'expired' : 'payment failed'} and no event ended it`,
      );
    case 'complete':
      await sellSessionHold(deps, { sessionId: hold.sessionId, hold, stockShort: record?.stockShort }, now);
      return 'sold';
    default:
      return 'waiting';
  }
}
