import type { AddOnHandResult, StockLevel, StockStore } from '../app/ports';
import type { Catalog } from '../domain/catalog';
import { availabilityOf } from '../domain/stock';
import { formatTextTable } from './text-table';

/** One row of `npm run stock -- list`: a tracked SKU, or a SKU with a stock item the catalog no longer tracks. */
export interface StockRow {
  readonly sku: string;
  readonly name: string;
  /** `refuse`, `backorder`, or `untracked` (an item left over from when the catalog tracked it). */
  readonly policy: 'refuse' | 'backorder' | 'untracked' | 'not_in_catalog';
  readonly onHand: number;
  readonly held: number;
  readonly available: number;
  readonly sold: number;
  readonly status: string;
}

/** Every tracked SKU of the catalog (in catalog order) with its counts, then stock items no SKU tracks. */
export async function listStock(catalog: Catalog, stock: Pick<StockStore, 'allLevels'>): Promise<StockRow[]> {
  const levels = new Map((await stock.allLevels()).map((l) => [l.sku, l]));
  const rows: StockRow[] = [];
  for (const sellable of catalog.sellables) {
    if (!sellable.inventory.tracked) continue;
    const level = levels.get(sellable.sku);
    levels.delete(sellable.sku);
    rows.push({
      sku: sellable.sku,
      name: sellable.name,
      policy: sellable.inventory.whenShort,
      ...countsOf(level),
      status: sellable.active ? availabilityOf(catalog, sellable, level?.available).status : 'inactive',
    });
  }
  for (const level of levels.values()) {
    const sellable = catalog.sellablesBySku.get(level.sku);
    rows.push({
      sku: level.sku,
      name: sellable?.name ?? '',
      policy: sellable ? 'untracked' : 'not_in_catalog',
      ...countsOf(level),
      status: '-',
    });
  }
  return rows;
}

function countsOf(level: StockLevel | undefined) {
  return {
    onHand: level?.onHand ?? 0,
    held: level?.held ?? 0,
    available: level?.available ?? 0,
    sold: level?.sold ?? 0,
  };
}

export function formatStockTable(rows: readonly StockRow[]): string {
  if (rows.length === 0)
    return 'No SKU is tracked: set "inventory": { "tracked": true } in catalog/catalog.json.\n';
  return formatTextTable(
    ['sku', 'name', 'when short', 'on hand', 'held', 'available', 'sold', 'status'],
    rows.map((r) => [
      r.sku,
      r.name,
      r.policy,
      String(r.onHand),
      String(r.held),
      String(r.available),
      String(r.sold),
      r.status,
    ]),
  );
}

/** A stock change asked for on the command line or in a CSV file. */
export interface StockChange {
  readonly sku: string;
  readonly mode: 'set' | 'add';
  readonly quantity: number;
  /** The CSV line it came from (an import). */
  readonly line?: number;
}

/** The operator named a SKU or a quantity that cannot be applied; nothing was written. */
export class StockInputError extends Error {
  override readonly name = 'StockInputError';
}

const MAX_ON_HAND = 1_000_000;

/** Checks a change against the catalog: a tracked SKU, a whole quantity (≥ 0 to set). */
export function checkChange(catalog: Catalog, change: StockChange, where = ''): StockChange {
  const at = where ? `${where}: ` : '';
  const sellable = catalog.sellablesBySku.get(change.sku);
  if (!sellable) {
    const product = catalog.productsBySku.get(change.sku);
    throw new StockInputError(
      product
        ? `${at}${change.sku} is a product with sizes; name one of its SKUs (${product.variants.map((v) => v.sku).join(', ')})`
        : `${at}${change.sku} is not a SKU of catalog ${catalog.version}`,
    );
  }
  if (!sellable.inventory.tracked) {
    throw new StockInputError(
      `${at}${change.sku} is not tracked: set "inventory": { "tracked": true } on it in the catalog first`,
    );
  }
  const { quantity } = change;
  if (
    !Number.isInteger(quantity) ||
    Math.abs(quantity) > MAX_ON_HAND ||
    (change.mode === 'set' && quantity < 0)
  ) {
    throw new StockInputError(
      `${at}the quantity of ${change.sku} must be a whole number${change.mode === 'set' ? ' from 0' : ''} up to ${MAX_ON_HAND}`,
    );
  }
  return change;
}

