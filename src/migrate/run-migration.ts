import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { ConditionalCheckFailedError, type TableClient } from '../adapters/dynamodb/table-client';
import {
  isSkipMapping,
  type Mapping,
  MigrationError,
  mapItem,
  type SkipReason,
  type TargetItem,
} from './mapping';

/** Where a running migration records how far its scan got. */
export interface Checkpoint {
  readonly version: 1;
  readonly from: string;
  readonly to: string;
  /** Digest of the mapping: resuming with a changed mapping would mix two layouts. */
  readonly mappingDigest: string;
  /** The scan's `LastEvaluatedKey` after the last fully processed page; absent at the start. */
  readonly lastEvaluatedKey?: Record<string, unknown>;
  readonly done: boolean;
  readonly totals: MigrationTotals;
}

export interface CheckpointStore {
  load(): Checkpoint | null;
  save(checkpoint: Checkpoint): void;
}

export interface MigrationTotals {
  scanned: number;
  /** Written by this run (apply) or that would be written (dry run). */
  written: number;
  /** Already in the target with identical content: a re-run or a resumed page. */
  alreadyPresent: number;
  /** The target already holds a different item under the same key; left untouched. */
  conflicts: number;
  skipped: Record<SkipReason, number>;
}

export type ItemEvent =
  | { readonly outcome: 'write' | 'already_present' | 'conflict'; readonly item: TargetItem }
  | { readonly outcome: 'skip'; readonly reason: SkipReason; readonly detail: string };

export interface MigrationOptions {
  readonly client: TableClient;
  readonly from: string;
  readonly to: string;
  readonly mapping: Mapping;
  /** Write (true) or only report what would be written (false, the default of the command). */
  readonly apply: boolean;
  /** Epoch seconds, for TTL decisions. */
  readonly now: number;
  readonly pageSize?: number;
  /** Progress of an applying run; dry runs read it for nothing and never write it. */
  readonly checkpoint?: CheckpointStore;
  /** Ignore an existing checkpoint and scan from the start. */
  readonly restart?: boolean;
  /** Writes in flight at once within a page. */
  readonly concurrency?: number;
  readonly onItem?: (event: ItemEvent) => void;
}

export interface MigrationResult {
  readonly totals: MigrationTotals;
  readonly pages: number;
  /** The run continued from a checkpoint. */
  readonly resumed: boolean;
  /** Nothing done: the checkpoint says this migration already finished. */
  readonly alreadyComplete: boolean;
  /** The mapping skips the whole table; its reason. */
  readonly skippedTable?: string;
}

/** A stable digest of a mapping, to tell whether a checkpoint belongs to it. */
export function digestMapping(mapping: Mapping): string {
  return createHash('sha256').update(JSON.stringify(mapping)).digest('hex').slice(0, 16);
}

/**
 * Copies items from a retired table into the commerce table through a declarative mapping.
 * Idempotent: each item is put only if its key is free (`attribute_not_exists(PK)`); an
 * identical item already there counts as done and a different one as a conflict (never
 * overwritten), so re-running writes nothing twice. Resumable: after each scanned page an
 * applying run saves the scan position, and a new run continues from there.
 */
