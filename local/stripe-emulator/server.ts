import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { readBody } from '../listen';
import {
  type AsyncPaymentState,
  type CompleteSessionOptions,
  EmulatorCore,
  type RequestInfo,
  type SeedPrice,
} from './core';
import { EmulatorError, StripeApiError, stripeErrorBody } from './errors';
import { FaultRegistry, type FaultSpec, type FaultState, faultErrorBody } from './faults';
import { type FormObject, fingerprintParams, parseFormParams } from './form';
import { IdempotencyStore } from './idempotency';
import { createIdGenerator, type RandomSource } from './ids';
import {
  type CouponObject,
  type EventObject,
  type LineItemObject,
  type SessionEventType,
  type SessionObject,
  snapshot,
} from './objects';
import { renderIndexPage, renderMessagePage, renderPayPage } from './pay-page';
import type { PaymentIntentDataParams } from './schemas';
import { type DeliveryOptions, type EventRecord, WebhookDispatcher } from './webhooks';

const MAX_BODY_BYTES = 1024 * 1024;

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
  /** The clock, in epoch milliseconds like `Date.now` (Stripe timestamps are derived in seconds). */
  now?: () => number;
  /** Random bytes for ids; pass `createSeededRandom(n)` for repeatable ids. */
  random?: RandomSource;
  delivery?: DeliveryOptions;
  /** Expire due sessions on this interval (ms); off by default — tests call `expireDueSessions()`. */
  expireIntervalMs?: number;
  /** One line per request, delivery and life-cycle change; never keys, secrets or emails. */
  log?: (line: string) => void;
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
  events(type?: SessionEventType): EventRecord[];
  /** How many requests hit a route, e.g. `requestCount('POST /v1/coupons')`. */
  requestCount(route: string): number;
  /** Pays a session as the customer would on the hosted page. */
  completeSession(id: string, options?: CompleteSessionOptions): SessionObject;
  settleAsyncPayment(id: string, succeeded: boolean): SessionObject;
  expireSession(id: string): SessionObject;
  expireDueSessions(): string[];
  setWebhookUrl(url: string | null): void;
  /** Delivers an event once more (Stripe's delivery is at least once). */
  resendEvent(eventId: string): void;
  /** Resolves once every delivery, retries included, has finished. */
  waitForDeliveries(): Promise<void>;
  /** Forgets sessions, coupons, events, idempotency keys, the request log and faults (not seeded prices). */
  reset(): void;
  close(): Promise<void>;
}

interface ApiContext {
  params: FormObject;
  id: string;
  request: RequestInfo;
}

interface ApiRoute {
  method: string;
  pattern: string;
  regex: RegExp;
  run(core: EmulatorCore, context: ApiContext): unknown;
}

function route(method: string, pattern: string, run: ApiRoute['run']): ApiRoute {
  const regex = new RegExp(`^${pattern.replace(':id', '([^/]+)')}$`);
  return { method, pattern, regex, run };
}

const API_ROUTES: readonly ApiRoute[] = [
  route('POST', '/v1/coupons', (core, c) => core.createCoupon(c.params)),
  route('GET', '/v1/coupons/:id', (core, c) => core.retrieveCoupon(c.id, c.params)),
  route('DELETE', '/v1/coupons/:id', (core, c) => core.deleteCoupon(c.id, c.params)),
  route('POST', '/v1/checkout/sessions', (core, c) => core.createSession(c.params)),
  route('GET', '/v1/checkout/sessions/:id', (core, c) => core.retrieveSession(c.id, c.params)),
  route('GET', '/v1/checkout/sessions/:id/line_items', (core, c) => core.listLineItems(c.id, c.params)),
  route('POST', '/v1/checkout/sessions/:id/expire', (core, c) =>
    core.expireSessionViaApi(c.id, c.params, c.request),
  ),
  route('GET', '/v1/prices/:id', (core, c) => core.retrievePrice(c.id, c.params)),
  route('POST', '/v1/webhook_endpoints', (core, c) => core.account.createWebhookEndpoint(c.params)),
  route('GET', '/v1/webhook_endpoints', (core, c) => core.account.listWebhookEndpoints(c.params)),
  route('GET', '/v1/webhook_endpoints/:id', (core, c) =>
    core.account.retrieveWebhookEndpoint(c.id, c.params),
  ),
  route('POST', '/v1/webhook_endpoints/:id', (core, c) => core.account.updateWebhookEndpoint(c.id, c.params)),
  route('DELETE', '/v1/webhook_endpoints/:id', (core, c) =>
    core.account.deleteWebhookEndpoint(c.id, c.params),
  ),
  route('GET', '/v1/balance', (core, c) => core.account.retrieveBalance(c.params)),
];

