import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RetryNotice } from '../../src/adapters/aws/json-client';
import { UnsupportedValueError } from '../../src/adapters/dynamodb/attribute-values';
import {
  ConditionalCheckFailedError,
  createTableClient,
  type TableClient,
  TableError,
  TransactionCanceledError,
} from '../../src/adapters/dynamodb/table-client';
import { type AwsProxy, startAwsProxy } from '../support/aws-proxy';
import { startTestTable, type TestTable } from '../support/dynamo';

const SECRET = 'table-client-test-secret';
const CREDENTIALS = { accessKeyId: 'AKIDTABLECLIENT', secretAccessKey: SECRET };

let table: TestTable;
let proxy: AwsProxy;
let client: TableClient;
let retries: RetryNotice[];

beforeAll(async () => {
  table = await startTestTable('table-client-test');
  proxy = await startAwsProxy({ target: table.endpoint, secretAccessKey: SECRET, service: 'dynamodb' });
});
afterAll(async () => {
  await proxy.close();
  await table.close();
});
beforeEach(() => {
  retries = [];
  proxy.clearFaults();
  client?.close();
  client = createTableClient({
    endpoint: proxy.endpoint,
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    onRetry: (retry) => retries.push(retry),
  });
  proxy.requests.length = 0;
});

const key = (pk: string, sk = 'A') => ({ PK: pk, SK: sk });