export async function runMigration(options: MigrationOptions): Promise<MigrationResult> {
  const { client, mapping } = options;
  const totals = emptyTotals();
  if (isSkipMapping(mapping)) {
    return { totals, pages: 0, resumed: false, alreadyComplete: false, skippedTable: mapping.skip };
  }
  const mappingDigest = digestMapping(mapping);
  const store = options.apply ? options.checkpoint : undefined;
  let startKey: Record<string, unknown> | undefined;
  let resumed = false;
  const saved = store && !options.restart ? store.load() : null;
  if (saved) {
    if (saved.from !== options.from || saved.to !== options.to || saved.mappingDigest !== mappingDigest) {
      throw new MigrationError(
        'checkpoint_mismatch',
        `The checkpoint belongs to another migration (${saved.from} → ${saved.to}, mapping ${saved.mappingDigest}); ` +
          'pass --restart to start over or --checkpoint <file> to keep both.',
      );
    }
    if (saved.done) return { totals: saved.totals, pages: 0, resumed: true, alreadyComplete: true };
    Object.assign(totals, structuredClone(saved.totals));
    startKey = saved.lastEvaluatedKey;
    resumed = startKey !== undefined;
  }

  let pages = 0;
  do {
    const page = await client.scan({
      TableName: options.from,
      Limit: options.pageSize ?? 100,
      ConsistentRead: true,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    pages += 1;
    const items = page.Items ?? [];
    await forEachLimited(items, options.concurrency ?? 8, async (source) => {
      totals.scanned += 1;
      const mapped = mapItem(source, mapping, options.now);
      if (mapped.kind === 'skip') {
        totals.skipped[mapped.reason] += 1;
        options.onItem?.({ outcome: 'skip', reason: mapped.reason, detail: mapped.detail });
        return;
      }
      const outcome = options.apply
        ? await putIfAbsent(client, options.to, mapped.item)
        : await classify(client, options.to, mapped.item);
      if (outcome === 'write') totals.written += 1;
      else if (outcome === 'already_present') totals.alreadyPresent += 1;
      else totals.conflicts += 1;
      options.onItem?.({ outcome, item: mapped.item });
    });
    startKey = page.LastEvaluatedKey;
    store?.save({
      version: 1,
      from: options.from,
      to: options.to,
      mappingDigest,
      ...(startKey ? { lastEvaluatedKey: startKey } : {}),
      done: startKey === undefined,
      totals,
    });
  } while (startKey);

  return { totals, pages, resumed, alreadyComplete: false };
}

type PutOutcome = 'write' | 'already_present' | 'conflict';

async function putIfAbsent(
  client: MigrationOptions['client'],
  table: string,
  item: TargetItem,
): Promise<PutOutcome> {
  try {
    await client.put({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' });
    return 'write';
  } catch (err: unknown) {
    if (!(err instanceof ConditionalCheckFailedError)) throw err;
  }
  return (await sameAsExisting(client, table, item)) ? 'already_present' : 'conflict';
}

/** What an applying run would do with the item, without writing. */
async function classify(
  client: MigrationOptions['client'],
  table: string,
  item: TargetItem,
): Promise<PutOutcome> {
  const { Item } = await client.get({
    TableName: table,
    Key: { PK: item.PK, SK: item.SK },
    ConsistentRead: true,
  });
  if (!Item) return 'write';
  return isDeepStrictEqual(Item, item) ? 'already_present' : 'conflict';
}

async function sameAsExisting(client: MigrationOptions['client'], table: string, item: TargetItem) {
  const { Item } = await client.get({
    TableName: table,
    Key: { PK: item.PK, SK: item.SK },
    ConsistentRead: true,
  });
  return Item !== undefined && isDeepStrictEqual(Item, item);
}

/** Runs `work` over the items, `limit` at a time; stops taking new items after a failure. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next]!;
      next += 1;
      try {
        await work(item);
      } catch (err: unknown) {
        failed = true;
        throw err;
      }
    }
  });
  await Promise.all(workers);
}

function emptyTotals(): MigrationTotals {
  return {
    scanned: 0,
    written: 0,
    alreadyPresent: 0,
    conflicts: 0,
    skipped: { filtered: 0, missing_attribute: 0, bad_value: 0, expired: 0, raw_ip: 0 },
  };
}

/** A checkpoint kept in a JSON file, replaced atomically so a crash never leaves half a file. */
export function createFileCheckpointStore(file: string): CheckpointStore {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err: unknown) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const parsed = JSON.parse(text) as Checkpoint;
      if (parsed.version !== 1) {
        throw new MigrationError('checkpoint_mismatch', `${file} is not a checkpoint of this tool`);
      }
      return parsed;
    },
    save(checkpoint) {
      const temp = `${file}.tmp`;
      writeFileSync(temp, `${JSON.stringify(checkpoint, null, 2)}\n`);
      renameSync(temp, file);
    },
  };
}
