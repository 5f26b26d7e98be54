import { createDynamoEventLedger } from '../adapters/dynamodb/event-ledger';
import { createDynamoOrderLifeStore, createDynamoPaymentStore } from '../adapters/dynamodb/order-life-store';
import { createDynamoFulfilmentStore, createDynamoSessionStore } from '../adapters/dynamodb/session-store';
import { createDynamoStockStore } from '../adapters/dynamodb/stock-store';
import { createTableClient, type TableClient } from '../adapters/dynamodb/table-client';
import { createLogNotifier, createOutboxNotifier } from '../adapters/notify/notifiers';
import { createLogOrderMail, createOutboxOrderMail } from '../adapters/notify/order-life-mail';
import { createSesNotifier } from '../adapters/notify/ses-notifier';
import { createSesOrderMail } from '../adapters/notify/ses-order-mail';
import type { SesAccess } from '../adapters/notify/ses-send';
import { resolveSecretsManagerValue } from '../adapters/secrets-manager';
import { createStripeClient } from '../adapters/stripe/stripe-client';
import { createStripeGateway } from '../adapters/stripe/stripe-gateway';
import { createWebhookVerifier } from '../adapters/stripe/webhook-verifier';
import type { FulfilDeps } from '../app/fulfil-order';
import { type RetrySummary, retryPendingNotifications } from '../app/notify-order';
import type { OrderMail } from '../app/order-life-ports';
import { type MailRetrySummary, retryOwedMail } from '../app/order-mail';
import type { CheckoutGateway, Notifier } from '../app/ports';
import { type SweepSummary, sweepHolds } from '../app/stock-holds';
import type { Telemetry } from '../app/telemetry';
import {
  CHECKOUT_STRIPE_ATTEMPT_MS,
  FULFILMENT_STRIPE_CALL_MS,
  WEBHOOK_DEADLINE_MS,
  WEBHOOK_TABLE_CALL_MS,
} from '../app/time-budgets';
import {
  type Env,
  EnvReader,
  type FulfilmentConfig,
  loadCheckoutConfig,
  loadFulfilmentConfig,
  loadWebhookConfig,
  type NotifierConfig,
} from '../config';
import type { ApiHandler } from '../http/route';
import { createCheckoutSessionRoute } from '../http/routes/checkout-create-session';
import { createSessionStatusRoute } from '../http/routes/checkout-session-status';
import { createStripeWebhookRoute } from '../http/routes/stripe-webhook';
import { telemetryFor } from './catalog';
import type { SharedDeps, TableOverrides } from './shared';

/** Checkout needs the Stripe key and the session records on top of the shared parts. */
export async function checkoutHandlerOf(
  shared: SharedDeps,
  overrides: { gateway?: CheckoutGateway } = {},
): Promise<ApiHandler> {
  const checkout = await loadCheckoutConfig(shared.reader);
  const gateway =
    overrides.gateway ??
    createStripeGateway(
      createStripeClient({
        secretKey: checkout.stripeSecretKey,
        apiBase: checkout.stripeApiBase,
        timeoutMs: CHECKOUT_STRIPE_ATTEMPT_MS,
        maxNetworkRetries: 1,
      }),
    );
  return createCheckoutSessionRoute({
    catalog: shared.catalog,
    quotes: shared.store,
    codes: shared.codes,
    sessions: createDynamoSessionStore({ client: shared.dynamo, tableName: shared.config.tableName }),
    limiter: shared.limiter,
    stock: shared.stock,
    gateway,
    signingKeys: shared.config.signingKeys,
    quoteTtlSeconds: shared.config.quoteTtlSeconds,
    checkout,
    telemetry: shared.telemetry,
    now: shared.now,
    allowedOrigins: shared.config.allowedOrigins,
    clientKeyOf: shared.clientKeyOf,
  });
}

/** Fulfilment parts shared by the webhook and the status route, on the fulfilment config. */
async function buildFulfilDeps(
  config: FulfilmentConfig,
  telemetry: Telemetry,
  dynamo: TableClient,
  overrides: { gateway?: CheckoutGateway; notifier?: Notifier; mail?: OrderMail },
): Promise<FulfilDeps> {
  const table = { client: dynamo, tableName: config.tableName };
  return {
    sessions: createDynamoSessionStore(table),
    payments: createDynamoPaymentStore(table),
    orders: createDynamoOrderLifeStore(table),
    mail: overrides.mail ?? (await createOrderMail(config.notifier, telemetry)),
    fulfilment: createDynamoFulfilmentStore(table),
    stock: createDynamoStockStore(table),
    gateway:
      overrides.gateway ??
      createStripeGateway(
        createStripeClient({
          secretKey: config.stripeSecretKey,
          apiBase: config.stripeApiBase,
          timeoutMs: FULFILMENT_STRIPE_CALL_MS,
          maxNetworkRetries: 0,
        }),
      ),
    notifier: overrides.notifier ?? (await createNotifier(config.notifier, telemetry)),
    telemetry,
    stripeCall: { timeoutMs: FULFILMENT_STRIPE_CALL_MS },
  };
}