describe('table client on DynamoDB Local', () => {
  it('stores and reads back every kind of value, as the official SDK reads and writes them', async () => {
    const item = {
      ...key('VALUES'),
      text: 'héllo ✓',
      count: 42,
      price: 19.99,
      negative: -3,
      small: 42n,
      yes: true,
      no: false,
      nothing: null,
      list: [1, 'two', { three: 3 }, [4]],
      map: { nested: { deeper: 'value' }, empty: {} },
      tags: new Set(['a', 'b']),
      scores: new Set([1, 2.5]),
      bytes: new Uint8Array([0, 1, 254, 255]),
      left: undefined,
    };
    await client.put({ TableName: table.tableName, Item: item });
    const { Item } = await client.get({
      TableName: table.tableName,
      Key: key('VALUES'),
      ConsistentRead: true,
    });
    const { left: _left, small: _small, ...expected } = item;
    expect(Item).toEqual({ ...expected, small: 42 });
    expect(Item).not.toHaveProperty('left');

    // The official SDK reads what this client wrote, and this client reads what the SDK wrote.
    const sdkRead = await table.sdk.send(
      new GetCommand({ TableName: table.tableName, Key: key('VALUES'), ConsistentRead: true }),
    );
    expect(sdkRead.Item?.text).toBe('héllo ✓');
    expect(sdkRead.Item?.map).toEqual({ nested: { deeper: 'value' }, empty: {} });
    expect(sdkRead.Item?.tags).toEqual(new Set(['a', 'b']));
    expect(sdkRead.Item?.list).toEqual([1, 'two', { three: 3 }, [4]]);
    const sdkItem = { ...key('FROM-SDK'), n: 7, s: 'x', m: { a: [true, null] }, ss: new Set(['q']) };
    await table.sdk.send(new PutCommand({ TableName: table.tableName, Item: sdkItem }));
    const ours = await client.get({ TableName: table.tableName, Key: key('FROM-SDK'), ConsistentRead: true });
    expect(ours.Item).toEqual(sdkItem);
  });

  it('refuses values DynamoDB cannot store before sending anything', async () => {
    const refused = [Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, new Date(), new Set(), () => 1];
    for (const value of refused) {
      await expect(
        client.put({ TableName: table.tableName, Item: { ...key('REFUSED'), value } }),
      ).rejects.toBeInstanceOf(UnsupportedValueError);
    }
    expect(proxy.requests).toEqual([]);
  });

  it('updates with expressions and returns the new item; deletes with a condition', async () => {
    const TableName = table.tableName;
    await client.put({ TableName, Item: { ...key('COUNTER'), n: 1 } });
    const { Attributes } = await client.update({
      TableName,
      Key: key('COUNTER'),
      UpdateExpression: 'ADD n :one SET #label = :label',
      ExpressionAttributeNames: { '#label': 'label' },
      ExpressionAttributeValues: { ':one': 1, ':label': 'two' },
      ReturnValues: 'ALL_NEW',
    });
    expect(Attributes).toEqual({ ...key('COUNTER'), n: 2, label: 'two' });

    await expect(
      client.delete({
        TableName,
        Key: key('COUNTER'),
        ConditionExpression: 'n = :three',
        ExpressionAttributeValues: { ':three': 3 },
      }),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedError);
    const deleted = await client.delete({ TableName, Key: key('COUNTER'), ReturnValues: 'ALL_OLD' });
    expect(deleted.Attributes?.n).toBe(2);
    expect((await client.get({ TableName, Key: key('COUNTER'), ConsistentRead: true })).Item).toBeUndefined();
  });

  it('names a failed condition with a typed error, carrying the item when asked', async () => {
    const TableName = table.tableName;
    await client.put({ TableName, Item: { ...key('ONCE'), owner: 'first' } });
    const refusal = await client
      .put({
        TableName,
        Item: { ...key('ONCE'), owner: 'second' },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      })
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ConditionalCheckFailedError);
    expect((refusal as ConditionalCheckFailedError).Item).toEqual({ ...key('ONCE'), owner: 'first' });
    expect((refusal as ConditionalCheckFailedError).name).toBe('ConditionalCheckFailedException');
    // A refused condition is DynamoDB's answer, not a fault: never retried.
    expect(proxy.requests.filter((r) => r.operation === 'PutItem')).toHaveLength(2);
  });

  it('queries page by page, in both directions', async () => {
    const TableName = table.tableName;
    for (let i = 0; i < 5; i += 1) {
      await client.put({ TableName, Item: { ...key('PAGES', `ITEM#${i}`), i } });
    }
    const seen: number[] = [];
    let start: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await client.query({
        TableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': 'PAGES', ':prefix': 'ITEM#' },
        ExclusiveStartKey: start,
        Limit: 2,
      });
      seen.push(...page.Items.map((item) => Number(item.i)));
      start = page.LastEvaluatedKey;
      pages += 1;
    } while (start);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(pages).toBe(3);
    const newest = await client.query({
      TableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': 'PAGES' },
      ScanIndexForward: false,
      Limit: 1,
    });
    expect(newest.Items.map((item) => item.i)).toEqual([4]);
    const scanned = await client.scan({
      TableName,
      FilterExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': 'PAGES' },
    });
    expect(scanned.Items.map((item) => item.i).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('reads many keys at once, leaving out those with no item', async () => {
    const TableName = table.tableName;
    for (const sk of ['ONE', 'TWO', 'THREE'])
      await client.put({ TableName, Item: { ...key('BATCH', sk), sk } });
    const { Responses, UnprocessedKeys } = await client.batchGet({
      RequestItems: {
        [TableName]: {
          Keys: ['ONE', 'TWO', 'THREE', 'NONE'].map((sk) => key('BATCH', sk)),
          ConsistentRead: true,
        },
      },
    });
    expect(Responses[TableName]?.map((item) => item.sk).sort()).toEqual(['ONE', 'THREE', 'TWO']);
    expect(UnprocessedKeys).toEqual({});
  });

  it('writes a transaction whole, or reports why each item was refused and writes nothing', async () => {
    const TableName = table.tableName;
    await client.transactWrite({
      TransactItems: [
        { Put: { TableName, Item: { ...key('TX', 'ONE'), stock: 2 } } },
        { Put: { TableName, Item: { ...key('TX', 'TWO'), stock: 0 } } },
        { Put: { TableName, Item: { ...key('TX', 'THREE'), stock: 5 } } },
      ],
    });
    const refusal = await client
      .transactWrite({
        TransactItems: [
          {
            Update: {
              TableName,
              Key: key('TX', 'ONE'),
              UpdateExpression: 'ADD stock :minus',
              ConditionExpression: 'stock >= :one',
              ExpressionAttributeValues: { ':minus': -1, ':one': 1 },
            },
          },
          {
            Update: {
              TableName,
              Key: key('TX', 'TWO'),
              UpdateExpression: 'ADD stock :minus',
              ConditionExpression: 'stock >= :one',
              ExpressionAttributeValues: { ':minus': -1, ':one': 1 },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            ConditionCheck: {
              TableName,
              Key: key('TX', 'THREE'),
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
        ],
      })
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(TransactionCanceledError);
    const canceled = refusal as TransactionCanceledError;
    expect(canceled.CancellationReasons.map((r) => r.Code)).toEqual([
      'None',
      'ConditionalCheckFailed',
      'None',
    ]);
    expect(canceled.failedCondition(1)).toBe(true);
    expect(canceled.failedCondition(0)).toBe(false);
    expect(canceled.CancellationReasons[1]?.Item).toEqual({ ...key('TX', 'TWO'), stock: 0 });
    const one = await client.get({ TableName, Key: key('TX', 'ONE'), ConsistentRead: true });
    expect(one.Item?.stock).toBe(2);
  });

  it('reports other refusals by DynamoDB’s code, without retrying them', async () => {
    const refusal = await client
      .update({ TableName: table.tableName, Key: key('BAD'), UpdateExpression: 'SET = oops' })
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(TableError);
    expect((refusal as TableError).code).toBe('ValidationException');
    expect((refusal as TableError).statusCode).toBe(400);
    expect(proxy.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('signs every request as AWS’s own signer does, with temporary credentials too', async () => {
    const withToken = createTableClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { ...CREDENTIALS, sessionToken: 'session-token-of-a-role' },
    });
    try {
      await withToken.put({ TableName: table.tableName, Item: { ...key('SIGNED'), note: 'a b  c' } });
      await withToken.get({ TableName: table.tableName, Key: key('SIGNED') });
    } finally {
      withToken.close();
    }
    await client.get({ TableName: table.tableName, Key: key('SIGNED') });
    expect(proxy.requests).toHaveLength(3);
    expect(proxy.requests.every((r) => r.signatureValid)).toBe(true);

    const wrongSecret = createTableClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { ...CREDENTIALS, secretAccessKey: 'not-the-secret' },
    });
    try {
      const refusal = await wrongSecret
        .get({ TableName: table.tableName, Key: key('SIGNED') })
        .catch((e: unknown) => e);
      expect((refusal as TableError).code).toBe('InvalidSignatureException');
    } finally {
      wrongSecret.close();
    }
  });
});

describe('table client under faults', () => {
  const TableName = () => table.tableName;

  it('retries throttling and server errors with capped, jittered backoff, then succeeds', async () => {
    proxy.inject({ kind: 'error', status: 400, code: 'ProvisionedThroughputExceededException' });
    proxy.inject({ kind: 'error', status: 500, code: 'InternalServerError' });
    await client.put({ TableName: TableName(), Item: { ...key('RETRIED'), ok: true } });
    expect(proxy.requests.map((r) => r.fault)).toEqual(['error', 'error', null]);
    expect(retries.map((r) => [r.failure, r.capMs])).toEqual([
      ['throttling', 1_000],
      ['transient', 50],
    ]);
    for (const retry of retries) {
      expect(retry.delayMs).toBeGreaterThanOrEqual(0);
      expect(retry.delayMs).toBeLessThan(retry.capMs);
    }
    const { Item } = await client.get({ TableName: TableName(), Key: key('RETRIED'), ConsistentRead: true });
    expect(Item?.ok).toBe(true);
  });

  it.each([
    ['ThrottlingException', 400, 'throttling'],
    ['RequestLimitExceeded', 400, 'throttling'],
    ['TooManyRequests', 429, 'throttling'],
    ['ServiceUnavailable', 503, 'transient'],
    ['InternalServerError', 500, 'transient'],
  ] as const)('treats %s (%i) as %s', async (code, status, failure) => {
    proxy.inject({ kind: 'error', status, code });
    await client.get({ TableName: TableName(), Key: key('ANY') });
    expect(retries.map((r) => r.failure)).toEqual([failure]);
  });

  it('retries a reset connection and a request that hangs past its attempt timeout', async () => {
    const quick = createTableClient({
      endpoint: proxy.endpoint,
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      requestTimeoutMs: 300,
      onRetry: (retry) => retries.push(retry),
    });
    try {
      proxy.inject({ kind: 'reset' });
      proxy.inject({ kind: 'hang' });
      await quick.put({ TableName: TableName(), Item: { ...key('NETWORK'), ok: 1 } });
    } finally {
      quick.close();
    }
    expect(proxy.requests.map((r) => r.fault)).toEqual(['reset', 'hang', null]);
    expect(
      retries.map((r) => [(r.error as { code?: string; name?: string }).code ?? (r.error as Error).name]),
    ).toEqual([['ECONNRESET'], ['TimeoutError']]);
  });

  it('gives up after its attempts with the last error', async () => {
    proxy.inject({ kind: 'error', status: 503, code: 'ServiceUnavailable' }, { times: 3 });
    const refusal = await client.get({ TableName: TableName(), Key: key('ANY') }).catch((e: unknown) => e);
    expect((refusal as TableError).code).toBe('ServiceUnavailable');
    expect((refusal as TableError).statusCode).toBe(503);
    expect(proxy.requests).toHaveLength(3);
    expect(proxy.pending()).toBe(0);
  });

  it('retries a write whose answer was lost: the retry meets the first write, as with the SDK', async () => {
    proxy.inject({ kind: 'lose-answer' });
    const refusal = await client
      .put({
        TableName: TableName(),
        Item: { ...key('LOST-ANSWER'), v: 1 },
        ConditionExpression: 'attribute_not_exists(PK)',
      })
      .catch((e: unknown) => e);
    // The first attempt wrote the item; its retry finds it there. Callers treat this as written.
    expect(refusal).toBeInstanceOf(ConditionalCheckFailedError);
    expect(proxy.requests.map((r) => r.fault)).toEqual(['lose-answer', null]);
  });

  it('stops retrying when its retry quota is spent, as the SDK does against a failing service', async () => {
    const attemptsBefore = proxy.requests.length;
    proxy.inject({ kind: 'error', status: 500, code: 'InternalServerError' }, { times: 200 });
    const fast = createTableClient({
      endpoint: proxy.endpoint,
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      onRetry: (retry) => retries.push(retry),
    });
    try {
      for (let call = 0; call < 30; call += 1) {
        await fast.get({ TableName: TableName(), Key: key('ANY') }).catch(() => undefined);
      }
    } finally {
      fast.close();
    }
    // 500 tokens, 14 per retry: 35 retries, then every call makes one attempt only.
    expect(retries).toHaveLength(35);
    expect(proxy.requests.length - attemptsBefore).toBe(30 + 35);
    proxy.clearFaults();
  });

  it('follows the server’s clock when its own is minutes off, and retries', async () => {
    proxy.inject({ kind: 'skewed-clock', offsetMs: 60 * 60_000 });
    await client.get({ TableName: TableName(), Key: key('ANY') });
    const [refused, retried] = proxy.requests;
    expect(refused?.fault).toBe('skewed-clock');
    expect(retried?.signatureValid).toBe(true);
    const shift = Number(retried?.signedAt) - Number(refused?.signedAt);
    expect(shift).toBeGreaterThan(55 * 60_000);
    expect(shift).toBeLessThan(65 * 60_000);
  });
});
