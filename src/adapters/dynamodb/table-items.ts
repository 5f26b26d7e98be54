import * as v from 'valibot';
import { checkoutSlotId } from '../../app/checkout-slot';
import {
  type OrderLife,
  type OrderPayment,
  type PaymentHistoryEntry,
  type PaymentRecord,
  REFUND_REASONS,
  type RefundAttempt,
} from '../../app/order-life-ports';
import type {
  CachedPricing,
  CheckoutSlot,
  HoldRequest,
  LiveHold,
  OrderRecord,
  SessionLine,
  SessionRecord,
  SlotSession,
  StockLevel,
} from '../../app/ports';
import {
  CODE_PATTERN,
  type CodeDiscount,
  type CodeScope,
  type DiscountCode,
  type StoredCode,
} from '../../domain/discount-code';
import { SUPPORTED_CURRENCIES } from '../../domain/money';
import { NO_FACTS, PAYMENT_STATES, type PaymentFacts } from '../../domain/payment-state';
import type { PricedCart } from '../../domain/priced-cart';

/**
 * Every item of the single commerce table has its home here: its key, its prefix, how a record
 * becomes an item and how an item read back becomes a record again — checked against a schema, so a
 * damaged or foreign item fails loudly with its key instead of flowing on as `NaN` or `"undefined"`.
 * The stores (quote cache, sessions and slots, event ledger, rate limiter), the operator commands,
 * the migration and the tests all go through it. The layout is in docs/architecture.md.
 */

/** Partition-key prefixes, one per item family. */
export const PREFIXES = {
  cart: 'CART#',
  checkout: 'CHECKOUT#',
  session: 'SESSION#',
  coupon: 'COUPON#',
  event: 'EVENT#',
  limit: 'LIMIT#',
  orders: 'ORDERS#',
  /** The partition of every discount code's definition and counts (listed by one query). */
  codes: 'CODES',
  /** A code's per-email counts. */
  code: 'CODE#',
  payment: 'PAYMENT#',
  /** An order's operator refunds: the last one asked for, recorded before Stripe is called. */
  refund: 'REFUND#',
  owed: 'OWED#',
  /** One partition: every tracked SKU's stock item, listed with one query. */
  stock: 'STOCK',
  /** One partition: every live stock hold, sorted by its end, so the sweep reads only ended ones. */
  holds: 'HOLDS',
} as const;

/** Every partition-key prefix of the table (the migration refuses a mapping that builds another). */
export const KNOWN_PK_PREFIXES: readonly string[] = Object.values(PREFIXES);

const CACHED_QUOTE_SK = 'QUOTE#';

