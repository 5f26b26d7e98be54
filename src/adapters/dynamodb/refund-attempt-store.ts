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

  /** Updates the order's attempt `seq` while it is pending; `false` when it is not (or is another). */
  function updatePending(
    sessionId: string,
    seq: number,
    update: {
      readonly expression: string;
      readonly condition?: string;
      readonly values: Record<string, unknown>;
    },
  ): Promise<boolean> {
    return conditionally(() =>
      client.update({
        TableName: tableName,
        Key: keys.refundAttempt(sessionId),
        UpdateExpression: update.expression,
        ConditionExpression: `seq = :seq AND #state = :pending${update.condition ? ` AND ${update.condition}` : ''}`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ...update.values, ':seq': seq, ':pending': 'pending' },
      }),
    );
  }

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
      return updatePending(sessionId, seq, {
        expression: 'SET leaseUntil = :until ADD tries :one',
        condition: 'leaseUntil < :now',
        values: { ':until': leaseUntil, ':one': 1, ':now': now },
      });
    },

    async endAttempt(sessionId, seq, outcome, now) {
      await updatePending(sessionId, seq, {
        expression: 'SET #state = :state, refundId = :refundId, endedAt = :now, leaseUntil = :zero',
        values: {
          ':state': outcome.state,
          ':refundId': outcome.state === 'made' ? outcome.refundId : null,
          ':now': now,
          ':zero': 0,
        },
      });
    },

    async releaseAttempt(sessionId, seq) {
      await updatePending(sessionId, seq, { expression: 'SET leaseUntil = :zero', values: { ':zero': 0 } });
    },
  };
}