async function createNotifier(config: NotifierConfig, telemetry: Telemetry): Promise<Notifier> {
  switch (config.kind) {
    case 'log':
      return createLogNotifier(telemetry.log);
    case 'outbox':
      return createOutboxNotifier(config.dir);
    case 'ses':
      return createSesNotifier({ from: config.from, to: config.to });
  }
}

/**
 * The mails of an order's life (operator alerts, customer shipping confirmations) on the same
 * configuration as the order notifications: the log, the local outbox, or SES from `NOTIFY_FROM`.
 * The operator commands send with it too, passing their workstation's region and credentials
 * (`ses`); a function sends as its role.
 */
export async function createOrderMail(
  config: NotifierConfig,
  telemetry: Telemetry,
  ses: SesAccess = {},
): Promise<OrderMail> {
  switch (config.kind) {
    case 'log':
      return createLogOrderMail(telemetry.log);
    case 'outbox':
      return createOutboxOrderMail(config.dir);
    case 'ses':
      return createSesOrderMail({ from: config.from, operator: config.to, ...ses });
  }
}

/** What the webhook and status route may have swapped (tests, the local stack). */
export interface FulfilOverrides extends TableOverrides {
  readonly gateway?: CheckoutGateway;
  readonly notifier?: Notifier;
  readonly mail?: OrderMail;
  /** The webhook's answer deadline (tests shorten it). */
  readonly webhookDeadlineMs?: number;
}

/** What the webhook's function runs: the route, and on its schedule the retry of owed notifications. */
export interface WebhookFunction {
  readonly webhook: ApiHandler;
  /**
   * One run of the retry of owed order notifications and order mail; `timeLeftMs` (the
   * invocation's remaining time) bounds what it claims.
   */
  readonly retryNotifications: (
    timeLeftMs?: () => number,
  ) => Promise<RetrySummary & { readonly mail: MailRetrySummary }>;
  /** One run of the stock-hold sweep (app/stock-holds.ts), bounded the same way. */
  readonly sweepHolds: (timeLeftMs?: () => number) => Promise<SweepSummary>;
}

/**
 * The webhook's function, built once per cold start for both of its jobs: `POST /stripe/webhook`
 * (reads the Stripe key, the webhook secret and the table — not the quote-signing keys; short, few
 * DynamoDB calls and a deadline, so Stripe is answered in time) and the scheduled retry of owed order
 * notifications (EventBridge, every five minutes: the same table, notifier and secrets).
 */
export async function buildWebhookFunction(
  env: Env,
  overrides: FulfilOverrides = {},
): Promise<WebhookFunction> {
  const reader = new EnvReader(env, overrides.resolveSecret ?? resolveSecretsManagerValue);
  const config = await loadWebhookConfig(reader);
  const telemetry = telemetryFor(env, overrides);
  const dynamo =
    overrides.tableClient ??
    createTableClient({
      endpoint: config.dynamoEndpoint,
      region: env.AWS_REGION,
      requestTimeoutMs: WEBHOOK_TABLE_CALL_MS,
      maxAttempts: 2,
    });
  const fulfil = await buildFulfilDeps(config, telemetry, dynamo, overrides);
  const now = overrides.now ?? Date.now;
  return {
    webhook: createStripeWebhookRoute({
      ...fulfil,
      ledger: createDynamoEventLedger({ client: dynamo, tableName: config.tableName }),
      verify: createWebhookVerifier({
        secret: config.webhookSecret,
        toleranceSeconds: config.toleranceSeconds,
      }),
      deadlineMs: overrides.webhookDeadlineMs ?? WEBHOOK_DEADLINE_MS,
      ...(overrides.now ? { now: overrides.now } : {}),
    }),
    async retryNotifications(timeLeftMs) {
      try {
        const nowSeconds = Math.floor(now() / 1000);
        const notifications = await retryPendingNotifications(fulfil, nowSeconds, timeLeftMs);
        return { ...notifications, mail: await retryOwedMail(fulfil, nowSeconds, timeLeftMs) };
      } finally {
        telemetry.metrics.flush();
      }
    },
    async sweepHolds(timeLeftMs) {
      try {
        return await sweepHolds(fulfil, Math.floor(now() / 1000), timeLeftMs);
      } finally {
        telemetry.metrics.flush();
      }
    },
  };
}

/** `POST /stripe/webhook` alone (the local stack and tests). */
export async function buildWebhookHandler(env: Env, overrides: FulfilOverrides = {}): Promise<ApiHandler> {
  return (await buildWebhookFunction(env, overrides)).webhook;
}

/** `GET /checkout/session-status`: shared parts plus fulfilment (it may fulfil a paid session). */
export async function sessionStatusHandlerOf(
  shared: SharedDeps,
  overrides: FulfilOverrides = {},
): Promise<ApiHandler> {
  const config = await loadFulfilmentConfig(shared.reader);
  const fulfil = await buildFulfilDeps(config, shared.telemetry, shared.dynamo, overrides);
  return createSessionStatusRoute({
    ...fulfil,
    limiter: shared.limiter,
    rateLimits: shared.config.rateLimits.sessionStatus,
    allowedOrigins: shared.config.allowedOrigins,
    clientKeyOf: shared.clientKeyOf,
    now: shared.now,
  });
}