/** Keys of every item type. */
export const keys = {
  cartQuote: (cartHash: string, issuedAt: number) => ({
    PK: `${PREFIXES.cart}${cartHash}`,
    SK: `${CACHED_QUOTE_SK}${issuedAt}`,
  }),
  cartPartition: (cartHash: string) => `${PREFIXES.cart}${cartHash}`,
  /** The prefix of a cart's cached quotes within its partition (newest last). */
  cachedQuotePrefix: CACHED_QUOTE_SK,
  /** The checkout slot of a cart or a quote (`cart#<cartId>`, `quote#<digest>`). */
  checkoutSlot: (slotId: string) => ({ PK: `${PREFIXES.checkout}${slotId}`, SK: 'SLOT' }),
  session: (sessionId: string) => ({ PK: `${PREFIXES.session}${sessionId}`, SK: 'METADATA' }),
  couponOwner: (couponId: string, sessionId: string) => ({
    PK: `${PREFIXES.coupon}${couponId}`,
    SK: `${PREFIXES.session}${sessionId}`,
  }),
  event: (eventId: string) => ({ PK: `${PREFIXES.event}${eventId}`, SK: 'METADATA' }),
  order: (paidAtIso: string, sessionId: string) => ({
    PK: `${PREFIXES.orders}${paidAtIso.slice(0, 10)}`,
    SK: `${paidAtIso}#${sessionId}`,
  }),
  ordersPartition: (day: string) => `${PREFIXES.orders}${day}`,
  /** The money facts of one payment (PaymentIntent) and the order it paid for. */
  payment: (paymentIntentId: string) => ({ PK: `${PREFIXES.payment}${paymentIntentId}`, SK: 'FACTS' }),
  /** The operator's last refund attempt of an order (`orders refund`), kept as its lease and record. */
  refundAttempt: (sessionId: string) => ({ PK: `${PREFIXES.refund}${sessionId}`, SK: 'ATTEMPT' }),
  /** The partition of owed order mail (one item per order and kind, while owed). */
  owedMailPartition: `${PREFIXES.owed}mail`,
  owedMail: (kind: string, paidAtIso: string, sessionId: string) => ({
    PK: `${PREFIXES.owed}mail`,
    SK: `${paidAtIso}#${sessionId}#${kind}`,
  }),
  stock: (sku: string) => ({ PK: PREFIXES.stock, SK: `SKU#${sku}` }),
  stockPartition: PREFIXES.stock,
  /** A live hold, sorted by when it ends (zero-padded epoch seconds). */
  hold: (until: number, holdId: string) => ({
    PK: PREFIXES.holds,
    SK: `${String(until).padStart(12, '0')}#${holdId}`,
  }),
  holdsPartition: PREFIXES.holds,
  /** The sort key below which every hold ended before `before`. */
  holdsEndingBefore: (before: number) => String(before).padStart(12, '0'),
  rateWindow: (scope: string, key: string, day: string) => ({
    PK: `${PREFIXES.limit}${scope}#${key}`,
    SK: `WINDOW#${day}`,
  }),
  /** A discount code (normalised): its definition and its `used`/`held`/`claimed` counts. */
  code: (code: string) => ({ PK: PREFIXES.codes, SK: `${CODE_SK}${code}` }),
  codesPartition: PREFIXES.codes,
  /** One email's uses of a code (`emailKey`: `codeEmailKey` of the address). */
  codeEmail: (code: string, emailKey: string) => ({ PK: `${PREFIXES.code}${code}`, SK: `EMAIL#${emailKey}` }),
} as const;

const CODE_SK = 'CODE#';

/** An item read back from the table does not have the shape its key says it has. */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
  readonly code = 'corrupt_item';
}

type Item = Record<string, unknown>;

function parseItem<const S extends v.GenericSchema>(schema: S, item: Item, what: string): v.InferOutput<S> {
  const parsed = v.safeParse(schema, item);
  if (parsed.success) return parsed.output;
  const where = `${String(item.PK)} / ${String(item.SK)}`;
  const problems = parsed.issues.map((issue) => `${v.getDotPath(issue) ?? '(item)'}: ${issue.message}`);
  throw new CorruptItemError(`${what} item ${where} is not readable: ${problems.join('; ')}`);
}

/** A JSON string attribute, parsed and checked against `schema`. */
function jsonOf<const S extends v.GenericSchema>(schema: S) {
  return v.pipe(
    v.string('must be a JSON string'),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return JSON.parse(dataset.value) as unknown;
      } catch {
        addIssue({ message: 'is not valid JSON' });
        return NEVER;
      }
    }),
    schema,
  );
}

const Int = v.pipe(v.number('must be a number'), v.integer('must be a whole number'));
const Text = v.string('must be a string');
const NullableText = v.optional(v.nullable(Text), null);
const STATUSES = ['open', 'awaiting_payment', 'complete', 'payment_failed', 'expired'] as const;
const Status = v.picklist(STATUSES, `must be one of ${STATUSES.join(', ')}`);
const DiscountModeSchema = v.picklist(['coupon', 'inline', 'none'], 'must be coupon, inline or none');

const SessionLineSchema = v.object({
  sku: Text,
  name: Text,
  quantity: Int,
  unitAmount: Int,
  total: Int,
});
const Lines = jsonOf(v.array(SessionLineSchema, 'must be a list of lines'));
const HoldLineSchema = v.object({
  sku: Text,
  quantity: Int,
  whenShort: v.picklist(['refuse', 'backorder'], 'must be refuse or backorder'),
});
const HoldCodeSchema = v.object({
  code: v.pipe(Text, v.regex(CODE_PATTERN, 'must be a normalised code')),
  emailKey: v.nullable(Text),
  limitPerEmail: v.nullable(Int),
});
const HoldRefSchema = v.object({
  holdId: Text,
  until: Int,
  lines: v.array(HoldLineSchema, 'must be a list of held lines'),
  // Absent: no code (holds from before discount codes claim none).
  code: v.optional(v.nullable(HoldCodeSchema)),
});
const Address = v.nullable(v.record(v.string(), v.nullable(v.string())));

