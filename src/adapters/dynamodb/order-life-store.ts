import type {
  OrderLife,
  OrderLifeStore,
  OrderMailKind,
  PaymentStore,
  ShipOutcome,
} from '../../app/order-life-ports';
import { DO_NOT_SHIP_STATES, mergeFact, NO_FACTS } from '../../domain/payment-state';
import { DAY_SECONDS } from '../../domain/time';
import { queryPartition } from './query-partition';
import { ConditionalCheckFailedError, type TableClient } from './table-client';
import {
  CorruptItemError,
  keys,
  orderPaymentAttributes,
  paymentFactsAttribute,
  paymentHistoryAttribute,
  readOrderLife,
  readPaymentRecord,
} from './table-items';

type Table = { readonly client: TableClient; readonly tableName: string };

/**
 * A payment's facts are kept this long after their last change: disputes may come months after the
 * payment (Stripe allows card networks up to 120 days and more), and an order keeps its summary.
 */
const PAYMENT_RETENTION_DAYS = 400;
/** A payment no order of this shop claims (another integration's) is forgotten sooner. */
const UNLINKED_PAYMENT_DAYS = 30;
/** A mail claim lapses after this, so a crashed sender's mail is sent by the next try. */
const MAIL_LEASE_SECONDS = 60;
/** A write that loses a race to a concurrent one is read and tried again this often. */
const MAX_RACES = 8;

/** Runs a conditional write: `false` when its condition failed. */
export async function conditionally(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (err: unknown) {
    if (err instanceof ConditionalCheckFailedError) return false;
    throw err;
  }
}

/** {@link PaymentStore} on `PAYMENT#<paymentIntentId>` / `FACTS`: read, merge, conditional write. */
export function createDynamoPaymentStore(table: Table): PaymentStore {
  const { client, tableName } = table;

  async function read(paymentIntentId: string) {
    const { Item } = await client.get({
      TableName: tableName,
      Key: keys.payment(paymentIntentId),
      ConsistentRead: true,
    });
    return Item ? readPaymentRecord(Item) : null;
  }

  return {
    getPayment: read,

    async recordFact(paymentIntentId, fact, eventId, now) {
      for (let race = 0; race < MAX_RACES; race += 1) {
        const current = (await read(paymentIntentId)) ?? {
          paymentIntentId,
          facts: NO_FACTS,
          version: 0,
          order: null,
        };
        const merged = mergeFact(current.facts, fact, eventId);
        if (!merged) return { record: current, changed: false, before: current.facts };
        const version = current.version + 1;
        const keepDays = current.order ? PAYMENT_RETENTION_DAYS : UNLINKED_PAYMENT_DAYS;
        const written = await conditionally(() =>
          client.update({
            TableName: tableName,
            Key: keys.payment(paymentIntentId),
            // Only the facts: the order link is written by fulfilment, maybe at the same moment.
            UpdateExpression:
              'SET #type = :type, paymentIntentId = :pi, facts = :facts, version = :version, ' +
              'updatedAt = :now, expiresAt = :expiresAt',
            ConditionExpression:
              current.version === 0 ? 'attribute_not_exists(version)' : 'version = :expected',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: {
              ':type': 'payment',
              ':pi': paymentIntentId,
              ':facts': paymentFactsAttribute(merged),
              ':version': version,
              ':now': now,
              ':expiresAt': now + keepDays * DAY_SECONDS,
              ...(current.version === 0 ? {} : { ':expected': current.version }),
            },
          }),
        );
        if (written) {
          return { record: { ...current, facts: merged, version }, changed: true, before: current.facts };
        }
      }
      throw new Error(`payment ${paymentIntentId}: facts kept changing under this write`);
    },

    async linkOrder(paymentIntentId, order, now) {
      const { Attributes } = await client.update({
        TableName: tableName,
        Key: keys.payment(paymentIntentId),
        UpdateExpression:
          'SET #type = :type, paymentIntentId = :pi, sessionId = :sessionId, orderPaidAt = :paidAt, ' +
          'expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'payment',
          ':pi': paymentIntentId,
          ':sessionId': order.sessionId,
          ':paidAt': order.paidAt,
          ':expiresAt': now + PAYMENT_RETENTION_DAYS * DAY_SECONDS,
        },
        ReturnValues: 'ALL_NEW',
      });
      if (!Attributes) throw new Error(`payment ${paymentIntentId}: link not written`);
      return readPaymentRecord(Attributes);
    },
  };
}

/** The attribute names of each kind of mail: what is owed, what was sent, and the lease. */
const MAIL_ATTRIBUTES: Readonly<
  Record<OrderMailKind, { owed: string; sent: string; lease: string; failed: string }>
