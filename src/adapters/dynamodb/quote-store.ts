import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QuoteStore } from '../../app/ports';
import type { CartItem } from '../../domain/cart';
import type { PricedCart } from '../../domain/priced-cart';
import { keys } from './commerce-table';

/**
 * The quote cache in the commerce table: the pricing of a cart, shared by every shopper who quotes
 * it (each still gets a signature of their own). The priced cart is stored as one JSON string: it is
 * only ever read back whole, and a string costs no marshalling work.
 */
export function createDynamoQuoteStore(options: {
  readonly client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
}): QuoteStore {
  const { client, tableName } = options;
  return {
    async saveQuote(quote) {
      const { pricedCart } = quote;
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.cartQuote(quote.cartHash, quote.issuedAt),
            type: 'quote',
            catalogVersion: pricedCart.catalogVersion,
            items: JSON.stringify(quote.items),
            pricedCart: JSON.stringify(pricedCart),
            issuedAt: quote.issuedAt,
            expiresAt: quote.expiresAt,
          },
        }),
      );
    },

    async findCachedQuote(cartHash, catalogVersion, now) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.cartPartition(cartHash), ':prefix': 'QUOTE#' },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const item = result.Items?.[0];
      if (!item || Number(item.expiresAt) <= now || item.catalogVersion !== catalogVersion) return null;
      return {
        cartHash,
        items: JSON.parse(String(item.items)) as CartItem[],
        pricedCart: JSON.parse(String(item.pricedCart)) as PricedCart,
        issuedAt: Number(item.issuedAt),
        expiresAt: Number(item.expiresAt),
      };
    },
  };
}