// ── Session record: SESSION#<id> / METADATA ──────────────────────────────────────────────────────

const SessionItemSchema = v.object({
  sessionId: Text,
  slotId: v.optional(Text),
  quoteSignature: Text,
  cartHash: Text,
  catalogVersion: Text,
  status: Status,
  couponId: NullableText,
  discountMode: DiscountModeSchema,
  // Sessions and orders from before discount codes have neither.
  code: NullableText,
  codeDiscount: v.optional(Int, 0),
  currency: Text,
  amountSubtotal: Int,
  amountDiscount: Int,
  amountTotal: Int,
  lines: Lines,
  emailMasked: NullableText,
  checkoutUrl: Text,
  sessionExpiresAt: Int,
  createdAt: Int,
  hold: v.optional(v.nullable(jsonOf(HoldRefSchema)), null),
  stockShort: v.optional(v.array(Text)),
});

/** The item of a created session (its status and fulfilment marks are updated in place later). */
export function sessionItem(record: SessionRecord, now: number): Item {
  return {
    ...keys.session(record.sessionId),
    type: 'session',
    ...record,
    lines: JSON.stringify(record.lines),
    hold: record.hold ? JSON.stringify(record.hold) : null,
    updatedAt: now,
  };
}

/** Reads a `SESSION#<id>` item back into a {@link SessionRecord}. */
export function readSessionRecord(item: Item): SessionRecord {
  const parsed = parseItem(SessionItemSchema, item, 'session');
  return {
    ...parsed,
    // Sessions recorded before slots existed belong to their quote's slot.
    slotId: parsed.slotId ?? checkoutSlotId(undefined, parsed.quoteSignature),
    lines: parsed.lines satisfies SessionLine[],
  };
}

/**
 * Whether a `SESSION#<id>` item records every fulfilment step: paid, the notification sent or tried
 * (a failed try is owed by the retry, after the order was written), and its coupon released.
 */
export function isFulfilledSessionItem(item: Item): boolean {
  return (
    item.status === 'complete' &&
    (item.notifiedAt !== undefined || item.notifyFailedAt !== undefined) &&
    (typeof item.couponId !== 'string' || item.couponReleasedAt !== undefined) &&
    (typeof item.hold !== 'string' || item.stockSettledAt !== undefined)
  );
}

// ── Checkout slot: CHECKOUT#<slotId> / SLOT ──────────────────────────────────────────────────────

const SlotItemSchema = v.object({
  attempt: v.optional(Int, 0),
  sessionId: v.optional(Text),
  quoteSignature: v.optional(Text),
  emailDigest: v.optional(Text),
  status: v.optional(Status),
  checkoutUrl: v.optional(Text),
  sessionExpiresAt: v.optional(Int),
  leaseToken: v.optional(Text),
  leaseUntil: v.optional(Int),
  heldUnits: v.optional(jsonOf(v.array(v.object({ sku: Text, quantity: Int }), 'must be a list of units'))),
  heldCode: v.optional(v.pipe(Text, v.regex(CODE_PATTERN, 'must be a normalised code'))),
});

/** Reads a `CHECKOUT#<slotId>` item back into a {@link CheckoutSlot}. */
export function readCheckoutSlot(slotId: string, item: Item): CheckoutSlot {
  const slot = parseItem(SlotItemSchema, item, 'checkout slot');
  let current: SlotSession | null = null;
  if (slot.sessionId !== undefined) {
    const { quoteSignature, emailDigest, status, checkoutUrl, sessionExpiresAt, heldUnits, heldCode } = slot;
    if (
      quoteSignature === undefined ||
      emailDigest === undefined ||
      status === undefined ||
      checkoutUrl === undefined ||
      sessionExpiresAt === undefined
    ) {
      throw new CorruptItemError(
        `checkout slot ${slotId} names session ${slot.sessionId} without its details`,
      );
    }
    current = {
      sessionId: slot.sessionId,
      quoteSignature,
      emailDigest,
      status,
      checkoutUrl,
      sessionExpiresAt,
      ...(heldUnits ? { heldUnits } : {}),
      ...(heldCode ? { heldCode } : {}),
    };
  }
  return {
    slotId,
    attempt: slot.attempt,
    current,
    lease: slot.leaseToken !== undefined ? { token: slot.leaseToken, until: slot.leaseUntil ?? 0 } : null,
  };
}

