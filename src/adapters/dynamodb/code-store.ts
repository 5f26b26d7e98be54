import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CodeStore } from '../../app/ports';
import { keys, readStoredCode } from './table-items';

/** Discount codes in the commerce table: `CODES` / `CODE#<code>`, read by key. */
export function createDynamoCodeStore(options: {
  readonly client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
}): CodeStore {
  const { client, tableName } = options;
  return {
    async findCode(code, { consistent = false } = {}) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: keys.code(code), ConsistentRead: consistent }),
      );
      return Item ? readStoredCode(Item) : null;
    },
  };
}
