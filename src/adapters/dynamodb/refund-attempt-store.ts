import type { RefundAttemptStore } from '../../app/order-life-ports';
import { DAY_SECONDS } from '../../domain/time';
import { conditionally } from './order-life-store';
import type { TableClient } from './table-client';
import { keys, readRefundAttempt, refundAttemptItem } from './table-items';

type Table = { readonly client: TableClient; readonly tableName: string };

/** An order's refund record is kept as long as its payment's facts (disputes come months later). */
const REFUND_ATTEMPT_RETENTION_DAYS = 400;

/**
 * {@link RefundAttemptStore} on `REFUND#<sessionId>` / `ATTEMPT`: every change is one conditional
 * write on the attempt's `seq` and `state`, so two commands never both own one order's refund.
 */
export function createDynamoRefundAttemptStore(table: Table): RefundAttemptStore {
  const { client, tableName } = table;

  return {
    async getAttempt(sessionId) {
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.refundAttempt(sessionId),
        ConsistentRead: true,
      });
      return Item ? readRefundAttempt(Item) : null;
    },

    async startAttempt(attempt, afterSeq, now) {
      return conditionally(() =>
        client.put({
          TableName: tableName,
          Item: refundAttemptItem(attempt, now + REFUND_ATTEMPT_RETENTION_DAYS * DAY_SECONDS),
          ConditionExpression:
            afterSeq === 0
              ? 'attribute_not_exists(PK)'
              : 'seq = :after AND (#state <> :pending OR leaseUntil < :now)',
          ...(afterSeq === 0
            ? {}
            : {
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':after': afterSeq, ':pending': 'pending', ':now': now },
              }),
        }),
      );
    },

    async resumeAttempt(sessionId, seq, leaseUntil, now) {
      return conditionally(() =>
        client.update({
          TableName: tableName,
          Key: keys.refundAttempt(sessionId),
          UpdateExpression: 'SET leaseUntil = :until ADD tries :one',
          ConditionExpression: 'seq = :seq AND #state = :pending AND leaseUntil < :now',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':until': leaseUntil,
            ':one': 1,
            ':seq': seq,
            ':pending': 'pending',
            ':now': now,
          },
        }),
      );
    },

    async endAttempt(sessionId, seq, outcome, now) {
      await conditionally(() =>
        client.update({
          TableName: tableName,
          Key: keys.refundAttempt(sessionId),
          UpdateExpression: 'SET #state = :state, refundId = :refundId, endedAt = :now, leaseUntil = :zero',
          ConditionExpression: 'seq = :seq AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':state': outcome.state,
            ':refundId': outcome.state === 'made' ? outcome.refundId : null,
            ':now': now,
            ':zero': 0,
            ':seq': seq,
            ':pending': 'pending',
          },
        }),
      );
    },

    async releaseAttempt(sessionId, seq) {
      await conditionally(() =>
        client.update({
          TableName: tableName,
          Key: keys.refundAttempt(sessionId),
          UpdateExpression: 'SET leaseUntil = :zero',
          ConditionExpression: 'seq = :seq AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':zero': 0, ':seq': seq, ':pending': 'pending' },
        }),
      );
    },
  };
}