// ── Coupon ownership: COUPON#<couponId> / SESSION#<sessionId> ────────────────────────────────────

/** Which session a one-time coupon belongs to (a backstop TTL after its redemption window). */
export function couponOwnerItem(record: SessionRecord, expiresAt: number): Item {
  return {
    ...keys.couponOwner(record.couponId ?? '', record.sessionId),
    type: 'coupon-owner',
    quoteSignature: record.quoteSignature,
    expiresAt,
  };
}

// ── Stock: STOCK / SKU#<sku> ─────────────────────────────────────────────────────────────────────

const StockItemSchema = v.object({
  sku: Text,
  onHand: Int,
  held: Int,
  available: Int,
  sold: v.optional(Int, 0),
});

/** A new SKU's stock item: nothing on hand, nothing held. */
export function emptyStockItem(sku: string, now: number): Item {
  return {
    ...keys.stock(sku),
    type: 'stock',
    sku,
    onHand: 0,
    held: 0,
    available: 0,
    sold: 0,
    updatedAt: now,
  };
}

/** Reads a `STOCK` item back into a {@link StockLevel}. */
export function readStockLevel(item: Item): StockLevel {
  const { sku, onHand, held, available, sold } = parseItem(StockItemSchema, item, 'stock');
  return { sku, onHand, held, available, sold };
}

// ── Stock hold: HOLDS / <until>#<holdId> ─────────────────────────────────────────────────────────

const HoldItemSchema = v.object({
  holdId: Text,
  until: Int,
  lines: jsonOf(v.array(HoldLineSchema, 'must be a list of held lines')),
  code: v.optional(jsonOf(HoldCodeSchema)),
  sessionId: v.optional(Text),
});

/** The item of a live hold; it is deleted when the hold is released or sold (its end is the marker). */
export function holdItem(hold: HoldRequest): Item {
  return {
    ...keys.hold(hold.until, hold.holdId),
    type: 'hold',
    holdId: hold.holdId,
    until: hold.until,
    slotId: hold.slotId,
    lines: JSON.stringify(hold.lines),
    ...(hold.code ? { code: JSON.stringify(hold.code) } : {}),
    createdAt: hold.now,
  };
}

/** Reads a `HOLDS` item back into a {@link LiveHold}. */
export function readLiveHold(item: Item): LiveHold {
  const parsed = parseItem(HoldItemSchema, item, 'stock hold');
  return {
    holdId: parsed.holdId,
    until: parsed.until,
    lines: parsed.lines,
    ...(parsed.code ? { code: parsed.code } : {}),
    sessionId: parsed.sessionId ?? null,
  };
}

// ── Paid order: ORDERS#<yyyy-mm-dd> / <paidAt>#<sessionId> ───────────────────────────────────────

const OrderItemSchema = v.object({
  sessionId: Text,
  paidAt: Text,
  paymentStatus: Text,
  currency: Text,
  amountSubtotal: Int,
  amountDiscount: Int,
  amountShipping: Int,
  amountTax: Int,
  amountTotal: Int,
  lines: Lines,
  customerEmail: NullableText,
  customerName: NullableText,
  shippingAddress: v.optional(v.nullable(jsonOf(Address)), null),
  discountMode: DiscountModeSchema,
  code: NullableText,
  codeDiscount: v.optional(Int, 0),
  problems: v.optional(v.array(v.picklist(['amount_mismatch', 'short_stock'], 'is not a known problem')), []),
  shortSkus: v.optional(v.array(Text)),
  paymentIntentId: NullableText,
});

