import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

/**
 * Keys and items of the single table live in `table-items.ts`, its client in `table-client.ts`; this
 * module makes the table where CDK does not (the local stack, tests) with the official SDK.
 */

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
