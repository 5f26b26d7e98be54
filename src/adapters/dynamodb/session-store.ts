import { allInOrder } from '../../app/all-in-order';
import type { FulfilmentStore, OrderRecord, SessionStore } from '../../app/ports';
import { maskEmail } from '../../domain/email';
import { DAY_SECONDS } from '../../domain/time';
import { ConditionalCheckFailedError, type TableClient, type UpdateInput } from './table-client';
import {
  CorruptItemError,
  couponOwnerItem,
  isFulfilledSessionItem,
  keys,
  orderItem,
  readCheckoutSlot,
  readOrderRecord,
  readSessionRecord,
  sessionItem,
} from './table-items';

/** How long a checkout slot outlives its session (60 days, for the operator's look back). */
export const SESSION_HISTORY_DAYS = 60;
/** A coupon ownership item outlives its coupon's redemption window by this much, as a backstop. */
const COUPON_OWNERSHIP_SLACK_SECONDS = 7 * DAY_SECONDS;

/** Checkout sessions in the commerce table. */
export function createDynamoSessionStore(options: {
  readonly client: TableClient;
  readonly tableName: string;
}): SessionStore {
  const { client, tableName } = options;

  async function putIfAbsent(item: Record<string, unknown>): Promise<void> {
    try {
      await client.put({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' });
    } catch (err: unknown) {
      // Already written by an earlier attempt: the first write stands (it may since have advanced).
      if (!(err instanceof ConditionalCheckFailedError)) throw err;
    }
  }

  async function conditionally(update: UpdateInput): Promise<boolean> {
    try {
      await client.update(update);
      return true;
    } catch (err: unknown) {
      if (err instanceof ConditionalCheckFailedError) return false;
      throw err;
    }
  }

  return {
    async getSlot(slotId) {
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.checkoutSlot(slotId),
        ConsistentRead: true,
      });
      return Item ? readCheckoutSlot(slotId, Item) : null;
    },

    async claimSlot(slotId, claim) {
      const free = '(attribute_not_exists(leaseUntil) OR leaseUntil < :now)';
      return conditionally({
        TableName: tableName,
        Key: keys.checkoutSlot(slotId),
        UpdateExpression:
          'SET #type = :type, attempt = if_not_exists(attempt, :zero), leaseToken = :token, ' +
          'leaseUntil = :until, expiresAt = :expiresAt',
        ConditionExpression:
          claim.expectedAttempt === null ? 'attribute_not_exists(PK)' : `attempt = :expected AND ${free}`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'checkout-slot',
          ':zero': 0,
          ':token': claim.token,
          ':until': claim.until,
          ':expiresAt': claim.now + SESSION_HISTORY_DAYS * DAY_SECONDS,
          ...(claim.expectedAttempt === null
            ? {}
            : { ':expected': claim.expectedAttempt, ':now': claim.now }),
        },
      });
    },

    async settleSlot(slotId, token, session, attempt, now) {
      return conditionally({
        TableName: tableName,
        Key: keys.checkoutSlot(slotId),
        UpdateExpression:
          'SET attempt = :attempt, sessionId = :sessionId, quoteSignature = :quoteSignature, ' +
          'emailDigest = :emailDigest, #status = :status, checkoutUrl = :checkoutUrl, ' +
          'sessionExpiresAt = :sessionExpiresAt, heldUnits = :heldUnits, updatedAt = :now, ' +
          'expiresAt = :expiresAt' +
          // The code whose use this session holds; the slot's earlier session may have held another.
          (session.heldCode ? ', heldCode = :heldCode REMOVE' : ' REMOVE heldCode,') +
          ' leaseToken, leaseUntil',
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':attempt': attempt,
          ':sessionId': session.sessionId,
          ':quoteSignature': session.quoteSignature,
          ':emailDigest': session.emailDigest,
          ':status': session.status,
          ':checkoutUrl': session.checkoutUrl,
          ':sessionExpiresAt': session.sessionExpiresAt,
          ':heldUnits': JSON.stringify(session.heldUnits ?? []),
          ...(session.heldCode ? { ':heldCode': session.heldCode } : {}),
          ':now': now,
          ':expiresAt': Math.max(now, session.sessionExpiresAt) + SESSION_HISTORY_DAYS * DAY_SECONDS,
          ':token': token,
        },
      });
    },

    async endSlotSession(slotId, token, sessionId, status) {
      await conditionally({
        TableName: tableName,
        Key: keys.checkoutSlot(slotId),
        UpdateExpression: 'SET #status = :status',
        ConditionExpression: 'leaseToken = :token AND sessionId = :sessionId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':token': token, ':sessionId': sessionId },
      });
    },

    async releaseSlot(slotId, token) {
      await conditionally({
        TableName: tableName,
        Key: keys.checkoutSlot(slotId),
        UpdateExpression: 'REMOVE leaseToken, leaseUntil',
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeValues: { ':token': token },
      });
    },

    async recordSession(record, now) {
      // The session and its coupon ownership are independent: written together.
      await allInOrder([
        putIfAbsent(sessionItem(record, now)),
        record.couponId
          ? putIfAbsent(couponOwnerItem(record, record.sessionExpiresAt + COUPON_OWNERSHIP_SLACK_SECONDS))
          : Promise.resolve(),
      ]);
    },

    async getSession(sessionId) {
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.session(sessionId),
        ConsistentRead: true,
      });
      return Item ? { ...readSessionRecord(Item), fulfilled: isFulfilledSessionItem(Item) } : null;
    },
  };
}

