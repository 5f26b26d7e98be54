/**
 * `startStripeEmulator` and the running emulator: wires the account's resources, the API
 * pipeline, webhook delivery, idempotency, faults and the optional state file to one clock and
 * one id generator, listens, and implements the {@link StripeEmulator} test methods (which the
 * control API and the pay page call too, so every path logs, saves and behaves alike).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { ApiHandler } from './api-handler';
import type { RequestInfo } from './api-route';
import { EmulatorCore } from './core';
import type { OpenDisputeOptions } from './disputes';
import type { EmulatorSnapshot, StripeEmulator, StripeEmulatorOptions } from './emulator-types';
import { EmulatorError } from './errors';
import { FaultRegistry } from './faults';
import { IdempotencyStore } from './idempotency';
import { type CountingRandom, createCountingRandom, createIdGenerator } from './ids';
import {
  type ChargeObject,
  type CouponObject,
  type DisputeObject,
  type EventObject,
  type EventPayload,
  type EventType,
  type RefundObject,
  type SessionObject,
  snapshot,
} from './objects';
import { captureState, restoreState, type StateDocument, type StateStores } from './persisted-state';
import { createRouter } from './router';
import type { CompleteSessionOptions } from './session-lifecycle';
import { readStateFile, StateSaver } from './state-file';
import { type EventRecord, WebhookDispatcher } from './webhooks';

/** Changes within this long are written to the state file together. */
const SAVE_DELAY_MS = 100;

/**
 * Starts the emulator and resolves once it listens (with `stateFile`, once the saved state is
 * back; rejects with a `StateFileError` for a file it must not overwrite). Point the official SDK at it with
 * `new Stripe(key, { host, port, protocol: 'http' })` (see {@link StripeEmulator.sdkOptions}).
 */
export async function startStripeEmulator(options: StripeEmulatorOptions): Promise<StripeEmulator> {
  const emulator = new EmulatorServer(options);
  await emulator.listen();
  return emulator;
}

