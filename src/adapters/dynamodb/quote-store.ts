import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { QuotePointer, QuoteStore } from '../../app/ports';
import type { CartItem } from '../../domain/cart';
import type { PricedCart } from '../../domain/priced-cart';
import { keys } from './commerce-table';

/** A batch write may leave items unprocessed under throttling; this many passes re-send them. */
const BATCH_PASSES = 4;

/**
 * The quote cache and the signature pointers in the commerce table. The priced cart is stored as
 * one JSON string: it is only ever read back whole, and a string costs no marshalling work.
 */
export function createDynamoQuoteStore(options: {
  readonly client: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
}): QuoteStore {
  const { client, tableName } = options;
  return {
    async saveQuote(quote) {
      const { pricedCart } = quote;
      let requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = [
        {
          PutRequest: {
            Item: {
              ...keys.cartQuote(quote.cartHash, quote.issuedAt),
              type: 'quote',
              quoteSignature: quote.quoteSignature,
              catalogVersion: pricedCart.catalogVersion,
              items: JSON.stringify(quote.items),
              pricedCart: JSON.stringify(pricedCart),
              issuedAt: quote.issuedAt,
              expiresAt: quote.expiresAt,
            },
          },
        },
        {
          PutRequest: {
            Item: {
              ...keys.quotePointer(quote.quoteSignature, quote.cartHash),
              type: 'quote-pointer',
              currency: pricedCart.currency,
              total: pricedCart.total,
              catalogVersion: pricedCart.catalogVersion,
              issuedAt: quote.issuedAt,
              expiresAt: quote.expiresAt,
            },
          },
        },
      ];
      for (let pass = 0; pass < BATCH_PASSES && requests.length > 0; pass += 1) {
        if (pass > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** pass));
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = result.UnprocessedItems?.[tableName] ?? [];
      }
      if (requests.length > 0) throw new Error(`saveQuote: ${requests.length} item(s) left unprocessed`);
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
        quoteSignature: String(item.quoteSignature),
        cartHash,
        items: JSON.parse(String(item.items)) as CartItem[],
        pricedCart: JSON.parse(String(item.pricedCart)) as PricedCart,
        issuedAt: Number(item.issuedAt),
        expiresAt: Number(item.expiresAt),
      };
    },

    async fetchQuoteBySignature(quoteSignature, now) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.quotePartition(quoteSignature), ':prefix': 'CART#' },
          Limit: 1,
        }),
      );
      const item = result.Items?.[0];
      if (!item || Number(item.expiresAt) <= now) return null;
      return toPointer(quoteSignature, item);
    },
  };
}

function toPointer(quoteSignature: string, item: Record<string, unknown>): QuotePointer {
  return {
    quoteSignature,
    cartHash: String(item.SK).slice('CART#'.length),
    currency: String(item.currency),
    total: Number(item.total),
    catalogVersion: String(item.catalogVersion),
    issuedAt: Number(item.issuedAt),
    expiresAt: Number(item.expiresAt),
  };
}
