import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient, ensureCommerceTable } from '../../src/adapters/dynamodb/commerce-table';

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  close(): Promise<void>;
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

/**
 * A fresh, empty commerce table of its own (named `<prefix>-<random>`) in the run's DynamoDB Local:
 * AWS's own DynamoDB engine, with its rules and transactions. `close` deletes it.
 */
export async function startTestTable(prefix = 'commerce-test'): Promise<TestTable> {
  const endpoint = testDynamoEndpoint();
  const tableName = uniqueTableName(prefix);
  const admin = createTestAdminClient(endpoint);
  await ensureCommerceTable(admin, tableName);
  const client = createDocumentClient({ endpoint });
  return {
    endpoint,
    tableName,
    client,
    close: async () => {
      client.destroy();
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
  table: Pick<TestTable, 'client' | 'tableName'>,
  prefix = '',
): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.filter((item) => String(item.PK).startsWith(prefix));
}
