import type { CodeStore } from '../../app/ports';
import type { TableClient } from './table-client';
import { keys, readStoredCode } from './table-items';

/** Discount codes in the commerce table: `CODES` / `CODE#<code>`, read by key. */
export function createDynamoCodeStore(options: {
  readonly client: TableClient;
  readonly tableName: string;
}): CodeStore {
  const { client, tableName } = options;
  return {
    async findCode(code, { consistent = false } = {}) {
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.code(code),
        ConsistentRead: consistent,
      });
      return Item ? readStoredCode(Item) : null;
    },
  };
}
