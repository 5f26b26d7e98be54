import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Keys and items of the single table live in `table-items.ts`; this module makes the table and its client. */

/** The table's key schema, as CDK declares it; used to create the table locally and in tests. */
export function commerceTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** Creates the commerce table unless it exists. For the local stack and tests; CDK owns it in AWS. */
export async function ensureCommerceTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  try {
    await client.send(new CreateTableCommand(commerceTableDefinition(tableName)));
  } catch (err: unknown) {
    if (!(err instanceof ResourceInUseException)) throw err;
    outcome = 'exists';
  }
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

export interface DynamoClientOptions {
  /** A DynamoDB-compatible endpoint (the local stack's DynamoDB Local); unset in AWS. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** Per-attempt timeout; with `maxAttempts` it bounds how long one call may take. */
  readonly requestTimeoutMs?: number;
  readonly maxAttempts?: number;
}

/**
 * A document client with deliberate timeouts: a Lambda behind API Gateway (29 s) and a Stripe
 * webhook (10 s) must answer quickly, so a hung connection fails fast and is retried a bounded
 * number of times instead of waiting for the SDK's defaults.
 */
export function createDocumentClient(options: DynamoClientOptions = {}): DynamoDBDocumentClient {
  const local = options.endpoint !== undefined;
  const client = new DynamoDBClient({
    ...(local
      ? {
          endpoint: options.endpoint,
          region: options.region ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : options.region
        ? { region: options.region }
        : {}),
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: options.requestTimeoutMs ?? 2_000 },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
