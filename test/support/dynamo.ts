import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient as DocumentClient,
  type DynamoDBDocumentClient,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureCommerceTable } from '../../src/adapters/dynamodb/commerce-table';
import { createTableClient, type TableClient } from '../../src/adapters/dynamodb/table-client';

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  /** The project's table client, as the code under test uses it. */
  readonly client: TableClient;
  /** The official SDK's document client: an independent reader (and writer) of what the code did. */
  readonly sdk: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** The table client's operations (its methods that reach DynamoDB). */
export type TableOperation = Exclude<keyof TableClient, 'close'>;

/**
 * A table client whose every call goes through `around`: it may fail the call before or after
 * `proceed()` (a request lost, an answer lost), as a network or DynamoDB would.
 */
export function interceptTable(
  inner: TableClient,
  around: (
    call: { readonly operation: TableOperation; readonly input: Readonly<Record<string, unknown>> },
    proceed: () => Promise<unknown>,
  ) => Promise<unknown>,
): TableClient {
  const via =
    <K extends TableOperation>(operation: K) =>
    (input: Parameters<TableClient[K]>[0]) =>
      around({ operation, input: { ...input } }, () =>
        (inner[operation] as (i: Parameters<TableClient[K]>[0]) => Promise<unknown>)(input),
      ) as ReturnType<TableClient[K]>;
  return {
    get: via('get'),
    put: via('put'),
    update: via('update'),
    delete: via('delete'),
    query: via('query'),
    scan: via('scan'),
    batchGet: via('batchGet'),
    transactWrite: via('transactWrite'),
    close: () => inner.close(),
  };
}

/**
 * The endpoint of the test run's DynamoDB Local, started once by the vitest global setup
 * (test/support/dynamodb-local-setup.ts).
 */
export function testDynamoEndpoint(): string {
  const endpoint = inject('dynamoDbLocalEndpoint');
  if (!endpoint) {
    throw new Error(
      'no DynamoDB Local for this run: add test/support/dynamodb-local-setup.ts to globalSetup',
    );
  }
  return endpoint;
}

/**
 * A table name no other test file of the run uses: files share one DynamoDB Local. DynamoDB's
 * rules: 3–255 characters of `a–z A–Z 0–9 _ - .`.
 */
export function uniqueTableName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** An admin client of the run's DynamoDB Local, for creating and deleting tables. */
export function createTestAdminClient(endpoint = testDynamoEndpoint()): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** The official SDK's document client on the run's DynamoDB Local: tests' independent reader. */
export function createTestReader(endpoint = testDynamoEndpoint()): DynamoDBDocumentClient {
  return DocumentClient.from(createTestAdminClient(endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * A fresh, empty commerce table of its own (named `<prefix>-<random>`) in the run's DynamoDB Local:
 * AWS's own DynamoDB engine, with its rules and transactions. `close` deletes it.
 */
export async function startTestTable(prefix = 'commerce-test'): Promise<TestTable> {
  const endpoint = testDynamoEndpoint();
  const tableName = uniqueTableName(prefix);
  const admin = createTestAdminClient(endpoint);
  await ensureCommerceTable(admin, tableName);
  const client = createTableClient({ endpoint });
  const sdk = DocumentClient.from(admin, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    tableName,
    client,
    sdk,
    close: async () => {
      client.close();
      try {
        await admin.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        admin.destroy();
      }
    },
  };
}

/** Every item of the test table (all pages), optionally only those whose PK starts with `prefix`. */
export async function scanTable(
  table: Pick<TestTable, 'sdk' | 'tableName'>,
  prefix = '',
): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await table.sdk.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.filter((item) => String(item.PK).startsWith(prefix));
}
