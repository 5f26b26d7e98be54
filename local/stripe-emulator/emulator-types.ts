/**
 * The emulator's public surface: the options of `startStripeEmulator`, the running
 * {@link StripeEmulator} tests and the local stack hold, and the plain-data snapshot of everything
 * it did (`state()`, also served at `GET /_emulator/state`).
 */

import type { PaymentIntentRecord } from './charges';
import type { AsyncPaymentState } from './checkout-sessions';
import type { OpenDisputeOptions } from './disputes';
import type { FaultSpec, FaultState } from './faults';
import type { RandomSource } from './ids';
import type {
  ChargeObject,
  CouponObject,
  DisputeObject,
  EventType,
  LineItemObject,
  RefundObject,
  SessionObject,
} from './objects';
import type { SeedPrice, SeedProduct } from './prices';
import type { PaymentIntentDataParams } from './schemas';
import type { CompleteSessionOptions } from './session-lifecycle';
import type { DeliveryOptions, EventRecord } from './webhooks';

export interface StripeEmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`: the emulator is never reachable from outside). */
  host?: string;
  /** Base of the hosted page URLs when clients reach the emulator through another address. */
  publicUrl?: string;
  /** The one secret key accepted; by default any test key (`sk_test_…` / `rk_test_…`). */
  apiKey?: string;
  /** Where events are delivered; without one they are only recorded. */
  webhookUrl?: string | null;
  /** The endpoint's signing secret (`whsec_…`), used for `Stripe-Signature`. */
  webhookSecret: string;
  /** Prices that exist from the start, for `line_items[][price]` and `GET /v1/prices/:id`. */
  prices?: readonly SeedPrice[];
  /**
   * Products with their prices (images, metadata, nicknames, archived ones), for
   * `GET /v1/products` and `GET /v1/prices` as a shop's Stripe catalog answers them.
   */
  products?: readonly SeedProduct[];
  /** The clock, in epoch milliseconds like `Date.now` (Stripe timestamps are derived in seconds). */
  now?: () => number;
  /** Random bytes for ids; pass `createSeededRandom(n)` for repeatable ids. */
  random?: RandomSource;
  delivery?: DeliveryOptions;
  /** Expire due sessions on this interval (ms); off by default — tests call `expireDueSessions()`. */
  expireIntervalMs?: number;
  /** One line per request, delivery and life-cycle change; never keys, secrets or emails. */
  log?: (line: string) => void;
  /**
   * Keep the state in this JSON file: loaded at start, written (atomically, debounced) after
   * changes and at `close()`, so a restart answers as before. In memory only without it.
   * A corrupt file is moved aside and the emulator starts empty; a file of another format
   * version makes the start fail rather than overwrite it. See docs/stripe-emulator.md.
   */
  stateFile?: string;
}

/** One API request as the emulator saw it. */
export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  /** Method and route pattern, e.g. `POST /v1/checkout/sessions/:id/expire`. */
  route: string;
  /** `null` when the connection was dropped on purpose. */
  statusCode: number | null;
  requestId: string;
  idempotencyKey: string | null;
  replayed: boolean;
  faultId: string | null;
}

export interface SessionSnapshot {
  session: SessionObject;
  lineItems: LineItemObject[];
  paymentIntentData: PaymentIntentDataParams | null;
  couponId: string | null;
  asyncPayment: AsyncPaymentState;
}

export interface CouponSnapshot {
  coupon: CouponObject;
  deleted: boolean;
  deletedAt: number | null;
}

/** Everything the emulator holds, as plain data (also served at `GET /_emulator/state`). */
export interface EmulatorSnapshot {
  url: string;
  webhookUrl: string | null;
  sessions: SessionSnapshot[];
  /** Every coupon ever created, deleted ones included, in creation order. */
  coupons: CouponSnapshot[];
  events: EventRecord[];
  /** PaymentIntents of paid (or paying) sessions, their charges, refunds and disputes. */
  paymentIntents: PaymentIntentRecord[];
  charges: ChargeObject[];
  refunds: RefundObject[];
  disputes: DisputeObject[];
  requests: RequestLogEntry[];
  /** Requests per route, e.g. `{ 'POST /v1/checkout/sessions': 2 }`. */
  requestCounts: Record<string, number>;
  faults: FaultState[];
}

/** A running emulator. See docs/stripe-emulator.md. */
export interface StripeEmulator {
  /** Base URL, e.g. `http://127.0.0.1:12111`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Options for `new Stripe(key, { ...emulator.sdkOptions(), maxNetworkRetries: 0 })`. */
  sdkOptions(): { host: string; port: number; protocol: 'http' };
  readonly faults: {
    add(spec: FaultSpec): FaultState;
    clear(): void;
    list(): FaultState[];
  };
  state(): EmulatorSnapshot;
  session(id: string): SessionObject | undefined;
  coupon(id: string): CouponObject | undefined;
  events(type?: EventType): EventRecord[];
  charge(id: string): ChargeObject | undefined;
  /** The successful charge of a paid session's PaymentIntent. */
  chargeOfPaymentIntent(paymentIntentId: string): ChargeObject | undefined;
  refund(id: string): RefundObject | undefined;
  dispute(id: string): DisputeObject | undefined;
  /** How many requests hit a route, e.g. `requestCount('POST /v1/coupons')`. */
  requestCount(route: string): number;
  /** Pays a session as the customer would on the hosted page. */
  completeSession(id: string, options?: CompleteSessionOptions): SessionObject;
  settleAsyncPayment(id: string, succeeded: boolean): SessionObject;
  expireSession(id: string): SessionObject;
  expireDueSessions(): string[];
  /** A succeeded refund fails (`refund.updated`, `refund.failed`); its money returns to the charge. */
  failRefund(id: string): RefundObject;
  /** The cardholder disputes the PaymentIntent's charge (`charge.dispute.created`). */
  openDispute(paymentIntentId: string, options?: OpenDisputeOptions): DisputeObject;
  /** Evidence submitted: `charge.dispute.updated`. */
  updateDispute(id: string, status: 'under_review' | 'warning_under_review'): DisputeObject;
  /** The bank decided: `charge.dispute.closed`. */
  closeDispute(id: string, status: 'won' | 'lost' | 'warning_closed'): DisputeObject;
  setWebhookUrl(url: string | null): void;
  /** Delivers an event once more (Stripe's delivery is at least once). */
  resendEvent(eventId: string): void;
  /** Resolves once every delivery, retries included, has finished. */
  waitForDeliveries(): Promise<void>;
  /** Forgets sessions, coupons, events, idempotency keys, the request log and faults (not seeded prices or products). */
  reset(): void;
  close(): Promise<void>;
}