> = {
  alert: { owed: 'alertSeq', sent: 'alertedSeq', lease: 'alertLeaseUntil', failed: 'alertFailedAt' },
  shipped: {
    owed: 'shipVersion',
    sent: 'shipMailed',
    lease: 'shipMailLeaseUntil',
    failed: 'shipMailFailedAt',
  },
};

const SHIPPABLE = ['paid', 'dispute_won'] as const;

/** {@link OrderLifeStore} on the commerce table's order items and the `OWED#mail` partition. */
export function createDynamoOrderLifeStore(table: Table): OrderLifeStore {
  const { client, tableName } = table;

  async function getOrder(ref: { sessionId: string; paidAt: string }): Promise<OrderLife | null> {
    const { Item } = await client.get({
      TableName: tableName,
      Key: keys.order(ref.paidAt, ref.sessionId),
      ConsistentRead: true,
    });
    return Item ? readOrderLife(Item) : null;
  }

  return {
    getOrder,

    async findOrder(sessionId) {
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.session(sessionId),
        ConsistentRead: true,
        ProjectionExpression: 'paidAt',
      });
      if (typeof Item?.paidAt !== 'number') return null;
      return getOrder({ sessionId, paidAt: new Date(Item.paidAt * 1000).toISOString() });
    },

    async applyPayment(ref, expectedVersion, payment, history) {
      // The history changes only with the payment version, so the version's condition guards both.
      const entry = history?.at(-1);
      const attributes = orderPaymentAttributes(payment);
      return conditionally(() =>
        client.update({
          TableName: tableName,
          Key: keys.order(ref.paidAt, ref.sessionId),
          UpdateExpression:
            'SET payment = :payment, paymentState = :state, paymentVersion = :version' +
            (history ? ', paymentHistory = :history' : '') +
            (entry?.alert ? ', alertSeq = :seq' : ''),
          ConditionExpression:
            'attribute_exists(PK) AND ' +
            (expectedVersion === 0 ? 'attribute_not_exists(paymentVersion)' : 'paymentVersion = :expected'),
          ExpressionAttributeValues: {
            ':payment': attributes.payment,
            ':state': attributes.paymentState,
            ':version': attributes.paymentVersion,
            ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
            ...(history ? { ':history': paymentHistoryAttribute(history) } : {}),
            ...(entry?.alert ? { ':seq': entry.seq } : {}),
          },
        }),
      );
    },

    async markShipped(ref, shipment, options) {
      for (let race = 0; race < MAX_RACES; race += 1) {
        const life = await getOrder(ref);
        if (!life) throw new Error(`order ${ref.sessionId} is not there`);
        const current = life.shipment;
        const state = life.payment?.state ?? 'paid';
        if (!options.force && DO_NOT_SHIP_STATES.has(state)) return { result: 'refused', state };
        const given = shipment.carrier !== null || shipment.tracking !== null;
        if (
          current &&
          (!given || (current.carrier === shipment.carrier && current.tracking === shipment.tracking))
        ) {
          return { result: 'unchanged', shipment: current };
        }
        const next = {
          carrier: shipment.carrier,
          tracking: shipment.tracking,
          shippedAt: current?.shippedAt ?? options.now,
          version: (current?.version ?? 0) + 1,
        };
        const names = SHIPPABLE.map((_, i) => `:shippable${i}`);
        const written = await conditionally(() =>
          client.update({
            TableName: tableName,
            Key: keys.order(ref.paidAt, ref.sessionId),
            UpdateExpression:
              'SET shippedAt = :shippedAt, carrier = :carrier, tracking = :tracking, shipVersion = :version, ' +
              'shipUpdatedAt = :now' +
              (options.force ? ', shippedForced = :true' : ''),
            ConditionExpression:
              'attribute_exists(PK) AND ' +
              (current ? 'shipVersion = :expected' : 'attribute_not_exists(shipVersion)') +
              (options.force
                ? ''
                : ` AND (attribute_not_exists(paymentState) OR paymentState IN (${names.join(', ')}))`),
            ExpressionAttributeValues: {
              ':shippedAt': next.shippedAt,
              ':carrier': next.carrier,
              ':tracking': next.tracking,
              ':version': next.version,
              ':now': options.now,
              ...(current ? { ':expected': current.version } : {}),
              ...(options.force
                ? { ':true': true }
                : Object.fromEntries(SHIPPABLE.map((s, i) => [`:shippable${i}`, s]))),
            },
          }),
        );
        if (written) return { result: current ? 'updated' : 'shipped', shipment: next } satisfies ShipOutcome;
      }
      throw new Error(`order ${ref.sessionId}: shipment kept changing under this write`);
    },

    async claimMail(ref, kind, now) {
      const a = MAIL_ATTRIBUTES[kind];
      const claimed = await conditionally(() =>
        client.update({
          TableName: tableName,
          Key: keys.order(ref.paidAt, ref.sessionId),
          UpdateExpression: 'SET #lease = :until',
          ConditionExpression:
            'attribute_exists(#owed) AND (attribute_not_exists(#sent) OR #sent < #owed) AND ' +
            '(attribute_not_exists(#lease) OR #lease < :now)',
          ExpressionAttributeNames: { '#owed': a.owed, '#sent': a.sent, '#lease': a.lease },
          ExpressionAttributeValues: { ':until': now + MAIL_LEASE_SECONDS, ':now': now },
        }),
      );
      if (claimed) return 'claimed';
      const { Item } = await client.get({
        TableName: tableName,
        Key: keys.order(ref.paidAt, ref.sessionId),
        ConsistentRead: true,
        ProjectionExpression: '#owed, #sent',
        ExpressionAttributeNames: { '#owed': a.owed, '#sent': a.sent },
      });
      const owed = Number(Item?.[a.owed] ?? 0);
      const sent = Number(Item?.[a.sent] ?? 0);
      return owed > sent ? 'held' : 'nothing_owed';
    },

    async markMailed(ref, kind, upTo) {
      const a = MAIL_ATTRIBUTES[kind];
      await conditionally(() =>
        client.update({
          TableName: tableName,
          Key: keys.order(ref.paidAt, ref.sessionId),
          UpdateExpression: 'SET #sent = :upTo',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#sent) OR #sent < :upTo)',
          ExpressionAttributeNames: { '#sent': a.sent },
          ExpressionAttributeValues: { ':upTo': upTo },
        }),
      );
    },

    async releaseMail(ref, kind, failedAt) {
      const a = MAIL_ATTRIBUTES[kind];
      await conditionally(() =>
        client.update({
          TableName: tableName,
          Key: keys.order(ref.paidAt, ref.sessionId),
          UpdateExpression: failedAt === null ? 'REMOVE #lease' : 'SET #failed = :failedAt REMOVE #lease',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: {
            '#lease': a.lease,
            ...(failedAt === null ? {} : { '#failed': a.failed }),
          },
          ...(failedAt === null ? {} : { ExpressionAttributeValues: { ':failedAt': failedAt } }),
        }),
      );
    },

    async oweMail(ref, kind, now) {
      await client.update({
        TableName: tableName,
        Key: keys.owedMail(kind, ref.paidAt, ref.sessionId),
        UpdateExpression:
          'SET #type = :type, sessionId = :sessionId, paidAt = :paidAt, kind = :kind, ' +
          'owedAt = if_not_exists(owedAt, :now) ADD noted :one',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'owed-mail',
          ':sessionId': ref.sessionId,
          ':paidAt': ref.paidAt,
          ':kind': kind,
          ':now': now,
          ':one': 1,
        },
      });
    },

    async listOwedMail() {
      const owed: { ref: { sessionId: string; paidAt: string }; kind: OrderMailKind; count: number }[] = [];
      for (const item of await queryPartition(table, keys.owedMailPartition, true)) {
        const kind = item.kind;
        if (
          (kind !== 'alert' && kind !== 'shipped') ||
          typeof item.sessionId !== 'string' ||
          typeof item.paidAt !== 'string'
        ) {
          continue;
        }
        owed.push({
          ref: { sessionId: item.sessionId, paidAt: item.paidAt },
          kind,
          count: Number(item.noted ?? 0),
        });
      }
      return owed;
    },

    async clearOwedMail(ref, kind, count) {
      await conditionally(() =>
        client.delete({
          TableName: tableName,
          Key: keys.owedMail(kind, ref.paidAt, ref.sessionId),
          ConditionExpression: 'noted = :count',
          ExpressionAttributeValues: { ':count': count },
        }),
      );
    },

    async listOrders(day) {
      const orders: OrderLife[] = [];
      const unreadable: string[] = [];
      for (const item of await queryPartition(table, keys.ordersPartition(day), false)) {
        try {
          orders.push(readOrderLife(item));
        } catch (err: unknown) {
          if (!(err instanceof CorruptItemError)) throw err;
          unreadable.push(`${String(item.PK)} / ${String(item.SK)}`);
        }
      }
      return { orders, unreadable };
    },
  };
}
