import { queryPartition } from '../adapters/dynamodb/query-partition';
import { ConditionalCheckFailedError, type TableClient } from '../adapters/dynamodb/table-client';
import { codeItem, keys, readStoredCode } from '../adapters/dynamodb/table-items';
import { type Catalog, skusInCollection } from '../domain/catalog';
import {
  type CodeDiscount,
  type CodeScope,
  codeUnavailability,
  type DiscountCode,
  describeCodeDiscount,
  normaliseCode,
  type StoredCode,
} from '../domain/discount-code';
import { formatMoney } from '../domain/money';
import { DAY_SECONDS } from '../domain/time';
import { formatTextTable } from './text-table';

/*
 * The operator's discount codes (`npm run codes`): create, list with their counts, disable. A code
 * is never edited or deleted: its counts are history, and a changed code would re-price quotes
 * shoppers already hold. To change one, disable it and create another.
 */

type Table = { readonly client: TableClient; readonly tableName: string };

/** The options of `codes -- create`, as strings from the command line. */
export interface CreateCodeOptions {
  readonly percent?: string | undefined;
  readonly amountOff?: string | undefined;
  readonly minSubtotal?: string | undefined;
  readonly starts?: string | undefined;
  readonly ends?: string | undefined;
  readonly limit?: string | undefined;
  readonly limitPerEmail?: string | undefined;
  readonly collections?: string | undefined;
  readonly skus?: string | undefined;
  readonly combineWithBundles?: boolean | undefined;
  readonly bestOf?: boolean | undefined;
}

/** `codes -- create` was given something it cannot make a code of; `problems` lists every one. */
export class CodeDefinitionError extends Error {
  override readonly name = 'CodeDefinitionError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Reads `codes -- create <CODE> …` into a code, checked against the catalog (collections and SKUs
 * must exist) and the clock (`now`, epoch seconds: a code must not have ended already).
 */
export function parseCodeDefinition(
  rawCode: string | undefined,
  options: CreateCodeOptions,
  catalog: Catalog,
  now: number,
): DiscountCode {
  const problems: string[] = [];
  const code = normaliseCode(rawCode ?? '');
  if (!code) {
    problems.push(
      'CODE must be 3–32 letters, digits, - or _, starting and ending with a letter or digit (e.g. BABES10)',
    );
  }
  const whole = (name: string, raw: string | undefined, min: number, max: number): number | null => {
    if (raw === undefined) return null;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return null;
    }
    return value;
  };

  let discount: CodeDiscount | null = null;
  if ((options.percent === undefined) === (options.amountOff === undefined)) {
    problems.push('give exactly one of --percent P (1–100) or --amount-off CENTS');
  } else if (options.percent !== undefined) {
    const percentOff = whole('percent', options.percent, 1, 100);
    if (percentOff !== null) discount = { kind: 'percent', percentOff };
  } else {
    const amountOff = whole('amount-off', options.amountOff, 1, 100_000_000);
    if (amountOff !== null) discount = { kind: 'amount_off', amountOff, currency: catalog.currency };
  }

  const scope = parseScope(options, catalog, problems);
  if (options.combineWithBundles && options.bestOf) {
    problems.push('give at most one of --combine-with-bundles or --best-of');
  }
  const startsAt =
    options.starts === undefined ? null : parseMoment('starts', options.starts, 'start', problems);
  const endsAt = options.ends === undefined ? null : parseMoment('ends', options.ends, 'end', problems);
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt)
    problems.push('--ends must be after --starts');
  if (endsAt !== null && endsAt <= now) problems.push('--ends is in the past: the code could never be used');

  const definition = {
    minSubtotal: whole('min-subtotal', options.minSubtotal, 0, 100_000_000),
    limit: whole('limit', options.limit, 1, 10_000_000),
    limitPerEmail: whole('limit-per-email', options.limitPerEmail, 1, 10_000),
  };
  if (problems.length > 0 || !code || !discount) throw new CodeDefinitionError(problems);
  return {
    code,
    discount,
    scope,
    combination: options.combineWithBundles ? 'with_bundles' : 'best_of',
    ...definition,
    startsAt,
    endsAt,
    enabled: true,
  };
}

function parseScope(options: CreateCodeOptions, catalog: Catalog, problems: string[]): CodeScope {
  const list = (raw: string) =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  if (options.collections !== undefined && options.skus !== undefined) {
    problems.push('give at most one of --collections or --skus');
    return { kind: 'all' };
  }
  if (options.collections !== undefined) {
    const collections = list(options.collections.toLowerCase());
    if (collections.length === 0) problems.push('--collections needs at least one collection');
    for (const collection of collections) {
      if (skusInCollection(catalog, collection).length === 0) {
        problems.push(`--collections: no active product of the catalog is in "${collection}"`);
      }
    }
    return { kind: 'collections', collections };
  }
  if (options.skus !== undefined) {
    const skus = list(options.skus.toUpperCase());
    if (skus.length === 0) problems.push('--skus needs at least one SKU');
    for (const sku of skus) {
      const productSku = catalog.sellablesBySku.get(sku)?.productSku;
      if (productSku && productSku !== sku) {
        problems.push(
          `--skus: "${sku}" is a size of ${productSku}: name the product (a code covers all its sizes)`,
        );
      } else if (!catalog.productsBySku.get(sku)?.active) {
        problems.push(`--skus: "${sku}" is not an active product`);
      }
    }
    return { kind: 'skus', skus };
  }
  return { kind: 'all' };
}

