import {
  ConditionalCheckFailedError,
  createTableClient,
  type TableClient,
} from '../src/adapters/dynamodb/table-client';

/** What one DynamoDB request cost, as DynamoDB bills it (at least 0.5 or 1 read unit, 1 write unit). */
export interface DynamoCall {
  /** e.g. `PutItem`. */
  readonly operation: string;
  readonly kind: 'read' | 'write';
  /** Read or write request units. */
  readonly units: number;
  /** Where the units came from: DynamoDB's `ConsumedCapacity`, or computed from item sizes. */
  readonly source: 'returned' | 'computed';
  readonly failedCondition: boolean;
}

/** The table client's methods, by DynamoDB's operation names. */
const OPERATIONS = {
  get: 'GetItem',
  put: 'PutItem',
  update: 'UpdateItem',
  delete: 'DeleteItem',
  query: 'Query',
  scan: 'Scan',
  batchGet: 'BatchGetItem',
  transactWrite: 'TransactWriteItems',
} as const satisfies Partial<Record<keyof TableClient, string>>;

const READS = new Set<string>(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

/**
 * Counts every DynamoDB request a table client sends: a wrapper asks for
 * `ReturnConsumedCapacity: 'TOTAL'` and records what comes back. A write refused by its condition
 * returns no `ConsumedCapacity` but is billed all the same (on the larger of the stored item and the
 * one sent): those units are computed from the item sizes, by DynamoDB's rules.
 */
export function tallyDynamoCalls(
  inner: TableClient,
  options: { readonly endpoint: string },
): { readonly client: TableClient; readonly calls: DynamoCall[]; reset(): void; close(): void } {
  const calls: DynamoCall[] = [];
  // Reads the stored item of a refused write; its own client, so its reads are not counted.
  const reader = createTableClient({ endpoint: options.endpoint });
  async function counted<T>(
    operation: string,
    input: Record<string, unknown>,
    call: () => Promise<T>,
  ): Promise<T> {
    const kind = READS.has(operation) ? 'read' : 'write';
    try {
      const result = await call();
      const consumed = (result as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const entries = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
      const returned = entries.reduce(
        (sum, c) => sum + Number((c as { CapacityUnits?: number }).CapacityUnits ?? 0),
        0,
      );
      // A read that finds nothing is still billed its minimum (DynamoDB Local reports 0 for an empty Query).
      const minimum = kind === 'read' ? (input.ConsistentRead ? 1 : 0.5) : 1;
      const units = Math.max(returned, minimum);
      calls.push({
        operation,
        kind,
        units,
        source: units === returned ? 'returned' : 'computed',
        failedCondition: false,
      });
      return result;
    } catch (err: unknown) {
      if (err instanceof ConditionalCheckFailedError) {
        calls.push({
          operation,
          kind,
          units: await refusedWriteUnits(reader, input),
          source: 'computed',
          failedCondition: true,
        });
      }
      throw err;
    }
  }
  const withCapacity = <I extends object>(input: I) => ({
    ...input,
    ReturnConsumedCapacity: 'TOTAL' as const,
  });
  const client: TableClient = {
    get: (input) => counted(OPERATIONS.get, { ...input }, () => inner.get(withCapacity(input))),
    put: (input) => counted(OPERATIONS.put, { ...input }, () => inner.put(withCapacity(input))),
    update: (input) => counted(OPERATIONS.update, { ...input }, () => inner.update(withCapacity(input))),
    delete: (input) => counted(OPERATIONS.delete, { ...input }, () => inner.delete(withCapacity(input))),
    query: (input) => counted(OPERATIONS.query, { ...input }, () => inner.query(withCapacity(input))),
    scan: (input) => counted(OPERATIONS.scan, { ...input }, () => inner.scan(withCapacity(input))),
    batchGet: (input) =>
      counted(OPERATIONS.batchGet, { ...input }, () => inner.batchGet(withCapacity(input))),
    transactWrite: (input) =>
      counted(OPERATIONS.transactWrite, { ...input }, () => inner.transactWrite(withCapacity(input))),
    close: () => inner.close(),
  };
  return {
    client,
    calls,
    reset: () => {
      calls.length = 0;
    },
    close: () => reader.close(),
  };
}

/** A refused conditional write is billed on the larger of the stored item and the item sent, ≥ 1 unit. */
async function refusedWriteUnits(reader: TableClient, input: Record<string, unknown>): Promise<number> {
  const sent = input.Item as Record<string, unknown> | undefined;
  const key =
    (input.Key as Record<string, unknown> | undefined) ?? (sent ? { PK: sent.PK, SK: sent.SK } : undefined);
  let stored = 0;
  if (key?.PK !== undefined && key.SK !== undefined) {
    const { Item } = await reader.get({
      TableName: String(input.TableName),
      Key: { PK: key.PK, SK: key.SK },
      ConsistentRead: true,
    });
    stored = Item ? itemBytes(Item) : 0;
  }
  return Math.max(1, Math.ceil(Math.max(stored, sent ? itemBytes(sent) : 0) / 1024));
}

/**
 * DynamoDB's size of an item (as the document client sees it): attribute names plus values; strings
 * in UTF-8 bytes, numbers about one byte per two digits plus one, lists and maps 3 bytes plus 1 per
 * element.
 */
export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) bytes += Buffer.byteLength(name) + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace('.', '').replace(/e.*$/i, '').replace(/^0+/, '');
    return Math.ceil(digits.length / 2) + 1;
  }
  if (value === null || typeof value === 'boolean') return 1;
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueBytes(v), 0);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return 3 + entries.length + itemBytes(Object.fromEntries(entries));
  }
  return 0;
}