/**
 * Starts the emulator and resolves once it listens. Point the official SDK at it with
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
  private readonly newId: ReturnType<typeof createIdGenerator>;
  private readonly core: EmulatorCore;
  private readonly dispatcher: WebhookDispatcher;
  private readonly idempotency: IdempotencyStore;
  private readonly server: http.Server;
  private readonly log: (line: string) => void;
  private readonly requests: RequestLogEntry[] = [];
  private readonly delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly options: StripeEmulatorOptions) {
    if (!options.webhookSecret) throw new Error('startStripeEmulator: webhookSecret is required (whsec_…).');
    this.host = options.host ?? '127.0.0.1';
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.newId = createIdGenerator(options.random);
    this.idempotency = new IdempotencyStore(this.now);
    this.dispatcher = new WebhookDispatcher({
      ...options.delivery,
      secret: options.webhookSecret,
      url: options.webhookUrl ?? null,
      now: this.now,
      log: this.log,
    });
    this.core = new EmulatorCore({
      now: this.now,
      newId: this.newId,
      payUrl: (id) => `${this.publicBase()}/pay/${id}`,
      prices: options.prices ?? [],
      emit: (type, session, request) => this.emit(type, session, request),
    });
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent)
          sendJson(res, 500, stripeErrorBody({ type: 'api_error', message: 'Internal error.' }));
        else res.destroy();
      });
    });
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
        if (this.options.expireIntervalMs) {
          this.sweeper = setInterval(() => this.expireDueSessions(), this.options.expireIntervalMs);
          this.sweeper.unref();
        }
        resolve();
      });
    });
  }

  sdkOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: this.host, port: this.port, protocol: 'http' };
  }

  // ---------------------------------------------------------------- inspection and control

  state(): EmulatorSnapshot {
    return {
      url: this.url,
      webhookUrl: this.dispatcher.webhookUrl,
      sessions: [...this.core.sessions.values()].map((record) => ({
        session: snapshot(record.session),
        lineItems: snapshot(record.lineItems),
        paymentIntentData: snapshot(record.paymentIntentData),
        couponId: record.coupon?.coupon.id ?? null,
        asyncPayment: record.asyncPayment,
      })),
      coupons: this.core.couponHistory.map((record) => ({
        coupon: this.core.couponView(record),
        deleted: record.deleted,
        deletedAt: record.deletedAt,
      })),
      events: snapshot(this.dispatcher.events),
      requests: snapshot(this.requests),
      requestCounts: this.requestCounts(),
      faults: this.faults.list(),
    };
  }

  private requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.requests) counts[entry.route] = (counts[entry.route] ?? 0) + 1;
    return counts;
  }

  session(id: string): SessionObject | undefined {
    const record = this.core.findSession(id);
    return record ? snapshot(record.session) : undefined;
  }

  coupon(id: string): CouponObject | undefined {
    const record = this.core.coupons.get(id);
    return record ? this.core.couponView(record) : undefined;
  }

  events(type?: SessionEventType): EventRecord[] {
    return snapshot(
      this.dispatcher.events.filter((record) => type === undefined || record.event.type === type),
    );
  }

  requestCount(routeName: string): number {
    return this.requests.filter((entry) => entry.route === routeName).length;
  }

  completeSession(id: string, options: CompleteSessionOptions = {}): SessionObject {
    const session = this.core.completeSession(id, options);
    this.log(`session ${id} completed (${session.payment_status})`);
    return session;
  }

  settleAsyncPayment(id: string, succeeded: boolean): SessionObject {
    const session = this.core.settleAsyncPayment(id, succeeded);
    this.log(`session ${id} async payment ${succeeded ? 'succeeded' : 'failed'}`);
    return session;
  }

  expireSession(id: string): SessionObject {
    const session = this.core.expireSession(id);
    this.log(`session ${id} expired`);
    return session;
  }

  expireDueSessions(): string[] {
    const ids = this.core.expireDueSessions();
    for (const id of ids) this.log(`session ${id} expired (expires_at passed)`);
    return ids;
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
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.dispatcher.close();
    for (const delay of this.delays) {
      clearTimeout(delay.timer);
      delay.resolve();
    }
    this.delays.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private emit(type: SessionEventType, session: SessionObject, request: RequestInfo): void {
    const event: EventObject = {
      id: this.newId('event'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: this.core.nowSeconds(),
      data: { object: session },
      livemode: false,
      pending_webhooks: this.dispatcher.hasEndpoint() ? 1 : 0,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    };
    this.dispatcher.publish(event);
    this.log(`event ${type} ${event.id} for ${session.id}`);
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) {
      sendJson(
        res,
        413,
        stripeErrorBody({ type: 'invalid_request_error', message: 'Request body too large.' }),
      );
      return;
    }
    const body = raw.toString('utf8');
    const path = target.pathname;
    if (path.startsWith('/v1/')) return this.handleApi(req, res, method, path, target.search.slice(1), body);
    if (path.startsWith('/_emulator/')) return this.handleControl(res, method, path, body);
    if (path === '/pay' || path.startsWith('/pay/')) return this.handlePay(res, method, path, body);
    if (path === '/' && method === 'GET') {
      sendHtml(res, 200, renderIndexPage([...this.core.sessions.values()]));
      return;
    }
    sendHtml(res, 404, renderMessagePage('Not found', `Nothing at ${path}.`));
  }

  private async handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    path: string,
    query: string,
    body: string,
  ): Promise<void> {
    const requestId = this.newId('request');
    const idempotencyKey = headerValue(req, 'idempotency-key');
    const matched = matchRoute(method, path);
    const entry: RequestLogEntry = {
      at: this.now(),
      method,
      path,
      route: matched ? `${method} ${matched.route.pattern}` : `${method} ${path}`,
      statusCode: null,
      requestId,
      idempotencyKey,
      replayed: false,
      faultId: null,
    };
    this.requests.push(entry);
    const headers: Record<string, string> = {
      'Request-Id': requestId,
      'Stripe-Version': headerValue(req, 'stripe-version') ?? Stripe.API_VERSION,
    };
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    const respond = (statusCode: number, payload: unknown, extra: Record<string, string> = {}) => {
      entry.statusCode = statusCode;
      sendJson(res, statusCode, payload, { ...headers, ...extra });
      this.log(
        `${method} ${path} → ${statusCode} ${requestId}${entry.replayed ? ' (idempotent replay)' : ''}${entry.faultId ? ` (${entry.faultId})` : ''}`,
      );
    };

    const apiKey = this.authenticate(req);
    if (typeof apiKey !== 'string') {
      respond(401, apiKey.toJSON());
      return;
    }
    if (!matched) {
      respond(
        404,
        stripeErrorBody({
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}). The Stripe emulator implements only the endpoints listed in docs/stripe-emulator.md.`,
        }),
      );
      return;
    }

    const fault = this.faults.take(method, path);
    if (fault) {
      entry.faultId = fault.id;
      if (fault.spec.delayMs) await this.delay(fault.spec.delayMs);
      if (!fault.spec.afterProcessing && this.failWithFault(fault, res, entry, respond)) return;
    }

    let statusCode: number;
    let payload: unknown;
    let extra: Record<string, string> = {};
    try {
      const params = parseFormParams(method === 'POST' ? body : query);
      const fingerprint = fingerprintParams(params);
      const replay =
        method === 'POST' && idempotencyKey
          ? this.idempotency.lookup(apiKey, idempotencyKey, method, path, fingerprint)
          : null;
      if (replay) {
        entry.replayed = true;
        statusCode = replay.statusCode;
        payload = JSON.parse(replay.body);
        extra = { 'Idempotent-Replayed': 'true', 'Original-Request': replay.requestId };
      } else {
        let store: boolean;
        ({ statusCode, payload, store } = this.execute(matched.route, {
          params,
          id: safeDecode(matched.id),
          request: { id: requestId, idempotencyKey },
        }));
        if (method === 'POST' && idempotencyKey && store) {
          this.idempotency.save(apiKey, idempotencyKey, {
            method,
            path,
            fingerprint,
            response: { statusCode, body: JSON.stringify(payload), requestId },
          });
        }
      }
    } catch (err: unknown) {
      if (!(err instanceof StripeApiError)) throw err;
      statusCode = err.statusCode;
      payload = err.toJSON();
    }

    if (fault?.spec.afterProcessing && this.failWithFault(fault, res, entry, respond)) return;
    respond(statusCode, payload, extra);
  }

  /**
   * Runs an API route. Stripe errors become the answer; `store` says whether an idempotency key
   * keeps it (not for parameter validation errors, as in Stripe).
   */
  private execute(
    apiRoute: ApiRoute,
    context: ApiContext,
  ): { statusCode: number; payload: unknown; store: boolean } {
    try {
      return { statusCode: 200, payload: apiRoute.run(this.core, context), store: true };
    } catch (err: unknown) {
      if (err instanceof StripeApiError) {
        return { statusCode: err.statusCode, payload: err.toJSON(), store: err.storeIdempotent };
      }
      this.log(
        `internal error in ${apiRoute.method} ${apiRoute.pattern}: ${err instanceof Error ? err.message : String(err)}`,
      );
      // Stripe stores and replays 500s too; the handler failed after it began executing.
      return {
        statusCode: 500,
        payload: stripeErrorBody({
          type: 'api_error',
          message: 'An unexpected error occurred in the Stripe emulator.',
        }),
        store: true,
      };
    }
  }

  /** Answers with the fault's error or drops the connection; `false` when the fault only delays. */
  private failWithFault(
    fault: FaultState,
    res: http.ServerResponse,
    entry: RequestLogEntry,
    respond: (statusCode: number, payload: unknown) => void,
  ): boolean {
    if (fault.spec.disconnect) {
      entry.statusCode = null;
      this.log(`${entry.method} ${entry.path} → connection dropped (${fault.id})`);
      res.socket?.destroy();
      return true;
    }
    if (fault.spec.status !== undefined) {
      respond(fault.spec.status, faultErrorBody({ ...fault.spec, status: fault.spec.status }));
      return true;
    }
    return false;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.delays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.delays.add(entry);
    });
  }

  /** The API key of the request, or the 401 error to answer. */
  private authenticate(req: http.IncomingMessage): string | StripeApiError {
    const header = headerValue(req, 'authorization');
    let key: string | null = null;
    if (header?.startsWith('Bearer ')) key = header.slice('Bearer '.length).trim();
    else if (header?.startsWith('Basic ')) {
      key = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':')[0] ?? null;
    }
    if (!key) {
      return new StripeApiError(
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        { statusCode: 401 },
      );
    }
    const accepted = this.options.apiKey ? key === this.options.apiKey : /^(sk|rk)_test_\w+$/.test(key);
    if (!accepted) {
      const live = /^(sk|rk)_live_/.test(key) ? ' The Stripe emulator accepts test-mode keys only.' : '';
      return new StripeApiError(`Invalid API Key provided: ${maskKey(key)}${live}`, { statusCode: 401 });
    }
    return key;
  }

  // ---------------------------------------------------------------- hosted page

  private handlePay(res: http.ServerResponse, method: string, path: string, body: string): void {
    const match = /^\/pay\/([^/]+)(\/cancel|\/settle)?$/.exec(path);
    const record = match ? this.core.findSession(safeDecode(match[1] ?? '')) : undefined;
    if (!match || !record) {
      sendHtml(
        res,
        404,
        renderMessagePage('Session not found', 'There is no checkout session at this address.'),
      );
      return;
    }
    const id = record.session.id;
    const action = match[2] ?? '';
    const form = new URLSearchParams(body);
    if (method === 'GET' && action === '') {
      sendHtml(res, 200, renderPayPage(record));
      return;
    }
    if (method !== 'POST') {
      sendHtml(res, 405, renderMessagePage('Method not allowed', `${method} is not allowed here.`));
      return;
    }
    try {
      if (action === '') {
        const choice = form.get('action') ?? 'pay';
        if (choice !== 'pay' && choice !== 'pay_async') {
          sendHtml(res, 400, renderPayPage(record, { message: `Unknown action ${choice}.` }));
          return;
        }
        const email = form.get('email')?.trim() || undefined;
        if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
          sendHtml(res, 400, renderPayPage(record, { message: 'Enter a valid email address.' }));
          return;
        }
        const session = this.completeSession(id, { async: choice === 'pay_async', email });
        if (session.success_url) {
          redirect(res, session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', id));
        } else {
          sendHtml(res, 200, renderMessagePage('Payment complete', 'Thank you — the order is placed.'));
        }
        return;
      }
      if (action === '/cancel') {
        if (record.session.status !== 'open' || !record.session.cancel_url) {
          sendHtml(res, 409, renderPayPage(record, { message: 'This session cannot be cancelled.' }));
          return;
        }
        // Like Stripe: leaving the page does not expire the session; it stays open until expires_at.
        redirect(res, record.session.cancel_url);
        return;
      }
      const outcome = form.get('outcome');
      if (outcome !== 'succeeded' && outcome !== 'failed') {
        sendHtml(res, 400, renderPayPage(record, { message: 'Choose whether the transfer arrived.' }));
        return;
      }
      this.settleAsyncPayment(id, outcome === 'succeeded');
      redirect(res, `/pay/${encodeURIComponent(id)}`);
    } catch (err: unknown) {
      if (!(err instanceof EmulatorError)) throw err;
      sendHtml(
        res,
        err.code === 'session_expired' ? 410 : err.statusCode,
        renderPayPage(record, { message: err.message }),
      );
    }
  }

  // ---------------------------------------------------------------- control API

  private handleControl(res: http.ServerResponse, method: string, path: string, body: string): void {
    try {
      const result = this.control(method, path, body);
      sendJson(res, result === undefined ? 204 : 200, result ?? null);
    } catch (err: unknown) {
      if (err instanceof EmulatorError) sendJson(res, err.statusCode, err.toJSON());
      else throw err;
    }
  }

  private control(method: string, path: string, body: string): unknown {
    const sessionAction = /^\/_emulator\/sessions\/([^/]+)\/(complete|settle|expire)$/.exec(path);
    const resend = /^\/_emulator\/events\/([^/]+)\/resend$/.exec(path);
    const endpoint = `${method} ${sessionAction ? `/_emulator/sessions/:id/${sessionAction[2]}` : resend ? '/_emulator/events/:id/resend' : path}`;
    switch (endpoint) {
      case 'GET /_emulator/state':
        return this.state();
      case 'GET /_emulator/faults':
        return this.faults.list();
      case 'POST /_emulator/faults':
        return this.faults.add(parseFault(readJson(body)));
      case 'DELETE /_emulator/faults':
        this.faults.clear();
        return undefined;
      case 'POST /_emulator/sessions/:id/complete': {
        const input = readJson(body);
        return this.completeSession(safeDecode(sessionAction?.[1] ?? ''), {
          async: optionalBoolean(input, 'async'),
          email: optionalString(input, 'email'),
        });
      }
      case 'POST /_emulator/sessions/:id/settle': {
        const succeeded = optionalBoolean(readJson(body), 'succeeded');
        if (succeeded === undefined)
          throw new EmulatorError('invalid_request', 'Send {"succeeded": true|false}.', 400);
        return this.settleAsyncPayment(safeDecode(sessionAction?.[1] ?? ''), succeeded);
      }
      case 'POST /_emulator/sessions/:id/expire':
        return this.expireSession(safeDecode(sessionAction?.[1] ?? ''));
      case 'POST /_emulator/expire-due':
        return { expired: this.expireDueSessions() };
      case 'PUT /_emulator/webhook': {
        const input = readJson(body);
        const url = input.url;
        if (url !== null && typeof url !== 'string') {
          throw new EmulatorError('invalid_request', 'Send {"url": "http://…"} or {"url": null}.', 400);
        }
        this.setWebhookUrl(url);
        return { webhookUrl: url };
      }
      case 'POST /_emulator/events/:id/resend':
        this.resendEvent(safeDecode(resend?.[1] ?? ''));
        return undefined;
      case 'POST /_emulator/reset':
        this.reset();
        return undefined;
      default:
        throw new EmulatorError('invalid_request', `No control endpoint ${method} ${path}.`, 404);
    }
  }
}

