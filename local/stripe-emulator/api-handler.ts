/**
 * The `/v1/…` request pipeline, in Stripe's order: log the request, authenticate, match a route,
 * apply an injected fault, replay or check an idempotency key, run the route, store its answer
 * under the key, answer with `Request-Id` (and `Idempotent-Replayed` for a replay). Routes only
 * compute answers; everything a client sees around them — headers, error bodies, replays,
 * faults — is decided here, once.
 */
import type http from 'node:http';
import Stripe from 'stripe';
import { ACCOUNT_ROUTES } from './account';
import { type ApiContext, type ApiResources, type ApiRoute, matchRoute } from './api-route';
import { authenticate } from './auth';
import { CHECKOUT_SESSION_ROUTES } from './checkout-sessions';
import { COUPON_ROUTES } from './coupons';
import type { RequestLogEntry } from './emulator-types';
import { StripeApiError, stripeErrorBody } from './errors';
import { type FaultRegistry, type FaultState, faultErrorBody } from './faults';
import { fingerprintParams, parseFormParams } from './form';
import { headerValue, safeDecode, sendJson } from './http-io';
import type { IdempotencyStore } from './idempotency';
import type { IdKind } from './ids';
import { PRICE_ROUTES } from './prices';
import { PRODUCT_ROUTES } from './products';
import { REFUND_ROUTES } from './refunds';

/** Every endpoint the emulator serves, per resource. */
const API_ROUTES: readonly ApiRoute[] = [
  ...COUPON_ROUTES,
  ...CHECKOUT_SESSION_ROUTES,
  ...PRICE_ROUTES,
  ...PRODUCT_ROUTES,
  ...ACCOUNT_ROUTES,
  ...REFUND_ROUTES,
];

export interface ApiHandlerOptions {
  now: () => number;
  newId: (kind: IdKind) => string;
  resources: ApiResources;
  faults: FaultRegistry;
  idempotency: IdempotencyStore;
  /** The one API key accepted; any test key without it. */
  apiKey: string | undefined;
  log: (line: string) => void;
}

/** Answers API requests and keeps the request log. */
export class ApiHandler {
  /** Every API request seen, in order (for `state()` and `requestCount`). */
  readonly requests: RequestLogEntry[] = [];
  private readonly delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(private readonly options: ApiHandlerOptions) {}

  /** Handles one request; `query` is the URL's search without `?`, `body` the decoded body. */
  async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    path: string,
    query: string,
    body: string,
  ): Promise<void> {
    const requestId = this.options.newId('request');
    const idempotencyKey = headerValue(req, 'idempotency-key');
    const matched = matchRoute(API_ROUTES, method, path);
    const entry: RequestLogEntry = {
      at: this.options.now(),
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
      this.options.log(
        `${method} ${path} → ${statusCode} ${requestId}${entry.replayed ? ' (idempotent replay)' : ''}${entry.faultId ? ` (${entry.faultId})` : ''}`,
      );
    };

    const apiKey = authenticate(req, this.options.apiKey);
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

    const fault = this.options.faults.take(method, path);
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
          ? this.options.idempotency.lookup(apiKey, idempotencyKey, method, path, fingerprint)
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
          this.options.idempotency.save(apiKey, idempotencyKey, {
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

  /** Ends every fault delay still waiting, so closing the server does not wait for them. */
  cancelDelays(): void {
    for (const delay of this.delays) {
      clearTimeout(delay.timer);
      delay.resolve();
    }
    this.delays.clear();
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
      return { statusCode: 200, payload: apiRoute.run(this.options.resources, context), store: true };
    } catch (err: unknown) {
      if (err instanceof StripeApiError) {
        return { statusCode: err.statusCode, payload: err.toJSON(), store: err.storeIdempotent };
      }
      this.options.log(
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
      this.options.log(`${entry.method} ${entry.path} → connection dropped (${fault.id})`);
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
}
