import { queryOrdersOfDay } from '../adapters/dynamodb/session-store';
import type { TableClient } from '../adapters/dynamodb/table-client';
import { keys, readOrderRecord, readSessionRecord } from '../adapters/dynamodb/table-items';
import type { OrderRecord, SessionRecord } from '../app/ports';
import { type Currency, formatMoney } from '../domain/money';
import { formatTextTable } from './text-table';

type Client = TableClient;

/** Paid orders of one UTC day (`YYYY-MM-DD`), oldest first. */
export async function listOrders(client: Client, tableName: string, day: string): Promise<OrderRecord[]> {
  return queryOrdersOfDay({ client, tableName }, day);
}

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

/** A fixed-width table of orders for the terminal. */
export function formatOrdersTable(orders: readonly OrderRecord[]): string {
  if (orders.length === 0) return 'No paid orders.\n';
  const rows = orders.map((o) => [
    o.paidAt.slice(11, 19),
    o.sessionId,
    o.customerEmail ?? '-',
    o.lines.map((l) => `${l.quantity}× ${l.sku}`).join(', '),
    formatMoney(o.amountTotal, o.currency as Currency),
    o.shippingAddress
      ? [
          o.customerName,
          o.shippingAddress.line1,
          o.shippingAddress.city,
          o.shippingAddress.postal_code,
          o.shippingAddress.country,
        ]
          .filter(Boolean)
          .join(', ')
      : '-',
    o.problems.length > 0 ? `CHECK: ${o.problems.join(', ')}` : '',
  ]);
  return formatTextTable(['time (UTC)', 'session', 'email', 'items', 'total', 'ship to', 'problems'], rows);
}