/** The item of a paid order (its `notifiedAt` is set later). */
export function orderItem(order: OrderRecord): Item {
  return {
    ...keys.order(order.paidAt, order.sessionId),
    type: 'order',
    ...order,
    lines: JSON.stringify(order.lines),
    shippingAddress: order.shippingAddress ? JSON.stringify(order.shippingAddress) : null,
  };
}

/** Reads an `ORDERS#<day>` item back into an {@link OrderRecord}. */
export function readOrderRecord(item: Item): OrderRecord {
  return parseItem(OrderItemSchema, item, 'order');
}

// ── Cached pricing: CART#<cartHash> / QUOTE#<issuedAt> ───────────────────────────────────────────

const CachedQuoteSchema = v.object({
  catalogVersion: Text,
  items: jsonOf(v.array(v.object({ sku: Text, quantity: Int }), 'must be a list of cart items')),
  // The priced cart is written and read whole by this module; its top-level amounts are checked.
  pricedCart: jsonOf(
    v.looseObject({ currency: Text, catalogVersion: Text, subtotal: Int, discount: Int, total: Int }),
  ),
  issuedAt: Int,
  expiresAt: Int,
});

/** The item of a cart's cached pricing (never a shopper's signature). */
export function cachedQuoteItem(quote: CachedPricing): Item {
  return {
    ...keys.cartQuote(quote.cartHash, quote.issuedAt),
    type: 'quote',
    catalogVersion: quote.pricedCart.catalogVersion,
    items: JSON.stringify(quote.items),
    pricedCart: JSON.stringify(quote.pricedCart),
    issuedAt: quote.issuedAt,
    expiresAt: quote.expiresAt,
  };
}

/** Reads a `CART#<hash>` / `QUOTE#…` item back into the cached pricing it holds. */
export function readCachedPricing(cartHash: string, item: Item): CachedPricing & { catalogVersion: string } {
  const parsed = parseItem(CachedQuoteSchema, item, 'cached quote');
  return {
    cartHash,
    catalogVersion: parsed.catalogVersion,
    items: parsed.items,
    // Written by cachedQuoteItem from a PricedCart, and its amounts checked above.
    pricedCart: parsed.pricedCart as unknown as PricedCart,
    issuedAt: parsed.issuedAt,
    expiresAt: parsed.expiresAt,
  };
}

// ── Discount code: CODES / CODE#<code> ───────────────────────────────────────────────────────────

const OptionalInt = v.optional(v.nullable(Int), null);
const CodeItemSchema = v.object({
  code: v.pipe(Text, v.regex(CODE_PATTERN, 'must be a normalised code')),
  discountKind: v.picklist(['percent', 'amount_off'], 'must be percent or amount_off'),
  percentOff: OptionalInt,
  amountOff: OptionalInt,
  currency: v.optional(v.picklist(SUPPORTED_CURRENCIES, 'must be a supported currency')),
  scopeKind: v.picklist(['all', 'collections', 'skus'], 'must be all, collections or skus'),
  collections: v.optional(v.array(Text)),
  skus: v.optional(v.array(Text)),
  combination: v.picklist(['with_bundles', 'best_of'], 'must be with_bundles or best_of'),
  minSubtotal: OptionalInt,
  startsAt: OptionalInt,
  endsAt: OptionalInt,
  // `limit` is a reserved word in DynamoDB's expressions; the item calls it `useLimit`.
  useLimit: OptionalInt,
  limitPerEmail: OptionalInt,
  enabled: v.boolean('must be true or false'),
  used: Int,
  held: Int,
  claimed: Int,
  createdAt: Int,
});

/**
 * The item of a new code, with no use yet. `claimed` (= used + held) is what the holds' conditions
 * compare with `useLimit`: DynamoDB's conditions cannot add two attributes.
 */
