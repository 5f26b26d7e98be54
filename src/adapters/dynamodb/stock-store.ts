import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { HoldLine, StockHoldRef, StockLevel, StockStore } from '../../app/ports';
import { codeHoldActions } from './code-holds';
import {
  type CancellationReason,
  ConditionalCheckFailedError,
  type TableClient,
  type TransactWriteItem as TransactItem,
  TransactionCanceledError,
} from './table-client';
import { emptyStockItem, holdItem, keys, readLiveHold, readStockLevel } from './table-items';

/** Rounds a hold transaction is tried when it only lost a race with another transaction on its items. */
const CONFLICT_ROUNDS = 8;
const CONFLICT_BACKOFF_MS = 15;

/** BatchGetItem reads at most this many keys per call. */
const BATCH_GET_KEYS = 100;

/**
 * {@link StockStore} on the commerce table. A `STOCK` item per tracked SKU keeps `onHand`, `held` and
 * `available` (= onHand − held, kept by every write because a condition cannot do arithmetic), and
 * `sold`. A hold is one `HOLDS` item plus the units on each SKU, written in one transaction; releasing
 * or selling it deletes the item in the same transaction as the counts change, on condition that it
 * still exists — so whichever caller comes first does it, and every later one changes nothing.
 */
export function createDynamoStockStore(options: {
  readonly client: TableClient;
  readonly tableName: string;
}): StockStore {
  const { client, tableName } = options;

  /**
   * Runs a transaction; `null` when it went through, else the index of every action whose condition
   * failed, with DynamoDB's reasons (each failed action's item as it was, where the action asked for
   * it). A conflict with a concurrent transaction on the same items is tried again. `tokened`:
   * each round carries a token of its own, so the client's retry of a round whose answer was lost
   * is that same round, applied once (for writes that are not idempotent by themselves).
   */
  async function transact(items: TransactItem[], tokened = false): Promise<TransactionFailure | null> {
    for (let round = 0; ; round += 1) {
      try {
        await client.transactWrite({
          TransactItems: items,
          ...(tokened ? { ClientRequestToken: randomUUID() } : {}),
        });
        return null;
      } catch (err: unknown) {
        if (!(err instanceof TransactionCanceledError)) throw err;
        const reasons = err.CancellationReasons;
        const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
        if (failed.length > 0) return { indices: failed, reasons };
        const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
        if (!conflict || round + 1 >= CONFLICT_ROUNDS) throw err;
        await setTimeout(CONFLICT_BACKOFF_MS * 2 ** Math.min(round, 4) * (0.5 + Math.random()));
      }
    }
  }

  function stockUpdate(line: HoldLine, expression: string, now: number, condition?: string): TransactItem {
    return {
      Update: {
        TableName: tableName,
        Key: keys.stock(line.sku),
        UpdateExpression: `${expression}, updatedAt = :now`,
        ...(condition ? { ConditionExpression: condition } : {}),
        ExpressionAttributeValues: {
          ':q': line.quantity,
          ':now': now,
          ...(expression.includes(':zero') ? { ':zero': 0 } : {}),
          ...(expression.includes(':sku') ? { ':sku': line.sku } : {}),
        },
      },
    };
  }

  async function ensureItem(sku: string, now: number): Promise<void> {
    try {
      await client.put({
        TableName: tableName,
        Item: emptyStockItem(sku, now),
        ConditionExpression: 'attribute_not_exists(PK)',
      });
    } catch (err: unknown) {
      if (!(err instanceof ConditionalCheckFailedError)) throw err;
    }
  }

  async function updateOnHand(
    sku: string,
    expression: string,
    values: Record<string, number>,
    now: number,
  ): Promise<StockLevel> {
    await ensureItem(sku, now);
    const { Attributes } = await client.update({
      TableName: tableName,
      Key: keys.stock(sku),
      UpdateExpression: `${expression}, updatedAt = :now`,
      ExpressionAttributeValues: { ...values, ':now': now },
      ReturnValues: 'ALL_NEW',
    });
    return readStockLevel(Attributes ?? {});
  }

  return {
    async levels(skus) {
      const found = new Map<string, StockLevel>();
      const unique = [...new Set(skus)];
      for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
        let pending: readonly Record<string, unknown>[] = unique
          .slice(start, start + BATCH_GET_KEYS)
          .map((sku) => keys.stock(sku));
        for (let round = 0; pending.length > 0; round += 1) {
          const { Responses, UnprocessedKeys } = await client.batchGet({
            RequestItems: { [tableName]: { Keys: pending } },
          });
          for (const item of Responses?.[tableName] ?? []) {
            const level = readStockLevel(item);
            found.set(level.sku, level);
          }
          pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
          if (pending.length > 0) {
            if (round >= 5) throw new Error('stock read left keys unprocessed after 6 rounds');
            await setTimeout(20 * 2 ** round);
          }
        }
      }
      return found;
    },

    async allLevels() {
      const levels: StockLevel[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.query({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.stockPartition },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        });
        for (const item of page.Items ?? []) levels.push(readStockLevel(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return levels;
    },

    async takeHold(hold) {
      const codeActions = hold.code ? codeHoldActions(tableName, hold.code, 'take', hold.now) : [];
      const items: TransactItem[] = [
        {
          Put: {
            TableName: tableName,
            Item: holdItem(hold),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        ...hold.lines.map((line) =>
          line.whenShort === 'refuse'
            ? stockUpdate(
                line,
                'SET held = held + :q, available = available - :q',
                hold.now,
                'available >= :q',
              )
            : stockUpdate(
                line,
                // A backorder may be the SKU's first: the item is made with it.
                'SET held = if_not_exists(held, :zero) + :q, available = if_not_exists(available, :zero) - :q, ' +
                  'onHand = if_not_exists(onHand, :zero), sold = if_not_exists(sold, :zero), sku = :sku',
                hold.now,
              ),
        ),
        // The code's use: one more claim in the same transaction (code-holds.ts).
        ...codeActions,
      ];
      const failed = await transact(items);
      if (failed === null) return { outcome: 'taken' };
      // The hold exists: an earlier try of this very checkout attempt took it.
      if (failed.indices.includes(0)) return { outcome: 'taken' };
      const short = failed.indices.flatMap((i) =>
        i >= 1 && i <= hold.lines.length ? [hold.lines[i - 1]?.sku ?? ''] : [],
      );
      // Short stock first: the cart must change whatever becomes of the code.
      if (short.length > 0) return { outcome: 'short', short };
      const codeIndex = hold.lines.length + 1;
      return { outcome: 'code_refused', reason: failed.indices.includes(codeIndex) ? 'limit' : 'per_email' };
    },

    async attachSession(hold, sessionId) {
      await client.update({
        TableName: tableName,
        Key: keys.hold(hold.until, hold.holdId),
        UpdateExpression: 'SET sessionId = :sessionId',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':sessionId': sessionId },
      });
    },

    async releaseHold(hold, now) {
      const failed = await transact([
        holdDelete(tableName, hold),
        ...hold.lines.map((line) =>
          stockUpdate(line, 'SET held = held - :q, available = available + :q', now),
        ),
        ...(hold.code ? codeHoldActions(tableName, hold.code, 'release', now) : []),
      ]);
      return failed === null;
    },

    async sellHold(hold, sessionId, now, options = { held: true }) {
      // First as if every unit is on hand; a SKU found short is sold anyway (the customer paid) and
      // named, so the order is flagged.
      const marker = options.held ? 0 : hold.lines.length;
      let short: string[] = [];
      for (let round = 0; round <= hold.lines.length; round += 1) {
        const lineActions = hold.lines.map((line) =>
          stockUpdate(
            line,
            options.held
              ? 'SET held = held - :q, onHand = onHand - :q, sold = if_not_exists(sold, :zero) + :q'
              : 'SET available = if_not_exists(available, :zero) - :q, onHand = if_not_exists(onHand, :zero) - :q, ' +
                  'held = if_not_exists(held, :zero), sold = if_not_exists(sold, :zero) + :q, sku = :sku',
            now,
            short.includes(line.sku) ? undefined : 'onHand >= :q',
          ),
        );
        const sessionNote: TransactItem = {
          Update: {
            TableName: tableName,
            Key: keys.session(sessionId),
            UpdateExpression: 'SET stockSettledAt = :now, stockShort = :short',
            ConditionExpression: options.held
              ? 'attribute_exists(PK)'
              : 'attribute_exists(PK) AND attribute_not_exists(stockSettledAt)',
            ExpressionAttributeValues: { ':now': now, ':short': short },
          },
        };
        // The code's use becomes used with the same marker (after every other action: indices stay).
        const codeActions = hold.code
          ? codeHoldActions(tableName, hold.code, options.held ? 'sell' : 'sell_unheld', now)
          : [];
        // The marker (the hold's item, or the session's note) is action 0 or the last of the stock's.
        const actions = options.held
          ? [holdDelete(tableName, hold), ...lineActions, sessionNote, ...codeActions]
          : [...lineActions, sessionNote, ...codeActions];
        const lineIndex = (i: number) => (options.held ? i - 1 : i);
        const failed = await transact(actions);
        if (failed === null) return short;
        if (failed.indices.includes(marker)) return null;
        if (options.held && failed.indices.includes(hold.lines.length + 1)) {
          throw new Error(`session ${sessionId} is not recorded`);
        }
        short = [...short, ...failed.indices.map((i) => hold.lines[lineIndex(i)]?.sku ?? '').filter(Boolean)];
      }
      throw new Error(`hold ${hold.holdId} could not be sold`);
    },

    async expiredHolds(before, limit) {
      const { Items } = await client.query({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND SK < :before',
        ExpressionAttributeValues: {
          ':pk': keys.holdsPartition,
          ':before': keys.holdsEndingBefore(before),
        },
        Limit: limit,
        ConsistentRead: true,
      });
      return (Items ?? []).map(readLiveHold);
    },

    async setOnHand(sku, quantity, now) {
      return updateOnHand(sku, 'SET onHand = :n, available = :n - held', { ':n': quantity }, now);
    },

    async addOnHand(sku, delta, now) {
      // A delivery may be the SKU's first count; a removal from a SKU never counted is refused below.
      if (delta >= 0) await ensureItem(sku, now);
      // One update, as a transaction for its token: the client's retry of an answer lost on the way
      // (a timeout, a reset) is then the same request, applied once, never a second delivery or
      // removal. Taking out is on condition that on hand covers it, in this very write (checkouts
      // sell from the same item meanwhile); a SKU with no item has nothing on hand.
      const update: TransactItem = {
        Update: {
          TableName: tableName,
          Key: keys.stock(sku),
          UpdateExpression: 'SET onHand = onHand + :d, available = available + :d, updatedAt = :now',
          ConditionExpression: delta >= 0 ? 'attribute_exists(onHand)' : 'onHand >= :out',
          ExpressionAttributeValues: { ':d': delta, ':now': now, ...(delta >= 0 ? {} : { ':out': -delta }) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
      const refused = await transact([update], true);
      if (refused) {
        // On hand as the refusal found it (none: a SKU never counted).
        const found = refused.reasons[0]?.Item;
        return { outcome: 'refused', onHand: found ? readStockLevel(found).onHand : 0 };
      }
      // The level now (a transaction returns no item): this add, and whatever else has landed since.
      const { Item } = await client.get({ TableName: tableName, Key: keys.stock(sku), ConsistentRead: true });
      return { outcome: 'added', level: readStockLevel(Item ?? {}) };
    },
  };
}

/** What a transaction refused: the actions whose conditions failed, and DynamoDB's reason for each action. */
interface TransactionFailure {
  readonly indices: readonly number[];
  readonly reasons: readonly CancellationReason[];
}

function holdDelete(tableName: string, hold: StockHoldRef): TransactItem {
  return {
    Delete: {
      TableName: tableName,
      Key: keys.hold(hold.until, hold.holdId),
      ConditionExpression: 'attribute_exists(PK)',
    },
  };
}