/**
 * Reads a stock CSV: a header naming `sku` and `onHand` (set) or `add` (a delta), then one row per SKU.
 * Every row is checked before anything is written; the errors name their line.
 */
export function parseStockCsv(catalog: Catalog, text: string): StockChange[] {
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
  const header = lines.shift();
  if (!header) throw new StockInputError('the CSV file is empty');
  const columns = header.line.split(',').map((c) => c.trim().toLowerCase());
  const skuColumn = columns.indexOf('sku');
  const setColumn = columns.findIndex((c) => c === 'onhand' || c === 'on_hand' || c === 'quantity');
  const addColumn = columns.indexOf('add');
  if (skuColumn < 0 || setColumn < 0 === addColumn < 0) {
    throw new StockInputError('the header must name sku and one of onHand (to set) or add (to add)');
  }
  const problems: string[] = [];
  const changes: StockChange[] = [];
  const seen = new Set<string>();
  for (const { line, number } of lines) {
    const cells = line.split(',').map((c) => c.trim());
    const sku = cells[skuColumn] ?? '';
    const raw = cells[setColumn >= 0 ? setColumn : addColumn] ?? '';
    const quantity = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    try {
      if (seen.has(sku)) throw new StockInputError(`line ${number}: ${sku} is listed twice`);
      seen.add(sku);
      changes.push(
        checkChange(
          catalog,
          { sku, mode: setColumn >= 0 ? 'set' : 'add', quantity, line: number },
          `line ${number}`,
        ),
      );
    } catch (err: unknown) {
      if (!(err instanceof StockInputError)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length > 0) throw new StockInputError(problems.join('\n'));
  if (changes.length === 0) throw new StockInputError('the CSV file has a header but no rows');
  return changes;
}

/** What became of one change: applied, or refused because on hand does not cover what it takes out. */
export type StockChangeResult =
  | { readonly change: StockChange; readonly outcome: 'applied'; readonly level: StockLevel }
  | { readonly change: StockChange; readonly outcome: 'refused'; readonly onHand: number };

/** Why an `add` that takes out more than is on hand is refused, in the operator's words. */
export function refusalOf(change: StockChange, onHand: number): string {
  const at = change.line === undefined ? '' : `line ${change.line}: `;
  return (
    `${at}${change.sku} has ${onHand} on hand: taking out ${-change.quantity} would leave ` +
    `${onHand + change.quantity}, and on hand cannot go below 0`
  );
}

/**
 * The `add` changes that would take on hand below 0 as the counts are now, each in the operator's
 * words (none: `[]`). A check before writing anything; each write checks again, atomically.
 */
export async function onHandShortfalls(
  stock: Pick<StockStore, 'levels'>,
  changes: readonly StockChange[],
): Promise<string[]> {
  const removals = changes.filter((c) => c.mode === 'add' && c.quantity < 0);
  if (removals.length === 0) return [];
  const levels = await stock.levels(removals.map((c) => c.sku));
  return removals.flatMap((change) => {
    const onHand = levels.get(change.sku)?.onHand ?? 0;
    return onHand + change.quantity < 0 ? [refusalOf(change, onHand)] : [];
  });
}

/**
 * Applies checked changes one SKU at a time, each its own write (`set` idempotent by value), and
 * hands each result to `onResult` as it is written. An `add` that on hand no longer covers is refused
 * by its own write and the next changes still go on.
 */
export async function applyStockChanges(
  stock: Pick<StockStore, 'setOnHand' | 'addOnHand'>,
  changes: readonly StockChange[],
  now: number,
  onResult: (result: StockChangeResult) => void = () => {},
): Promise<StockChangeResult[]> {
  const results: StockChangeResult[] = [];
  for (const change of changes) {
    const written: AddOnHandResult =
      change.mode === 'set'
        ? { outcome: 'added', level: await stock.setOnHand(change.sku, change.quantity, now) }
        : await stock.addOnHand(change.sku, change.quantity, now);
    const result: StockChangeResult =
      written.outcome === 'added'
        ? { change, outcome: 'applied', level: written.level }
        : { change, outcome: 'refused', onHand: written.onHand };
    onResult(result);
    results.push(result);
  }
  return results;
}

/** One applied change as the command prints it. */
export function describeLevel(level: StockLevel): string {
  const warn =
    level.available < 0 ? ` (below the ${level.held} held: the oldest checkouts may sell short)` : '';
  return `${level.sku}: on hand ${level.onHand}, held ${level.held}, available ${level.available}${warn}`;
}