/** Decodes a path segment; a malformed escape is kept as it came (and then matches nothing). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchRoute(method: string, path: string): { route: ApiRoute; id: string } | null {
  for (const candidate of API_ROUTES) {
    const m = candidate.regex.exec(path);
    if (m && candidate.method === method) return { route: candidate, id: m[1] ?? '' };
  }
  return null;
}

function headerValue(req: http.IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function maskKey(key: string): string {
  const prefix = /^[a-z]{2}_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(4)}${key.slice(-4)}`;
}

function sendJson(
  res: http.ServerResponse,
  statusCode: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const text = statusCode === 204 ? '' : `${JSON.stringify(payload, null, 2)}\n`;
  res.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, statusCode: number, html: string): void {
  res.writeHead(statusCode, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Content-Security-Policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:",
  });
  res.end(html);
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store' });
  res.end();
}

function readJson(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new EmulatorError('invalid_request', 'The body is not valid JSON.', 400);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EmulatorError('invalid_request', 'The body must be a JSON object.', 400);
  }
  return Object.fromEntries(Object.entries(value));
}

function optionalBoolean(input: Record<string, unknown>, key: string): boolean | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean')
    throw new EmulatorError('invalid_request', `${key} must be a boolean.`, 400);
  return value;
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new EmulatorError('invalid_request', `${key} must be a string.`, 400);
  return value;
}

function optionalNumber(input: Record<string, unknown>, key: string): number | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new EmulatorError('invalid_fault', `${key} must be a number.`, 400);
  return value;
}

/** Reads a {@link FaultSpec} from JSON, field by field (the registry then checks the values). */
function parseFault(input: Record<string, unknown>): FaultSpec {
  const path = optionalString(input, 'path');
  if (path === undefined) throw new EmulatorError('invalid_fault', 'A fault needs a path.', 400);
  const spec: FaultSpec = { path };
  const method = optionalString(input, 'method');
  if (method !== undefined) spec.method = method;
  const times = optionalNumber(input, 'times');
  if (times !== undefined) spec.times = times;
  const status = optionalNumber(input, 'status');
  if (status !== undefined) spec.status = status;
  const delayMs = optionalNumber(input, 'delayMs');
  if (delayMs !== undefined) spec.delayMs = delayMs;
  const disconnect = optionalBoolean(input, 'disconnect');
  if (disconnect !== undefined) spec.disconnect = disconnect;
  const afterProcessing = optionalBoolean(input, 'afterProcessing');
  if (afterProcessing !== undefined) spec.afterProcessing = afterProcessing;
  const error = input.error;
  if (error !== undefined) {
    if (error === null || typeof error !== 'object' || Array.isArray(error)) {
      throw new EmulatorError('invalid_fault', 'error must be an object.', 400);
    }
    const fields = Object.fromEntries(Object.entries(error));
    const type = optionalString(fields, 'type');
    if (
      type !== undefined &&
      type !== 'api_error' &&
      type !== 'card_error' &&
      type !== 'idempotency_error' &&
      type !== 'invalid_request_error'
    ) {
      throw new EmulatorError('invalid_fault', 'error.type must be a Stripe error type.', 400);
    }
    spec.error = {};
    if (type !== undefined) spec.error.type = type;
    const code = optionalString(fields, 'code');
    if (code !== undefined) spec.error.code = code;
    const message = optionalString(fields, 'message');
    if (message !== undefined) spec.error.message = message;
    const param = optionalString(fields, 'param');
    if (param !== undefined) spec.error.param = param;
  }
  return spec;
}