class EmulatorServer implements StripeEmulator {
  readonly host: string;
  port = 0;
  readonly faults: FaultRegistry = new FaultRegistry();
  private readonly now: () => number;
  private readonly random: CountingRandom;
  private readonly newId: ReturnType<typeof createIdGenerator>;
  private readonly core: EmulatorCore;
  private readonly dispatcher: WebhookDispatcher;
  private readonly idempotency: IdempotencyStore;
  private readonly api: ApiHandler;
  private readonly server: http.Server;
  private readonly log: (line: string) => void;
  private readonly stores: StateStores;
  private readonly saver: StateSaver | null = null;
  /** The state read from the file, put back once the port (and so the page URL) is known. */
  private loaded: StateDocument | null = null;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly options: StripeEmulatorOptions) {
    if (!options.webhookSecret) throw new Error('startStripeEmulator: webhookSecret is required (whsec_…).');
    this.host = options.host ?? '127.0.0.1';
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.random = createCountingRandom(options.random);
    this.newId = createIdGenerator(this.random.random);
    this.idempotency = new IdempotencyStore(this.now);
    this.dispatcher = new WebhookDispatcher({
      ...options.delivery,
      secret: options.webhookSecret,
      url: options.webhookUrl ?? null,
      now: this.now,
      log: this.log,
      changed: () => this.changed(),
    });
    this.core = new EmulatorCore({
      now: this.now,
      newId: this.newId,
      payUrl: (id) => `${this.publicBase()}/pay/${id}`,
      prices: options.prices ?? [],
      products: options.products ?? [],
      emit: (type, object, request) => this.emit(type, object, request),
    });
    this.api = new ApiHandler({
      now: this.now,
      newId: this.newId,
      resources: this.core,
      faults: this.faults,
      idempotency: this.idempotency,
      apiKey: options.apiKey,
      log: this.log,
    });
    this.server = http.createServer(
      createRouter({
        api: this.api,
        emulator: this,
        payPage: {
          findSession: (id) => this.core.checkoutSessions.find(id),
          completeSession: (id, completeOptions) => this.completeSession(id, completeOptions),
          settleAsyncPayment: (id, succeeded) => this.settleAsyncPayment(id, succeeded),
        },
        sessions: () => [...this.core.checkoutSessions.records.values()],
        changed: () => this.changed(),
        log: this.log,
      }),
    );
    this.stores = {
      coupons: this.core.coupons,
      prices: this.core.prices,
      shippingRates: this.core.shippingRates,
      checkoutSessions: this.core.checkoutSessions,
      account: this.core.account,
      charges: this.core.charges,
      refunds: this.core.refunds,
      disputes: this.core.disputes,
      dispatcher: this.dispatcher,
      idempotency: this.idempotency,
    };
    const stateFile = options.stateFile;
    if (stateFile) {
      // Read before listening: a file that must not be overwritten stops the start here.
      this.loaded = readStateFile(stateFile, this.now(), this.log);
      this.saver = new StateSaver({
        path: stateFile,
        capture: () => captureState(this.stores, this.now(), this.random.drawn),
        delayMs: SAVE_DELAY_MS,
        log: this.log,
      });
    }
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  private publicBase(): string {
    return (this.options.publicUrl ?? this.url).replace(/\/$/, '');
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        this.restoreLoadedState();
        if (this.options.expireIntervalMs) {
          this.sweeper = setInterval(() => this.expireDueSessions(), this.options.expireIntervalMs);
          this.sweeper.unref();
        }
        resolve();
      });
    });
  }

  private restoreLoadedState(): void {
    const document = this.loaded;
    if (!document) return;
    this.loaded = null;
    restoreState(this.stores, document, {
      nowSeconds: this.core.nowSeconds(),
      payUrl: (id) => `${this.publicBase()}/pay/${id}`,
    });
    this.random.advanceTo(document.randomBytesDrawn);
    // Loading settles some things (deliveries given up for want of an endpoint): write them down.
    this.changed();
    this.log(
      `state: loaded ${this.options.stateFile} (${document.sessions.length} sessions, ${document.coupons.length} coupons, ${document.events.length} events)`,
    );
  }

  sdkOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: this.host, port: this.port, protocol: 'http' };
  }

  // ---------------------------------------------------------------- inspection

  state(): EmulatorSnapshot {
    return {
      url: this.url,
      webhookUrl: this.dispatcher.webhookUrl,
      sessions: [...this.core.checkoutSessions.records.values()].map((record) => ({
        session: snapshot(record.session),
        lineItems: snapshot(record.lineItems),
        paymentIntentData: snapshot(record.paymentIntentData),
        couponId: record.coupon?.coupon.id ?? null,
        asyncPayment: record.asyncPayment,
      })),
      coupons: this.core.coupons.history.map((record) => ({
        coupon: this.core.coupons.view(record),
        deleted: record.deleted,
        deletedAt: record.deletedAt,
      })),
      events: snapshot(this.dispatcher.events),
      paymentIntents: snapshot([...this.core.charges.paymentIntents.values()]),
      charges: snapshot([...this.core.charges.charges.values()]),
      refunds: snapshot([...this.core.refunds.refunds.values()]),
      disputes: snapshot([...this.core.disputes.disputes.values()]),
      requests: snapshot(this.api.requests),
      requestCounts: this.requestCounts(),
      faults: this.faults.list(),
    };
  }

  private requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.api.requests) counts[entry.route] = (counts[entry.route] ?? 0) + 1;
    return counts;
  }

  session(id: string): SessionObject | undefined {
    const record = this.core.checkoutSessions.find(id);
    return record ? snapshot(record.session) : undefined;
  }

  coupon(id: string): CouponObject | undefined {
    const record = this.core.coupons.find(id);
    return record ? this.core.coupons.view(record) : undefined;
  }

  events(type?: EventType): EventRecord[] {
    return snapshot(
      this.dispatcher.events.filter((record) => type === undefined || record.event.type === type),
    );
  }

  charge(id: string): ChargeObject | undefined {
    const charge = this.core.charges.charges.get(id);
    return charge ? snapshot(charge) : undefined;
  }

  chargeOfPaymentIntent(paymentIntentId: string): ChargeObject | undefined {
    const charge = this.core.charges.chargeOf(paymentIntentId);
    return charge ? snapshot(charge) : undefined;
  }

  refund(id: string): RefundObject | undefined {
    const refund = this.core.refunds.refunds.get(id);
    return refund ? snapshot(refund) : undefined;
  }

  dispute(id: string): DisputeObject | undefined {
    const dispute = this.core.disputes.disputes.get(id);
    return dispute ? snapshot(dispute) : undefined;
  }

  requestCount(routeName: string): number {
    return this.api.requests.filter((entry) => entry.route === routeName).length;
  }

  // ---------------------------------------------------------------- control

  completeSession(id: string, options: CompleteSessionOptions = {}): SessionObject {
    const session = this.core.sessionLifecycle.complete(id, options);
    this.changed();
    this.log(`session ${id} completed (${session.payment_status})`);
    return session;
  }

  settleAsyncPayment(id: string, succeeded: boolean): SessionObject {
    const session = this.core.sessionLifecycle.settle(id, succeeded);
    this.changed();
    this.log(`session ${id} async payment ${succeeded ? 'succeeded' : 'failed'}`);
    return session;
  }

  expireSession(id: string): SessionObject {
    const session = this.core.sessionLifecycle.expireOne(id);
    this.changed();
    this.log(`session ${id} expired`);
    return session;
  }

  expireDueSessions(): string[] {
    const ids = this.core.sessionLifecycle.expireDue();
    if (ids.length > 0) this.changed();
    for (const id of ids) this.log(`session ${id} expired (expires_at passed)`);
    return ids;
  }

  failRefund(id: string): RefundObject {
    const refund = this.core.refunds.fail(id);
    this.changed();
    this.log(`refund ${id} failed`);
    return refund;
  }

  openDispute(paymentIntentId: string, options: OpenDisputeOptions = {}): DisputeObject {
    const dispute = this.core.disputes.open(paymentIntentId, options);
    this.changed();
    this.log(`dispute ${dispute.id} opened on ${paymentIntentId} (${dispute.status})`);
    return dispute;
  }

  updateDispute(id: string, status: 'under_review' | 'warning_under_review'): DisputeObject {
    const dispute = this.core.disputes.update(id, status);
    this.changed();
    this.log(`dispute ${id} ${status}`);
    return dispute;
  }

  closeDispute(id: string, status: 'won' | 'lost' | 'warning_closed'): DisputeObject {
    const dispute = this.core.disputes.close(id, status);
    this.changed();
    this.log(`dispute ${id} closed (${status})`);
    return dispute;
  }

  setWebhookUrl(url: string | null): void {
    this.dispatcher.setUrl(url);
  }

  resendEvent(eventId: string): void {
    const record = this.dispatcher.events.find((r) => r.event.id === eventId);
    if (!record) throw new EmulatorError('event_not_found', `No event ${eventId}.`, 404);
    this.dispatcher.resend(record);
  }

  waitForDeliveries(): Promise<void> {
    return this.dispatcher.waitForIdle();
  }

  reset(): void {
    this.core.reset();
    this.dispatcher.clear();
    this.idempotency.clear();
    this.faults.clear();
    this.api.requests.length = 0;
    this.changed();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.dispatcher.close();
    this.api.cancelDelays();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.saver?.close();
  }

  /** Notes that the state changed, for the state file (nothing without one). */
  private changed(): void {
    this.saver?.schedule();
  }

  private emit(type: EventType, object: EventPayload, request: RequestInfo): void {
    const event: EventObject = {
      id: this.newId('event'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: this.core.nowSeconds(),
      data: { object },
      livemode: false,
      pending_webhooks: this.dispatcher.hasEndpoint() ? 1 : 0,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    };
    this.dispatcher.publish(event);
    this.log(`event ${type} ${event.id} for ${object.id}`);
  }
}
