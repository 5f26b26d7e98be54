import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '../../local/dynalite';
import { createDocumentClient, ensureCommerceTable } from '../../src/adapters/dynamodb/commerce-table';

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** An in-memory dynalite with a fresh commerce table: the real DynamoDB API, in this process. */
export async function startTestTable(tableName = 'commerce-test'): Promise<TestTable> {
  const dynamo = await startDynalite();
  const raw = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureCommerceTable(raw, tableName);
  raw.destroy();
  const client = createDocumentClient({ endpoint: dynamo.endpoint });
  return {
    endpoint: dynamo.endpoint,
    tableName,
    client,
    close: async () => {
      client.destroy();
      await dynamo.close();
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
