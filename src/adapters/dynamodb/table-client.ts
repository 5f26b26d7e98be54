import {
  type AwsJsonClient,
  type AwsJsonClientOptions,
  AwsServiceError,
  createAwsJsonClient,
} from '../aws/json-client';
import type { AwsCredentials } from '../aws/signature-v4';
import { type AttributeMap, fromAttributeMap, type Item, toAttributeMap } from './attribute-values';

export type { Item } from './attribute-values';

/**
 * The one way the code reaches the commerce table (docs/decisions.md #182). Inputs and outputs
 * are DynamoDB's own request and response fields (`TableName`, `Key`, `ConditionExpression`,
 * `Item`, `LastEvaluatedKey`, `TransactItems`, `CancellationReasons`, …) with plain values in place
 * of typed attribute values, as the SDK's document client takes them. A store takes
 * `{ client: TableClient; tableName }` and calls `client.get({...})`, `client.transactWrite({...})`,
 * …; it catches {@link ConditionalCheckFailedError} for a false condition and
 * {@link TransactionCanceledError} (its `CancellationReasons`, one per item) for a refused
 * transaction. Throttling, 5xx and network failures are retried inside; what is left is thrown.
 *
 * Behind it, {@link createTableClient} speaks DynamoDB's JSON protocol itself (see
 * `../aws/json-client.ts`); tests wrap a `TableClient` to inject faults, benchmarks to count calls.
 */
export interface TableClient {
  get(input: GetInput): Promise<GetOutput>;
  put(input: PutInput): Promise<WriteOutput>;
  update(input: UpdateInput): Promise<WriteOutput>;
  delete(input: DeleteInput): Promise<WriteOutput>;
  query(input: QueryInput): Promise<PageOutput>;
  scan(input: ScanInput): Promise<PageOutput>;
  /** Up to 100 keys; keys DynamoDB left unread come back in `UnprocessedKeys`, to ask again. */
  batchGet(input: BatchGetInput): Promise<BatchGetOutput>;
  /** All or nothing; a refusal is a {@link TransactionCanceledError} with one reason per item. */
  transactWrite(input: TransactWriteInput): Promise<TransactWriteOutput>;
  /** Closes idle connections (tests, scripts). */
  close(): void;
}

type ReturnConsumedCapacity = 'TOTAL' | 'INDEXES' | 'NONE';
type Names = Readonly<Record<string, string>>;

interface Conditional {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Names;
  readonly ExpressionAttributeValues?: Readonly<Item>;
  /** `ALL_OLD`: a {@link ConditionalCheckFailedError} carries the item that failed the condition. */
  readonly ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}

interface Common {
  readonly TableName: string;
  readonly ReturnConsumedCapacity?: ReturnConsumedCapacity;
}

export interface GetInput extends Common {
  readonly Key: Readonly<Item>;
  readonly ConsistentRead?: boolean;
  readonly ProjectionExpression?: string;
  readonly ExpressionAttributeNames?: Names;
}

export interface PutInput extends Common, Conditional {
  readonly Item: Readonly<Item>;
  readonly ReturnValues?: 'NONE' | 'ALL_OLD';
}

export interface UpdateInput extends Common, Conditional {
  readonly Key: Readonly<Item>;
  readonly UpdateExpression: string;
  readonly ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
}

export interface DeleteInput extends Common, Conditional {
  readonly Key: Readonly<Item>;
  readonly ReturnValues?: 'NONE' | 'ALL_OLD';
}

interface Reading extends Common {
  readonly IndexName?: string;
  readonly FilterExpression?: string;
  readonly ProjectionExpression?: string;
  readonly ExpressionAttributeNames?: Names;
  readonly ExpressionAttributeValues?: Readonly<Item>;
  readonly ExclusiveStartKey?: Readonly<Item> | undefined;
  readonly Limit?: number;
  readonly ConsistentRead?: boolean;
  readonly Select?: 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT';
}

export interface QueryInput extends Reading {
  readonly KeyConditionExpression: string;
  readonly ScanIndexForward?: boolean;
}

export interface ScanInput extends Reading {
  readonly Segment?: number;
  readonly TotalSegments?: number;
}

/** Keys to read, by table (DynamoDB's `KeysAndAttributes`). */
export interface KeysAndAttributes {
  readonly Keys: readonly Readonly<Item>[];
  readonly ConsistentRead?: boolean;
  readonly ProjectionExpression?: string;
  readonly ExpressionAttributeNames?: Names;
}

export interface BatchGetInput {
  readonly RequestItems: Readonly<Record<string, KeysAndAttributes>>;
  readonly ReturnConsumedCapacity?: ReturnConsumedCapacity;
}

export interface BatchGetOutput {
  /** The items found, by table (no entry for a key that has no item). */
  readonly Responses: Record<string, Item[]>;
  /** Keys not read this time (throttling, the 16 MB limit), by table; empty when all were read. */
  readonly UnprocessedKeys: Record<string, KeysAndAttributes>;
  readonly ConsumedCapacity?: readonly ConsumedCapacity[];
}

