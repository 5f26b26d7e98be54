import { createHash } from 'node:crypto';
import type { RateDecision, RateLimiter } from '../../app/ports';
import { DAY_SECONDS, HOUR_SECONDS } from '../../domain/time';
import { ConditionalCheckFailedError, type TableClient } from './table-client';
import { keys } from './table-items';

const HOUR = HOUR_SECONDS;
const DAY = DAY_SECONDS;
/** Windows linger this long past their day before DynamoDB's TTL may remove them. */
const EXPIRY_SLACK_SECONDS = HOUR;

/**
 * Fixed-window rate limits in the commerce table. One item per key and UTC day holds the day's
 * count and one count per hour (`h00`…`h23`), so a single conditional `UpdateItem` checks and counts
 * both windows atomically: DynamoDB serialises updates of one item, so concurrent requests can never
 * push a count past its limit, and a refused request counts in neither window. Distinct values (the
 * codes a client looked up) are kept the same way, as sets of digests instead of counts.
 */
export function createDynamoRateLimiter(options: {
  readonly client: TableClient;
  readonly tableName: string;
}): RateLimiter {
  const { client, tableName } = options;
  return {
    async checkRateLimit({ scope, key, limits, now }): Promise<RateDecision> {
      const { day, hourAttribute, dayEnds, hourEnds } = windowsAt(now);
      const itemKey = keys.rateWindow(scope, key, day);
      try {
        await client.update({
          TableName: tableName,
          Key: itemKey,
          UpdateExpression: 'SET expiresAt = if_not_exists(expiresAt, :expiresAt) ADD #day :one, #hour :one',
          ConditionExpression:
            '(attribute_not_exists(#day) OR #day < :perDay) AND (attribute_not_exists(#hour) OR #hour < :perHour)',
          ExpressionAttributeNames: { '#day': 'day', '#hour': hourAttribute },
          ExpressionAttributeValues: {
            ':one': 1,
            ':perDay': limits.perDay,
            ':perHour': limits.perHour,
            ':expiresAt': dayEnds + EXPIRY_SLACK_SECONDS,
          },
        });
        return { allowed: true };
      } catch (err: unknown) {
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
      }
      // Refused: read the window to tell the client how long to wait. Only refused requests pay
      // for this read.
      const { Item } = await client.get({ TableName: tableName, Key: itemKey, ConsistentRead: true });
      const dayCount = Number(Item?.day ?? 0);
      if (dayCount >= limits.perDay)
        return { allowed: false, window: 'day', retryAfterSeconds: dayEnds - now };
      return { allowed: false, window: 'hour', retryAfterSeconds: hourEnds - now };
    },

    async checkDistinct({ scope, key, value, limits, now }): Promise<RateDecision> {
      const { day, hourAttribute, dayEnds, hourEnds } = windowsAt(now);
      const itemKey = keys.rateWindow(scope, key, day);
      const names = { '#day': 'dayValues', '#hour': `${hourAttribute}Values` };
      const digest = digestOf(value);
      try {
        await client.update({
          TableName: tableName,
          Key: itemKey,
          UpdateExpression:
            'SET expiresAt = if_not_exists(expiresAt, :expiresAt) ADD #day :value, #hour :value',
          ConditionExpression:
            '(attribute_not_exists(#day) OR contains(#day, :digest) OR size(#day) < :perDay) AND ' +
            '(attribute_not_exists(#hour) OR contains(#hour, :digest) OR size(#hour) < :perHour)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':value': new Set([digest]),
            ':digest': digest,
            ':perDay': limits.perDay,
            ':perHour': limits.perHour,
            ':expiresAt': dayEnds + EXPIRY_SLACK_SECONDS,
          },
        });
        return { allowed: true };
      } catch (err: unknown) {
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
      }
      const { Item } = await client.get({ TableName: tableName, Key: itemKey, ConsistentRead: true });
      const dayValues = Item?.dayValues;
      if (dayValues instanceof Set && dayValues.size >= limits.perDay) {
        return { allowed: false, window: 'day', retryAfterSeconds: dayEnds - now };
      }
      return { allowed: false, window: 'hour', retryAfterSeconds: hourEnds - now };
    },

    async forget({ scope, key, value, now }) {
      const { day, hourAttribute } = windowsAt(now);
      // Deleting a member a set does not hold, or from a set that is not there, changes nothing.
      await client
        .update({
          TableName: tableName,
          Key: keys.rateWindow(scope, key, day),
          UpdateExpression: 'DELETE #day :value, #hour :value',
          ConditionExpression: 'attribute_exists(#day)',
          ExpressionAttributeNames: { '#day': 'dayValues', '#hour': `${hourAttribute}Values` },
          ExpressionAttributeValues: { ':value': new Set([digestOf(value)]) },
        })
        .catch((err: unknown) => {
          // No window to take it from (gone, or never counted): nothing to do.
          if (!(err instanceof ConditionalCheckFailedError)) throw err;
        });
    },
  };
}

/**
 * What a distinct-value window stores of a value: a digest, so that a window holds no codes as typed
 * and every member has the same small size whatever was sent.
 */
function digestOf(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 16);
}

/** The UTC day and hour windows that contain `now` (epoch seconds). */
export function windowsAt(now: number): {
  day: string;
  hourAttribute: string;
  dayEnds: number;
  hourEnds: number;
} {
  const date = new Date(now * 1000);
  const day = date.toISOString().slice(0, 10).replaceAll('-', '');
  const hour = String(date.getUTCHours()).padStart(2, '0');
  const dayStarts = now - (now % DAY);
  const hourStarts = now - (now % HOUR);
  return { day, hourAttribute: `h${hour}`, dayEnds: dayStarts + DAY, hourEnds: hourStarts + HOUR };
}
