import type { APIGatewayProxyResult } from 'aws-lambda';
import type { StripeEmulator } from '../../local/stripe-emulator';
import type { TableClient } from '../../src/adapters/dynamodb/table-client';
import type { DoNotShipAlert, OrderMail, ShippedNotice } from '../../src/app/order-life-ports';
import type { Notifier, OrderRecord } from '../../src/app/ports';
import type { SweepSummary } from '../../src/app/stock-holds';
import type { ApiHandler } from '../../src/http/route';
import {
  buildSharedDeps,
  buildWebhookFunction,
  cartQuoteHandlerOf,
  checkoutHandlerOf,
  sessionStatusHandlerOf,
} from '../../src/wiring';
import type { WebhookFunction } from '../../src/wiring/payments';
import { couponOfSession } from './coupons';
import type { TestTable } from './dynamo';
import { makeTestEnv } from './env';
import { makeProxyEvent } from './events';
import { TEST_STRIPE_KEY, TEST_WEBHOOK_SECRET } from './stripe';
import { createRecordingTelemetry, type RecordingTelemetry } from './telemetry';

export const SHOP = 'https://shop.example.com';

/**
 * A notifier that remembers what it was asked to send (the port's test double). While `failing` is
 * set it throws instead, as SES does when it is not set up or unavailable.
 */
export function createRecordingNotifier(): Notifier & { readonly sent: OrderRecord[]; failing: boolean } {
  const sent: OrderRecord[] = [];
  return {
    sent,
    failing: false,
    async notifyOrder(order) {
      if (this.failing) throw new Error('simulated notifier failure (MessageRejected)');
      sent.push(order);
    },
  };
}

/** The order-life mailer's test double: remembers each mail; throws while `failing` is set. */
export function createRecordingOrderMail(): OrderMail & {
  readonly alerts: DoNotShipAlert[];
  readonly shipped: ShippedNotice[];
  failing: boolean;
} {
  const alerts: DoNotShipAlert[] = [];
  const shipped: ShippedNotice[] = [];
  return {
    alerts,
    shipped,
    failing: false,
    async sendDoNotShip(alert) {
      if (this.failing) throw new Error('simulated mail failure (MessageRejected)');
      alerts.push(alert);
    },
    async sendShipped(notice) {
      if (this.failing) throw new Error('simulated mail failure (MessageRejected)');
      shipped.push(notice);
    },
  };
}

export interface CommerceApi {
  readonly quote: ApiHandler;
  readonly checkout: ApiHandler;
  readonly webhook: ApiHandler;
  readonly status: ApiHandler;
  readonly telemetry: RecordingTelemetry;
  readonly notifier: ReturnType<typeof createRecordingNotifier>;
  readonly mail: ReturnType<typeof createRecordingOrderMail>;
  /** One run of the scheduled retry of owed order notifications. */
  readonly retryNotifications: WebhookFunction['retryNotifications'];
  /** One run of the scheduled sweep of holds their checkout did not end (stock and code uses). */
  readonly sweepHolds: (timeLeftMs?: () => number) => Promise<SweepSummary>;
  /** Quotes (with `code`, if given) and checks out a cart; returns the session id and the quote. */
  buy(
    items: readonly { sku: string; quantity: number }[],
    sourceIp?: string,
    options?: { readonly code?: string; readonly email?: string },
  ): Promise<{ sessionId: string; quote: any; quoteSignature: string; couponId: string | null }>;
}

/** Every route, wired as in production, against one test table and the Stripe emulator. */
export async function makeCommerceApi(options: {
  table: TestTable;
  stripe: StripeEmulator;
  now: () => number;
  env?: Record<string, string>;
  tableClient?: TableClient;
  webhookDeadlineMs?: number;
}): Promise<CommerceApi> {
  const telemetry = createRecordingTelemetry();
  const notifier = createRecordingNotifier();
  const mail = createRecordingOrderMail();
  const env = makeTestEnv(options.table, {
    QUOTE_SIGNING_KEYS: `t1:${Buffer.alloc(32, 9).toString('base64')}`,
    STRIPE_SECRET_KEY: TEST_STRIPE_KEY,
    STRIPE_API_BASE: options.stripe.url,
    STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    CHECKOUT_SUCCESS_URL: `${SHOP}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
    CHECKOUT_CANCEL_URL: `${SHOP}/cart`,
    RATE_LIMIT_CHECKOUT_PER_HOUR: '10000',
    RATE_LIMIT_CHECKOUT_PER_DAY: '100000',
    RATE_LIMIT_QUOTE_PER_HOUR: '10000',
    RATE_LIMIT_QUOTE_PER_DAY: '100000',
    ...options.env,
  });
  const shared = await buildSharedDeps(env, { telemetry, now: options.now });
  const fulfilOverrides = {
    telemetry,
    notifier,
    mail,
    now: options.now,
    ...(options.tableClient ? { tableClient: options.tableClient } : {}),
    ...(options.webhookDeadlineMs ? { webhookDeadlineMs: options.webhookDeadlineMs } : {}),
  };
  const api = {
    quote: cartQuoteHandlerOf(shared),
    checkout: await checkoutHandlerOf(shared),
    ...(await buildWebhookFunction(env, fulfilOverrides)),
    status: await sessionStatusHandlerOf(shared, { notifier, mail }),
    telemetry,
    notifier,
    mail,
  };
  const json = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, any>;
  return {
    ...api,
    async buy(items, sourceIp = '203.0.113.77', { code, email = 'buyer@example.com' } = {}) {
      const headers = { 'Content-Type': 'application/json', Origin: SHOP };
      const body = code === undefined ? { items } : { items, code };
      const quoted = json(await api.quote(makeProxyEvent({ body, headers, sourceIp })));
      const result = await api.checkout(
        makeProxyEvent({
          path: '/checkout/create-session',
          body: { items, quoteSignature: quoted.quoteSignature, email },
          headers,
          sourceIp,
        }),
      );
      const session = json(result);
      if (result.statusCode >= 300) throw new Error(`checkout failed: ${result.body}`);
      return {
        sessionId: String(session.sessionId),
        quote: quoted.quote,
        quoteSignature: String(session.quoteSignature),
        couponId: couponOfSession(options.stripe, String(session.sessionId)),
      };
    },
  };
}