/** One item of a transaction: exactly one of the four, as DynamoDB's `TransactWriteItem`. */
export type TransactWriteItem =
  | { readonly Put: Omit<PutInput, 'ReturnValues' | 'ReturnConsumedCapacity'> }
  | { readonly Update: Omit<UpdateInput, 'ReturnValues' | 'ReturnConsumedCapacity'> }
  | { readonly Delete: Omit<DeleteInput, 'ReturnValues' | 'ReturnConsumedCapacity'> }
  | {
      readonly ConditionCheck: Omit<Common, 'ReturnConsumedCapacity'> &
        Conditional & { readonly Key: Readonly<Item>; readonly ConditionExpression: string };
    };

export interface TransactWriteInput {
  readonly TransactItems: readonly TransactWriteItem[];
  /** Makes a retried transaction idempotent for 10 minutes. */
  readonly ClientRequestToken?: string;
  readonly ReturnConsumedCapacity?: ReturnConsumedCapacity;
}

/** DynamoDB's report of the capacity a call consumed (asked for with `ReturnConsumedCapacity`). */
export interface ConsumedCapacity {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
}

export interface GetOutput {
  readonly Item?: Item;
  readonly ConsumedCapacity?: ConsumedCapacity;
}

export interface WriteOutput {
  /** The item as asked for with `ReturnValues`. */
  readonly Attributes?: Item;
  readonly ConsumedCapacity?: ConsumedCapacity;
}

export interface PageOutput {
  readonly Items: Item[];
  /** Present when there is more: the next call's `ExclusiveStartKey`. */
  readonly LastEvaluatedKey?: Item;
  readonly Count: number;
  readonly ConsumedCapacity?: ConsumedCapacity;
}

export interface TransactWriteOutput {
  readonly ConsumedCapacity?: readonly ConsumedCapacity[];
}

/** Any error answer of DynamoDB other than the two below (`code` as DynamoDB names it). */
export class TableError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** The write's condition was false: nothing was written. */
export class ConditionalCheckFailedError extends TableError {
  constructor(
    message: string,
    /** The item as it was, when the call asked for it with `ReturnValuesOnConditionCheckFailure`. */
    readonly Item: Item | undefined,
  ) {
    super('ConditionalCheckFailedException', message, 400);
  }
}

/** Why one item of a cancelled transaction failed; `None` for the items that did not. */
export interface CancellationReason {
  /** `None`, `ConditionalCheckFailed`, `TransactionConflict`, `ItemCollectionSizeLimitExceeded`, `ThrottlingError`, `ValidationError`, … */
  readonly Code: string;
  readonly Message?: string;
  /** The item as it was, when its `ReturnValuesOnConditionCheckFailure` asked for it. */
  readonly Item?: Item;
}

/** A transaction was refused as a whole: nothing was written. One reason per item, in order. */
export class TransactionCanceledError extends TableError {
  constructor(
    message: string,
    readonly CancellationReasons: readonly CancellationReason[],
  ) {
    super('TransactionCanceledException', message, 400);
  }

  /** Whether the item at `index` failed its condition. */
  failedCondition(index: number): boolean {
    return this.CancellationReasons[index]?.Code === 'ConditionalCheckFailed';
  }
}

export interface TableClientOptions {
  /** A DynamoDB-compatible endpoint (DynamoDB Local); AWS's regional endpoint when unset. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** The environment's when unset (Lambda); fixed dummy keys for a local endpoint. */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>) | undefined;
  /** Per-attempt timeout; with `maxAttempts` it bounds how long one call may take. */
  readonly requestTimeoutMs?: number;
  readonly maxAttempts?: number;
  /** Told of each retry before its wait (logs, tests). */
  readonly onRetry?: AwsJsonClientOptions['onRetry'];
}

/** DynamoDB's own backoff base in the SDK (`defaultBaseDelay` of the DynamoDB client). */
const DYNAMODB_RETRY_BASE_MS = 25;

/**
 * A table client with deliberate timeouts: a Lambda behind API Gateway (29 s) and a Stripe webhook
 * (10 s) must answer quickly, so a hung connection fails fast (1 s to connect, 2 s per attempt
 * unless told) and is retried a bounded number of times (3 attempts unless told).
 */
export function createTableClient(options: TableClientOptions = {}): TableClient {
  const local = options.endpoint !== undefined;
  return tableClientOver(
    createAwsJsonClient({
      service: 'dynamodb',
      json: { targetPrefix: 'DynamoDB_20120810', version: '1.0' },
      endpoint: options.endpoint,
      region: options.region ?? (local ? 'local' : undefined),
      credentials: options.credentials ?? (local ? LOCAL_CREDENTIALS : undefined),
      connectTimeoutMs: 1_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
      maxAttempts: options.maxAttempts ?? 3,
      retryBaseDelayMs: DYNAMODB_RETRY_BASE_MS,
      onRetry: options.onRetry,
    }),
  );
}

