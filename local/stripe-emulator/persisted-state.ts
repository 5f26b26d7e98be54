/**
 * What the emulator writes to its state file, and how it goes to and from the live stores:
 * everything needed to answer as before a restart — coupons (deleted ones too), prices and
 * products, shipping rates, sessions, webhook endpoints, events with their deliveries,
 * idempotency records, and how many random bytes ids have used. Faults, the request log and the
 * webhook URL are not state: they belong to the run (a test's setup, a log, the configuration).
 *
 * The document is versioned: a file from another version is refused rather than misread.
 * Stripe's objects are checked by their `id` and `object` only; the file is the emulator's own
 * output, and a field-by-field check would restate the SDK's types.
 */
import * as v from 'valibot';
import type { AccountResources } from './account';
import type { ChargeStore, PaymentIntentRecord } from './charges';
import type { AsyncPaymentState, CheckoutSessions, SessionRecord } from './checkout-sessions';
import type { CouponRecord, CouponStore } from './coupons';
import type { DisputeStore } from './disputes';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency';
import type {
  ChargeObject,
  CouponObject,
  DisputeObject,
  EventObject,
  LineItemObject,
  PriceObject,
  ProductObject,
  RefundObject,
  SessionObject,
  WebhookEndpointObject,
} from './objects';
import type { PriceStore } from './prices';
import type { RefundStore } from './refunds';
import type { PaymentIntentDataParams } from './schemas';
import type { ShippingRates } from './shipping-rates';
import type { EventRecord, WebhookDispatcher } from './webhooks';

/** Names the file's kind, so some other JSON file is never taken for state. */
export const STATE_FORMAT = 'stripe-emulator-state';
/** Bump when the document changes shape, and teach {@link parseStateDocument} the old one. */
export const STATE_VERSION = 1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Stripe object of the emulator's own making, recognised by its `id` and `object`. */
function stripeObject<T>(kind: string) {
  return v.custom<T>(
    (value) => isRecord(value) && typeof value.id === 'string' && value.object === kind,
    `not a ${kind} object`,
  );
}

const nullableNumber = v.nullable(v.number());
const nullableString = v.nullable(v.string());

const CouponRecordSchema = v.object({
  coupon: stripeObject<CouponObject>('coupon'),
  deleted: v.boolean(),
  deletedAt: nullableNumber,
});

const ShippingRateSchema = v.object({
  id: v.string(),
  displayName: v.string(),
  amount: v.number(),
  currency: v.string(),
});

const ASYNC_PAYMENT_STATES = [
  'none',
  'pending',
  'succeeded',
  'failed',
] as const satisfies AsyncPaymentState[];

const StoredSessionSchema = v.object({
  session: stripeObject<SessionObject>('checkout.session'),
  lineItems: v.array(stripeObject<LineItemObject>('item')),
  paymentIntentData: v.nullable(v.custom<PaymentIntentDataParams>(isRecord, 'not an object')),
  /** Index of the session's coupon in `coupons` (the record, not the id: a deleted id may be reused). */
  couponIndex: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
  shippingOptionNames: v.array(v.string()),
  asyncPayment: v.picklist(ASYNC_PAYMENT_STATES),
});

const DeliverySchema = v.object({
  url: v.string(),
  status: v.picklist(['pending', 'delivered', 'failed']),
  attempts: v.array(
    v.object({
      at: v.number(),
      statusCode: nullableNumber,
      error: nullableString,
      retryInMs: nullableNumber,
    }),
  ),
  nextAttemptAt: nullableNumber,
});

const EventRecordSchema = v.object({
  event: stripeObject<EventObject>('event'),
  deliveries: v.array(DeliverySchema),
});

const IdempotencyEntrySchema = v.object({
  scope: v.string(),
  record: v.object({
    method: v.string(),
    path: v.string(),
    fingerprint: v.string(),
    response: v.object({ statusCode: v.number(), body: v.string(), requestId: v.string() }),
    storedAt: v.number(),
  }),
});

/** Version 1 of the state file. */
const StateDocumentSchema = v.object({
  format: v.literal(STATE_FORMAT),
  version: v.literal(STATE_VERSION),
  /** When it was written, on the emulator's clock (epoch ms). */
  savedAt: v.number(),
  randomBytesDrawn: v.pipe(v.number(), v.integer(), v.minValue(0)),
  coupons: v.array(CouponRecordSchema),
  prices: v.array(stripeObject<PriceObject>('price')),
  products: v.array(stripeObject<ProductObject>('product')),
  /** Ids of the products and prices sessions created inline, which lists leave out (absent before lists existed). */
  inlineIds: v.optional(v.array(v.string()), []),
  shippingRates: v.array(ShippingRateSchema),
  sessions: v.array(StoredSessionSchema),
  webhookEndpoints: v.array(stripeObject<WebhookEndpointObject>('webhook_endpoint')),
  events: v.array(EventRecordSchema),
  idempotency: v.array(IdempotencyEntrySchema),
  // Added after version 1 was first written: a file without them has none (still version 1).
  paymentIntents: v.optional(
    v.array(
      v.object({
        id: v.string(),
        amount: v.number(),
        currency: v.string(),
        metadata: v.record(v.string(), v.string()),
        sessionId: v.string(),
        chargeId: nullableString,
      }),
    ),
    [],
  ),
  charges: v.optional(v.array(stripeObject<ChargeObject>('charge')), []),
  refunds: v.optional(v.array(stripeObject<RefundObject>('refund')), []),
  disputes: v.optional(v.array(stripeObject<DisputeObject>('dispute')), []),
});