export function codeItem(code: DiscountCode, createdAt: number): Item {
  const { discount, scope } = code;
  return {
    ...keys.code(code.code),
    type: 'code',
    code: code.code,
    discountKind: discount.kind,
    ...(discount.kind === 'percent'
      ? { percentOff: discount.percentOff }
      : { amountOff: discount.amountOff, currency: discount.currency }),
    scopeKind: scope.kind,
    ...(scope.kind === 'collections' ? { collections: [...scope.collections] } : {}),
    ...(scope.kind === 'skus' ? { skus: [...scope.skus] } : {}),
    combination: code.combination,
    // Absent rather than null when unset: the holds' conditions ask `attribute_not_exists`.
    ...present({
      minSubtotal: code.minSubtotal,
      startsAt: code.startsAt,
      endsAt: code.endsAt,
      useLimit: code.limit,
      limitPerEmail: code.limitPerEmail,
    }),
    enabled: code.enabled,
    used: 0,
    held: 0,
    claimed: 0,
    createdAt,
  };
}

function present(values: Record<string, number | null>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== null),
  );
}

/** Reads a `CODES` / `CODE#<code>` item back into a {@link StoredCode}. */
export function readStoredCode(item: Item): StoredCode {
  const parsed = parseItem(CodeItemSchema, item, 'discount code');
  const corrupt = (problem: string) =>
    new CorruptItemError(`discount code item ${String(item.PK)} / ${String(item.SK)} ${problem}`);
  let discount: CodeDiscount;
  if (parsed.discountKind === 'percent') {
    if (parsed.percentOff === null) throw corrupt('is a percentage without percentOff');
    discount = { kind: 'percent', percentOff: parsed.percentOff };
  } else {
    if (parsed.amountOff === null || !parsed.currency)
      throw corrupt('is an amount off without amountOff and currency');
    discount = { kind: 'amount_off', amountOff: parsed.amountOff, currency: parsed.currency };
  }
  let scope: CodeScope;
  if (parsed.scopeKind === 'collections') {
    if (!parsed.collections) throw corrupt('covers collections without naming them');
    scope = { kind: 'collections', collections: parsed.collections };
  } else if (parsed.scopeKind === 'skus') {
    if (!parsed.skus) throw corrupt('covers SKUs without naming them');
    scope = { kind: 'skus', skus: parsed.skus };
  } else {
    scope = { kind: 'all' };
  }
  if (parsed.claimed !== parsed.used + parsed.held) throw corrupt('has claimed ≠ used + held');
  return {
    code: parsed.code,
    discount,
    scope,
    combination: parsed.combination,
    minSubtotal: parsed.minSubtotal,
    startsAt: parsed.startsAt,
    endsAt: parsed.endsAt,
    limit: parsed.useLimit,
    limitPerEmail: parsed.limitPerEmail,
    enabled: parsed.enabled,
    used: parsed.used,
    held: parsed.held,
    createdAt: parsed.createdAt,
  };
}

// ── Order life: payment, shipment and mail marks on the order item ───────────────────────────────

const RefundFactSchema = v.object({
  kind: v.literal('refund'),
  refundId: Text,
  amount: Int,
  currency: Text,
  status: Text,
  created: Int,
  at: Int,
});
const DisputeFactSchema = v.object({
  kind: v.literal('dispute'),
  disputeId: Text,
  amount: Int,
  currency: Text,
  status: Text,
  reason: v.nullable(Text),
  evidenceDueBy: v.nullable(Int),
  at: Int,
});
const ChargeFactSchema = v.object({
  kind: v.literal('charge'),
  chargeId: Text,
  amount: Int,
  amountRefunded: Int,
  currency: Text,
  at: Int,
});
const PaymentFactsSchema = v.object({
  charge: v.nullable(ChargeFactSchema),
  refunds: v.record(v.string(), RefundFactSchema),
  disputes: v.record(v.string(), DisputeFactSchema),
  lastEventId: v.nullable(Text),
});

const PaymentItemSchema = v.object({
  paymentIntentId: Text,
  facts: v.optional(jsonOf(PaymentFactsSchema), JSON.stringify(NO_FACTS)),
  version: v.optional(Int, 0),
  sessionId: v.optional(Text),
  orderPaidAt: v.optional(Text),
});

/** Reads a `PAYMENT#<paymentIntentId>` item back into a {@link PaymentRecord}. */
export function readPaymentRecord(item: Item): PaymentRecord {
  const parsed = parseItem(PaymentItemSchema, item, 'payment');
  return {
    paymentIntentId: parsed.paymentIntentId,
    facts: parsed.facts,
    version: parsed.version,
    order:
      parsed.sessionId !== undefined && parsed.orderPaidAt !== undefined
        ? { sessionId: parsed.sessionId, paidAt: parsed.orderPaidAt }
        : null,
  };
}