const LOCAL_CREDENTIALS: AwsCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Fields holding plain values that DynamoDB wants typed. */
const VALUE_FIELDS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

function typed(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const field of VALUE_FIELDS) {
    const value = out[field];
    if (value !== undefined) out[field] = toAttributeMap(value as Item, field);
    else delete out[field];
  }
  return out;
}

function plain(map: unknown): Item | undefined {
  return map && typeof map === 'object' ? fromAttributeMap(map as AttributeMap) : undefined;
}

function capacity(answer: Record<string, unknown>): { ConsumedCapacity?: ConsumedCapacity } {
  return answer.ConsumedCapacity ? { ConsumedCapacity: answer.ConsumedCapacity as ConsumedCapacity } : {};
}

function pageOf(answer: Record<string, unknown>): PageOutput {
  const items = Array.isArray(answer.Items) ? (answer.Items as AttributeMap[]).map(fromAttributeMap) : [];
  const last = plain(answer.LastEvaluatedKey);
  return {
    Items: items,
    Count: typeof answer.Count === 'number' ? answer.Count : items.length,
    ...(last ? { LastEvaluatedKey: last } : {}),
    ...capacity(answer),
  };
}

function writeOf(answer: Record<string, unknown>): WriteOutput {
  const attributes = plain(answer.Attributes);
  return { ...(attributes ? { Attributes: attributes } : {}), ...capacity(answer) };
}

/** DynamoDB's errors as the typed errors above; anything else (network, timeouts) unchanged. */
function tableErrorOf(err: unknown): unknown {
  if (!(err instanceof AwsServiceError)) return err;
  if (err.code === 'ConditionalCheckFailedException') {
    return new ConditionalCheckFailedError(err.message, plain(err.body.Item));
  }
  if (err.code === 'TransactionCanceledException') {
    const reasons = Array.isArray(err.body.CancellationReasons)
      ? (err.body.CancellationReasons as Record<string, unknown>[]).map((reason): CancellationReason => {
          const item = plain(reason.Item);
          return {
            Code: typeof reason.Code === 'string' ? reason.Code : 'None',
            ...(typeof reason.Message === 'string' ? { Message: reason.Message } : {}),
            ...(item ? { Item: item } : {}),
          };
        })
      : [];
    return new TransactionCanceledError(err.message, reasons);
  }
  return new TableError(err.code, err.message, err.statusCode);
}

/** The {@link TableClient} over a JSON-protocol transport. */
export function tableClientOver(transport: AwsJsonClient): TableClient {
  async function call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return await transport.call(operation, input);
    } catch (err: unknown) {
      throw tableErrorOf(err);
    }
  }
  return {
    async get(input) {
      const answer = await call('GetItem', typed(input));
      const item = plain(answer.Item);
      return { ...(item ? { Item: item } : {}), ...capacity(answer) };
    },
    async put(input) {
      return writeOf(await call('PutItem', typed(input)));
    },
    async update(input) {
      return writeOf(await call('UpdateItem', typed(input)));
    },
    async delete(input) {
      return writeOf(await call('DeleteItem', typed(input)));
    },
    async query(input) {
      return pageOf(await call('Query', typed(input)));
    },
    async scan(input) {
      return pageOf(await call('Scan', typed(input)));
    },
    async batchGet(input) {
      const answer = await call('BatchGetItem', {
        ...input,
        RequestItems: Object.fromEntries(
          Object.entries(input.RequestItems).map(([table, request]) => [
            table,
            { ...request, Keys: request.Keys.map((key) => toAttributeMap(key, 'Keys')) },
          ]),
        ),
      });
      const responses = (answer.Responses ?? {}) as Record<string, AttributeMap[]>;
      const unprocessed = (answer.UnprocessedKeys ?? {}) as Record<string, { Keys?: AttributeMap[] }>;
      return {
        Responses: Object.fromEntries(
          Object.entries(responses).map(([table, items]) => [table, items.map(fromAttributeMap)]),
        ),
        UnprocessedKeys: Object.fromEntries(
          Object.entries(unprocessed).map(([table, request]) => [
            table,
            { ...request, Keys: (request.Keys ?? []).map(fromAttributeMap) },
          ]),
        ),
        ...(Array.isArray(answer.ConsumedCapacity)
          ? { ConsumedCapacity: answer.ConsumedCapacity as ConsumedCapacity[] }
          : {}),
      };
    },
    async transactWrite(input) {
      const answer = await call('TransactWriteItems', {
        ...input,
        TransactItems: input.TransactItems.map((item) =>
          Object.fromEntries(Object.entries(item).map(([kind, action]) => [kind, typed(action)])),
        ),
      });
      return Array.isArray(answer.ConsumedCapacity)
        ? { ConsumedCapacity: answer.ConsumedCapacity as ConsumedCapacity[] }
        : {};
    },
    close() {
      transport.close();
    },
  };
}