export type StateDocument = v.InferOutput<typeof StateDocumentSchema>;

/** How a file's content was judged. */
export type ParsedState =
  | { kind: 'state'; document: StateDocument }
  /** Written by another version of the emulator: not to be read, nor overwritten. */
  | { kind: 'other-version'; version: number }
  /** Not a state document at all, or a damaged one. */
  | { kind: 'corrupt'; reason: string };

/** Judges a file's text: a version-1 state document, another version's, or corrupt. */
export function parseStateDocument(text: string): ParsedState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err: unknown) {
    return { kind: 'corrupt', reason: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!isRecord(value) || value.format !== STATE_FORMAT) {
    return { kind: 'corrupt', reason: `not a ${STATE_FORMAT} document` };
  }
  if (typeof value.version !== 'number') return { kind: 'corrupt', reason: 'no format version' };
  if (value.version !== STATE_VERSION) return { kind: 'other-version', version: value.version };
  const parsed = v.safeParse(StateDocumentSchema, value);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue?.path?.map((item) => String(item.key)).join('.') ?? '';
    return { kind: 'corrupt', reason: `${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}` };
  }
  const document = parsed.output;
  const dangling = document.sessions.find(
    (stored) => stored.couponIndex !== null && stored.couponIndex >= document.coupons.length,
  );
  if (dangling) {
    return {
      kind: 'corrupt',
      reason: `session ${dangling.session.id} names a coupon the file does not have`,
    };
  }
  return { kind: 'state', document };
}

/** The live stores a state document is taken from and put back into. */
export interface StateStores {
  coupons: CouponStore;
  prices: PriceStore;
  shippingRates: ShippingRates;
  checkoutSessions: CheckoutSessions;
  account: AccountResources;
  charges: ChargeStore;
  refunds: RefundStore;
  disputes: DisputeStore;
  dispatcher: WebhookDispatcher;
  idempotency: IdempotencyStore;
}

/** The stores' content as a document (live objects: serialise it before anything changes). */
export function captureState(stores: StateStores, savedAt: number, randomBytesDrawn: number): StateDocument {
  const couponIndex = new Map<CouponRecord, number>(
    stores.coupons.history.map((record, index) => [record, index]),
  );
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    savedAt,
    randomBytesDrawn,
    coupons: stores.coupons.history,
    prices: [...stores.prices.prices.values()],
    products: [...stores.prices.products.values()],
    inlineIds: [...stores.prices.inlineIds],
    shippingRates: [...stores.shippingRates.rates.values()],
    sessions: [...stores.checkoutSessions.records.values()].map((record) => ({
      session: record.session,
      lineItems: record.lineItems,
      paymentIntentData: record.paymentIntentData,
      couponIndex: record.coupon ? (couponIndex.get(record.coupon) ?? null) : null,
      shippingOptionNames: record.shippingOptionNames,
      asyncPayment: record.asyncPayment,
    })),
    webhookEndpoints: [...stores.account.allEndpoints()],
    events: stores.dispatcher.events,
    idempotency: stores.idempotency.entries(),
    paymentIntents: [...stores.charges.paymentIntents.values()] satisfies PaymentIntentRecord[],
    charges: [...stores.charges.charges.values()],
    refunds: [...stores.refunds.refunds.values()],
    disputes: [...stores.disputes.disputes.values()],
  };
}

/** What {@link restoreState} needs besides the stores. */
export interface RestoreContext {
  /** Seeded prices are created at this time (epoch seconds) if the document lacks them. */
  nowSeconds: number;
  /** The hosted page's address now (the port may differ from the run that saved the file). */
  payUrl: (sessionId: string) => string;
}

/**
 * Puts a document into empty stores. Coupons are added in creation order (so each id ends on its
 * latest record), sessions get their coupon record back, open sessions the current page address,
 * and pending webhook deliveries resume.
 */
export function restoreState(stores: StateStores, document: StateDocument, context: RestoreContext): void {
  for (const record of document.coupons) stores.coupons.add(record);
  stores.prices.restore(document.prices, document.products, document.inlineIds, context.nowSeconds);
  stores.shippingRates.restore(document.shippingRates);
  for (const stored of document.sessions) {
    const session = stored.session;
    if (session.status === 'open') session.url = context.payUrl(session.id);
    const record: SessionRecord = {
      session,
      lineItems: stored.lineItems,
      paymentIntentData: stored.paymentIntentData,
      coupon: stored.couponIndex === null ? null : (document.coupons[stored.couponIndex] ?? null),
      shippingOptionNames: stored.shippingOptionNames,
      asyncPayment: stored.asyncPayment,
    };
    stores.checkoutSessions.records.set(session.id, record);
  }
  stores.account.restore(document.webhookEndpoints);
  stores.charges.restore(document.paymentIntents, document.charges);
  stores.refunds.restore(document.refunds);
  stores.disputes.restore(document.disputes);
  stores.idempotency.restore(document.idempotency satisfies { scope: string; record: IdempotencyRecord }[]);
  stores.dispatcher.restore(document.events satisfies EventRecord[]);
}