/**
 * An ISO 8601 moment in epoch seconds: a date (`2026-12-01`: its start in UTC, or for `--ends` the
 * end of that day, so the code works through it), or a date and time with a zone (`Z`, `+02:00`).
 */
function parseMoment(name: string, raw: string, edge: 'start' | 'end', problems: string[]): number | null {
  const text = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const at = Date.parse(`${text}T00:00:00Z`);
    if (!Number.isNaN(at) && new Date(at).toISOString().startsWith(text)) {
      return at / 1000 + (edge === 'end' ? DAY_SECONDS : 0);
    }
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return Math.floor(at / 1000);
  }
  problems.push(
    `--${name} must be a date (2026-12-01) or a date and time with its zone (2026-12-01T09:00:00Z), got "${raw}"`,
  );
  return null;
}

/** Stores a new code; `exists` (and nothing written) when the code is taken, even by a disabled one. */
export async function createCode(
  table: Table,
  code: DiscountCode,
  now: number,
): Promise<'created' | 'exists'> {
  try {
    await table.client.put({
      TableName: table.tableName,
      Item: codeItem(code, now),
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    return 'created';
  } catch (err: unknown) {
    if (err instanceof ConditionalCheckFailedError) return 'exists';
    throw err;
  }
}

/** Every code, in code order, with its counts (read consistently: the counts are today's). */
export async function listCodes(table: Table): Promise<StoredCode[]> {
  return (await queryPartition(table, keys.codesPartition, true)).map(readStoredCode);
}

/**
 * Disables a code: quotes stop applying it and checkouts stop taking it at once; checkouts already
 * holding a use keep it (they were promised the price), and their payments still count.
 */
export async function disableCode(
  table: Table,
  rawCode: string,
  now: number,
): Promise<'disabled' | 'already_disabled' | 'missing'> {
  const code = normaliseCode(rawCode);
  if (!code) return 'missing';
  try {
    await table.client.update({
      TableName: table.tableName,
      Key: keys.code(code),
      UpdateExpression: 'SET enabled = :false, disabledAt = :now',
      ConditionExpression: 'attribute_exists(PK) AND enabled = :true',
      ExpressionAttributeValues: { ':false': false, ':true': true, ':now': now },
    });
    return 'disabled';
  } catch (err: unknown) {
    if (!(err instanceof ConditionalCheckFailedError)) throw err;
  }
  const { Item } = await table.client.get({
    TableName: table.tableName,
    Key: keys.code(code),
    ConsistentRead: true,
  });
  return Item ? 'already_disabled' : 'missing';
}

/** A code as `codes -- list --json` shows it: its definition, counts and state now. */
export function codeSummary(code: StoredCode, now: number) {
  const { used, ...definition } = code;
  return {
    ...definition,
    uses: used,
    held: code.held,
    remaining: code.limit === null ? null : Math.max(0, code.limit - code.used - code.held),
    state: codeState(code, now),
  };
}

/** `active`, `scheduled`, `used_up`, `ended` or `disabled`. */
function codeState(code: StoredCode, now: number): string {
  if (!code.enabled) return 'disabled';
  switch (codeUnavailability(code, now)) {
    case 'expired':
      return 'ended';
    case 'not_started':
      return 'scheduled';
    case 'limit_reached':
      return 'used_up';
    default:
      return 'active';
  }
}

/** A fixed-width table of codes for the terminal. */
export function formatCodesTable(codes: readonly StoredCode[], catalog: Catalog, now: number): string {
  if (codes.length === 0) return 'No discount codes.\n';
  const day = (at: number | null) =>
    at === null ? '-' : new Date(at * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const rows = codes.map((code) => {
    const summary = codeSummary(code, now);
    return [
      code.code,
      summary.state,
      describeCodeDiscount(code, catalog),
      code.scope.kind === 'all'
        ? 'all'
        : code.scope.kind === 'collections'
          ? code.scope.collections.join(',')
          : code.scope.skus.join(','),
      code.combination === 'with_bundles' ? 'with bundles' : 'best of',
      code.minSubtotal === null ? '-' : formatMoney(code.minSubtotal, catalog.currency),
      `${day(code.startsAt)} → ${day(code.endsAt)}`,
      String(code.used),
      String(code.held),
      summary.remaining === null ? 'unlimited' : String(summary.remaining),
      code.limitPerEmail === null ? '-' : String(code.limitPerEmail),
    ];
  });
  return formatTextTable(
    [
      'code',
      'state',
      'discount',
      'covers',
      'combines',
      'min',
      'from → until (UTC)',
      'uses',
      'held',
      'remaining',
      'per email',
    ],
    rows,
  );
}