/** The facts attribute of a payment item. */
export function paymentFactsAttribute(facts: PaymentFacts): string {
  return JSON.stringify(facts);
}

const PaymentStateSchema = v.picklist(PAYMENT_STATES, `must be one of ${PAYMENT_STATES.join(', ')}`);
const OrderPaymentSchema = v.object({
  state: PaymentStateSchema,
  amountRefunded: Int,
  refunds: v.array(v.object({ id: Text, amount: Int, status: Text })),
  dispute: v.nullable(
    v.object({
      id: Text,
      status: Text,
      amount: Int,
      reason: v.nullable(Text),
      evidenceDueBy: v.nullable(Int),
    }),
  ),
  version: Int,
  updatedAt: Int,
});
const HistorySchema = v.array(
  v.object({
    seq: Int,
    state: PaymentStateSchema,
    amountRefunded: Int,
    at: Int,
    eventId: v.nullable(Text),
    recordedAt: Int,
    alert: v.boolean(),
  }),
);
const OrderLifeSchema = v.object({
  payment: v.optional(jsonOf(OrderPaymentSchema)),
  paymentHistory: v.optional(jsonOf(HistorySchema), '[]'),
  shipVersion: v.optional(Int),
  shippedAt: v.optional(Int),
  carrier: v.optional(v.nullable(Text), null),
  tracking: v.optional(v.nullable(Text), null),
  alertedSeq: v.optional(Int, 0),
  shipMailed: v.optional(Int, 0),
});

/** Reads an `ORDERS#<day>` item back with its payment, shipment and mail marks. */
export function readOrderLife(item: Item): OrderLife {
  const order = readOrderRecord(item);
  const life = parseItem(OrderLifeSchema, item, 'order');
  return {
    order,
    payment: life.payment ?? null,
    history: life.paymentHistory,
    shipment:
      life.shipVersion !== undefined && life.shippedAt !== undefined
        ? {
            carrier: life.carrier,
            tracking: life.tracking,
            shippedAt: life.shippedAt,
            version: life.shipVersion,
          }
        : null,
    alertedSeq: life.alertedSeq,
    shipMailedVersion: life.shipMailed,
  };
}

/** The order item's attributes for a derived payment (JSON, plus the state on its own for filters). */
export function orderPaymentAttributes(payment: OrderPayment): Record<string, unknown> {
  return { payment: JSON.stringify(payment), paymentState: payment.state, paymentVersion: payment.version };
}

/** The order item's history attribute. */
export function paymentHistoryAttribute(history: readonly PaymentHistoryEntry[]): string {
  return JSON.stringify(history);
}

// ── Operator refunds: one attempt item per order (decision 193) ─────────────────────────────────

const RefundAttemptSchema = v.object({
  sessionId: Text,
  seq: Int,
  attemptId: Text,
  idempotencyKey: Text,
  paymentIntentId: Text,
  amount: Int,
  asked: v.nullable(Int),
  reason: v.nullable(v.picklist(REFUND_REASONS, `must be one of ${REFUND_REASONS.join(', ')}`)),
  state: v.picklist(['pending', 'made', 'refused'], 'must be pending, made or refused'),
  startedAt: Int,
  leaseUntil: Int,
  tries: Int,
  refundId: v.optional(v.nullable(Text), null),
  endedAt: v.optional(v.nullable(Int), null),
});

/** A new pending attempt's item (kept as long as a payment's facts). */
export function refundAttemptItem(attempt: RefundAttempt, expiresAt: number): Item {
  return {
    ...keys.refundAttempt(attempt.sessionId),
    type: 'refund-attempt',
    ...attempt,
    expiresAt,
  };
}

/** Reads a `REFUND#<sessionId>` / `ATTEMPT` item back into a {@link RefundAttempt}. */
export function readRefundAttempt(item: Item): RefundAttempt {
  return parseItem(RefundAttemptSchema, item, 'refund attempt');
}
