import type { TableClient } from '../adapters/dynamodb/table-client';
import { keys, readOrderRecord, readSessionRecord } from '../adapters/dynamodb/table-items';
import type { OrderRecord, SessionRecord } from '../app/ports';

type Client = TableClient;

/** Everything the table knows about one checkout session: record, its checkout slot, order. */
export async function showSession(
  client: Client,
  tableName: string,
  sessionId: string,
): Promise<{
  session: SessionRecord & Record<string, unknown>;
  order: OrderRecord | null;
  slot: Record<string, unknown> | null;
} | null> {
  const { Item } = await client.get({
    TableName: tableName,
    Key: keys.session(sessionId),
    ConsistentRead: true,
  });
  if (!Item) return null;
  const session = { ...Item, ...readSessionRecord(Item) };
  const slot = await client.get({
    TableName: tableName,
    Key: keys.checkoutSlot(session.slotId),
    ConsistentRead: true,
  });
  let order: OrderRecord | null = null;
  if (typeof Item.paidAt === 'number') {
    const paidAt = new Date(Item.paidAt * 1000).toISOString();
    const found = await client.get({ TableName: tableName, Key: keys.order(paidAt, sessionId) });
    order = found.Item ? readOrderRecord(found.Item) : null;
  }
  return { session, order, slot: slot.Item ?? null };
}
