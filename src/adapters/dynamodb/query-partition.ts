import type { TableClient } from './table-client';

type Table = { readonly client: TableClient; readonly tableName: string };

/** Every item of one partition, all pages, in key order (`consistent`: a strongly consistent read). */
export async function queryPartition(
  table: Table,
  pk: string,
  consistent: boolean,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.query({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: consistent,
      ExclusiveStartKey: start,
    });
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
