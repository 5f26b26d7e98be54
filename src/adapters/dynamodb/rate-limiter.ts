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
 * push a count past its limit, and a refused request counts in neither window.
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

    async uncount({ scope, key, now }) {
      const { day, hourAttribute } = windowsAt(now);
      try {
        await client.update({
          TableName: tableName,
          Key: keys.rateWindow(scope, key, day),
          UpdateExpression: 'ADD #day :minusOne, #hour :minusOne',
          ConditionExpression: '#day > :zero AND #hour > :zero',
          ExpressionAttributeNames: { '#day': 'day', '#hour': hourAttribute },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        });
      } catch (err: unknown) {
        // Nothing to take back (the window is gone or empty): the count stays as it is.
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
      }
    },
  };
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
