import type { QuoteStore } from '../../app/ports';
import type { TableClient } from './table-client';
import { cachedQuoteItem, keys, readCachedPricing } from './table-items';

/**
 * The quote cache in the commerce table: the pricing of a cart, shared by every shopper who quotes
 * it (each still gets a signature of their own). The priced cart is stored as one JSON string: it is
 * only ever read back whole, and a string costs no marshalling work.
 */
export function createDynamoQuoteStore(options: {
  readonly client: TableClient;
  readonly tableName: string;
}): QuoteStore {
  const { client, tableName } = options;
  return {
    async saveQuote(quote) {
      await client.put({ TableName: tableName, Item: cachedQuoteItem(quote) });
    },

    async findCachedQuote(cartHash, catalogVersion, now) {
      const result = await client.query({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.cartPartition(cartHash),
          ':prefix': keys.cachedQuotePrefix,
        },
        ScanIndexForward: false,
        Limit: 1,
      });
      const item = result.Items?.[0];
      if (!item || Number(item.expiresAt) <= now) return null;
      const cached = readCachedPricing(cartHash, item);
      if (cached.catalogVersion !== catalogVersion) return null;
      const { catalogVersion: _version, ...pricing } = cached;
      return pricing;
    },
  };
}