/** {@link FulfilmentStore} on the commerce table: conditional updates of `SESSION#<id>`. */
export function createDynamoFulfilmentStore(options: {
  readonly client: TableClient;
  readonly tableName: string;
}): FulfilmentStore {
  const { client, tableName } = options;

  async function exists(sessionId: string): Promise<boolean> {
    const { Item } = await client.get({
      TableName: tableName,
      Key: keys.session(sessionId),
      ConsistentRead: true,
      ProjectionExpression: 'PK',
    });
    return Item !== undefined;
  }

  return {
    async markPaid(sessionId, paid) {
      try {
        const { Attributes } = await client.update({
          TableName: tableName,
          Key: keys.session(sessionId),
          UpdateExpression:
            'SET #status = :complete, paymentStatus = :paymentStatus, paidAt = if_not_exists(paidAt, :paidAt), ' +
            'emailMasked = if_not_exists(emailMasked, :emailMasked), amountShipping = :shipping, ' +
            'amountTax = :tax, chargedTotal = :charged, updatedAt = :paidAt',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':complete': 'complete',
            ':paymentStatus': paid.paymentStatus,
            ':paidAt': paid.paidAt,
            ':emailMasked': paid.customerEmail ? maskEmail(paid.customerEmail) : null,
            ':shipping': paid.amountShipping,
            ':tax': paid.amountTax,
            ':charged': paid.amountTotal,
          },
          ReturnValues: 'ALL_NEW',
        });
        if (!Attributes) return null;
        return {
          record: readSessionRecord(Attributes),
          paidAt: Number(Attributes.paidAt),
          notified: Attributes.notifiedAt !== undefined,
        };
      } catch (err: unknown) {
        if (err instanceof ConditionalCheckFailedError) return null;
        throw err;
      }
    },

    async writeOrder(order) {
      try {
        await client.put({
          TableName: tableName,
          Item: orderItem(order),
          ConditionExpression: 'attribute_not_exists(PK)',
        });
        return true;
      } catch (err: unknown) {
        if (err instanceof ConditionalCheckFailedError) return false;
        throw err;
      }
    },

    async claimNotification(sessionId, now) {
      try {
        await client.update({
          TableName: tableName,
          Key: keys.session(sessionId),
          UpdateExpression: 'SET notifyLeaseUntil = :until',
          ConditionExpression:
            'attribute_exists(PK) AND attribute_not_exists(notifiedAt) AND ' +
            '(attribute_not_exists(notifyLeaseUntil) OR notifyLeaseUntil < :now)',
          ExpressionAttributeValues: { ':until': now + NOTIFY_LEASE_SECONDS, ':now': now },
        });
        return 'claimed';
      } catch (err: unknown) {
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
      }
      // Refused: done already, or someone holds the lease. Only refused claims pay for this read.
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.session(sessionId),
        ConsistentRead: true,
        ProjectionExpression: 'notifiedAt',
      });
      return Item?.notifiedAt !== undefined ? 'notified' : 'held';
    },

    async markNotified(sessionId, paidAt, now) {
      const mark = 'SET notifiedAt = if_not_exists(notifiedAt, :now)';
      await client.update({
        TableName: tableName,
        Key: keys.session(sessionId),
        UpdateExpression: `${mark} REMOVE notifyLeaseUntil`,
        ExpressionAttributeValues: { ':now': now },
      });
      // Then the order item, which is what the retry lists: marked only once the session is, so an
      // order the retry skips is never one whose session still looks unsent.
      await client
        .update({
          TableName: tableName,
          Key: keys.order(paidAt, sessionId),
          UpdateExpression: mark,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':now': now },
        })
        .catch((err: unknown) => {
          if (!(err instanceof ConditionalCheckFailedError)) throw err;
        });
    },

    async releaseNotification(sessionId, now) {
      await client
        .update({
          TableName: tableName,
          Key: keys.session(sessionId),
          UpdateExpression:
            'SET notifyFailedAt = :now, notifyFailures = if_not_exists(notifyFailures, :zero) + :one ' +
            'REMOVE notifyLeaseUntil',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(notifiedAt)',
          ExpressionAttributeValues: { ':now': now, ':zero': 0, ':one': 1 },
        })
        .catch((err: unknown) => {
          if (!(err instanceof ConditionalCheckFailedError)) throw err;
        });
    },

    async listUnnotifiedOrders(day) {
      const unreadable: string[] = [];
      const orders = await queryOrdersOfDay({ client, tableName }, day, {
        unnotifiedOnly: true,
        onUnreadable: (key) => unreadable.push(key),
      });
      return { orders, unreadable };
    },

    async transition(sessionId, from, to, now) {
      const names = from.map((_, i) => `:from${i}`);
      try {
        await client.update({
          TableName: tableName,
          Key: keys.session(sessionId),
          UpdateExpression: 'SET #status = :to, updatedAt = :now',
          ConditionExpression: `attribute_exists(PK) AND #status IN (${names.join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': to,
            ':now': now,
            ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
          },
        });
        return true;
      } catch (err: unknown) {
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
        return (await exists(sessionId)) ? false : null;
      }
    },

    async setSlotStatus(slotId, sessionId, status) {
      try {
        await client.update({
          TableName: tableName,
          Key: keys.checkoutSlot(slotId),
          UpdateExpression: 'SET #status = :status',
          // Only while the slot still holds this session, and never undoing a payment.
          ConditionExpression: 'sessionId = :sessionId AND #status <> :complete',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':sessionId': sessionId,
            ':complete': 'complete',
          },
        });
      } catch (err: unknown) {
        // Gone (TTL), moved on to a newer session, or already complete: nothing to mirror.
        if (!(err instanceof ConditionalCheckFailedError)) throw err;
      }
    },

    async releaseCoupon(couponId, sessionId, now) {
      await client.delete({ TableName: tableName, Key: keys.couponOwner(couponId, sessionId) });
      await client
        .update({
          TableName: tableName,
          Key: keys.session(sessionId),
          UpdateExpression: 'SET couponReleasedAt = if_not_exists(couponReleasedAt, :now)',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':now': now },
        })
        .catch((err: unknown) => {
          if (!(err instanceof ConditionalCheckFailedError)) throw err;
        });
    },
  };
}

/** A notification claim lapses after this, so a crashed sender's order is notified by the next try. */
const NOTIFY_LEASE_SECONDS = 60;

/**
 * The paid orders of one UTC day (`YYYY-MM-DD`), oldest first, every page; with `unnotifiedOnly`,
 * those whose operator notification is not marked sent. The operator's list and the retry share it.
 */
export async function queryOrdersOfDay(
  table: { readonly client: TableClient; readonly tableName: string },
  day: string,
  options: {
    readonly unnotifiedOnly?: boolean;
    /** Skips an item that cannot be read back (with its key) instead of failing the whole list. */
    readonly onUnreadable?: (key: string) => void;
  } = {},
): Promise<OrderRecord[]> {
  const orders: OrderRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.query({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk',
      ...(options.unnotifiedOnly ? { FilterExpression: 'attribute_not_exists(notifiedAt)' } : {}),
      ExpressionAttributeValues: { ':pk': keys.ordersPartition(day) },
      ExclusiveStartKey: start,
    });
    for (const item of page.Items ?? []) {
      try {
        orders.push(readOrderRecord(item));
      } catch (err: unknown) {
        if (!(err instanceof CorruptItemError) || !options.onUnreadable) throw err;
        options.onUnreadable(`${String(item.PK)} / ${String(item.SK)}`);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return orders;
}
