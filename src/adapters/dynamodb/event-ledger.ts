import { randomUUID } from 'node:crypto';
import type { EventLedger } from '../../app/ports';
import { DAY_SECONDS } from '../../domain/time';
import { ConditionalCheckFailedError, type TableClient } from './table-client';
import { keys } from './table-items';

/** Processed events are remembered this long (Stripe retries for up to 3 days). */
export const EVENT_RETENTION_DAYS = 90;
/**
 * A delivery holds the event this long. Longer than the webhook's own timeout, so a lease only
 * lapses when its holder is surely gone (a crashed or timed-out invocation).
 */
export const EVENT_LEASE_SECONDS = 30;

/** {@link EventLedger} on the commerce table: `EVENT#<id>` / `METADATA`. */
export function createDynamoEventLedger(options: {
  readonly client: TableClient;
  readonly tableName: string;
  readonly newToken?: () => string;
}): EventLedger {
  const { client, tableName } = options;
  const newToken = options.newToken ?? randomUUID;
  return {
    async begin(event, now) {
      const token = newToken();
      try {
        await client.put({
          TableName: tableName,
          Item: {
            ...keys.event(event.id),
            type: 'stripe-event',
            eventType: event.type,
            digest: event.digest,
            status: 'processing',
            leaseToken: token,
            leaseUntil: now + EVENT_LEASE_SECONDS,
            firstSeenAt: now,
            expiresAt: now + EVENT_RETENTION_DAYS * DAY_SECONDS,
          },
          // A lapsed lease is taken over; an expired marker (TTL pending) counts as absent.
          ConditionExpression:
            'attribute_not_exists(PK) OR expiresAt <= :now OR (#status = :processing AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': now, ':processing': 'processing' },
        });
        return { state: 'acquired', token };
      } catch (err: unknown) {
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
      }
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.event(event.id),
        ConsistentRead: true,
      });
      return { state: Item?.status === 'done' ? 'done' : 'in_progress' };
    },

    async finish(eventId, token, now) {
      await client.update({
        TableName: tableName,
        Key: keys.event(eventId),
        UpdateExpression: 'SET #status = :done, processedAt = :now REMOVE leaseToken, leaseUntil',
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':now': now, ':token': token },
      });
    },

    async release(eventId, token) {
      try {
        await client.delete({
          TableName: tableName,
          Key: keys.event(eventId),
          ConditionExpression: 'leaseToken = :token',
          ExpressionAttributeValues: { ':token': token },
        });
      } catch (err: unknown) {
        // Someone took over a lapsed lease: theirs to finish.
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
      }
    },
  };
}
