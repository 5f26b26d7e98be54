import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import catalogData from '../catalog/catalog.json';
import { createDocumentClient } from './adapters/dynamodb/commerce-table';
import { createDynamoEventLedger } from './adapters/dynamodb/event-ledger';
import { createDynamoQuoteStore } from './adapters/dynamodb/quote-store';
import { createDynamoRateLimiter } from './adapters/dynamodb/rate-limiter';
import { createDynamoFulfilmentStore, createDynamoSessionStore } from './adapters/dynamodb/session-store';
import { createLogNotifier, createOutboxNotifier } from './adapters/notify/notifiers';
import { createPowertoolsTelemetry } from './adapters/powertools';
import { createStripeClient } from './adapters/stripe/stripe-client';
import { createStripeGateway } from './adapters/stripe/stripe-gateway';
import { createWebhookVerifier } from './adapters/stripe/webhook-verifier';
import type { FulfilDeps } from './app/fulfil-order';
import type { CheckoutGateway, Notifier, QuoteStore, RateLimiter } from './app/ports';
import type { Telemetry } from './app/telemetry';
import {
  type BaseConfig,
  type Env,
  EnvReader,
  type FulfilmentConfig,
  loadBaseConfig,
  loadCheckoutConfig,
  loadFulfilmentConfig,
  loadWebhookConfig,
  type NotifierConfig,
  readAllowedOrigins,
  type SecretResolver,
} from './config';
import { type Catalog, parseCatalog } from './domain/catalog';
import { createClientKeyer } from './domain/client-key';
import type { ApiHandler } from './http/route';
import { createCartQuoteRoute } from './http/routes/cart-quote';
import { createCatalogRoute } from './http/routes/catalog';
import { createCheckoutSessionRoute } from './http/routes/checkout-create-session';
import { createSessionStatusRoute } from './http/routes/checkout-session-status';
import { createStripeWebhookRoute } from './http/routes/stripe-webhook';

/**
 * The one place that builds dependencies from configuration, for the Lambda handlers and the local
 * stack alike: the local server runs exactly the production code path.
 */

/** What can be swapped when wiring (tests, the local stack). */
export interface WiringOverrides {
  readonly catalog?: Catalog;
  readonly telemetry?: Telemetry;
  readonly now?: () => number;
  readonly resolveSecret?: SecretResolver;
}

export interface SharedDeps {
  readonly config: BaseConfig;
  readonly reader: EnvReader;
  readonly catalog: Catalog;
  readonly telemetry: Telemetry;
  readonly dynamo: DynamoDBDocumentClient;
  readonly store: QuoteStore;
  readonly limiter: RateLimiter;
  readonly clientKeyOf: (ip: string) => string;
  readonly now: () => number;
}

let bundledCatalog: Catalog | undefined;

/** The catalog shipped with the code, validated once per process. */
export function loadBundledCatalog(): Catalog {
  bundledCatalog ??= parseCatalog(catalogData);
  return bundledCatalog;
}

/** Builds what every route needs from the environment. */
export async function buildSharedDeps(env: Env, overrides: WiringOverrides = {}): Promise<SharedDeps> {
  const reader = new EnvReader(env, overrides.resolveSecret);
  const config = await loadBaseConfig(reader);
  const telemetry =
    overrides.telemetry ?? createPowertoolsTelemetry(env.POWERTOOLS_SERVICE_NAME ?? 'cart-checkout');
  const dynamo = createDocumentClient({ endpoint: config.dynamoEndpoint, region: env.AWS_REGION });
  const table = { client: dynamo, tableName: config.tableName };
  const signingSecret = config.signingKeys.keys.get(config.signingKeys.signingKeyId);
  if (!signingSecret) throw new Error('signing key missing after validation');
  return {
    config,
    reader,
    catalog: overrides.catalog ?? loadBundledCatalog(),
    telemetry,
    dynamo,
    store: createDynamoQuoteStore(table),
    limiter: createDynamoRateLimiter(table),
    clientKeyOf: createClientKeyer(signingSecret),
    now: overrides.now ?? Date.now,
  };
}

export function cartQuoteHandlerOf(shared: SharedDeps): ApiHandler {
  return createCartQuoteRoute({
    catalog: shared.catalog,
    store: shared.store,
    limiter: shared.limiter,
    signingKeys: shared.config.signingKeys,
    quoteTtlSeconds: shared.config.quoteTtlSeconds,
    rateLimits: shared.config.rateLimits.quote,
    telemetry: shared.telemetry,
    allowedOrigins: shared.config.allowedOrigins,
    clientKeyOf: shared.clientKeyOf,
    now: shared.now,
  });
}

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
        timeoutMs: 3_000,
        maxNetworkRetries: 1,
      }),
    );
  return createCheckoutSessionRoute({
    catalog: shared.catalog,
    quotes: shared.store,
    sessions: createDynamoSessionStore({ client: shared.dynamo, tableName: shared.config.tableName }),
    limiter: shared.limiter,
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

const WEBHOOK_DEADLINE_MS = 8_000;

/** Fulfilment parts shared by the webhook and the status route, on the fulfilment config. */
async function buildFulfilDeps(
  config: FulfilmentConfig,
  telemetry: Telemetry,
  dynamo: DynamoDBDocumentClient,
  overrides: { gateway?: CheckoutGateway; notifier?: Notifier },
): Promise<FulfilDeps> {
  const table = { client: dynamo, tableName: config.tableName };
  return {
    sessions: createDynamoSessionStore(table),
    fulfilment: createDynamoFulfilmentStore(table),
    gateway:
      overrides.gateway ??
      createStripeGateway(
        createStripeClient({
          secretKey: config.stripeSecretKey,
          apiBase: config.stripeApiBase,
          timeoutMs: 2_000,
          maxNetworkRetries: 0,
        }),
      ),
    notifier: overrides.notifier ?? (await createNotifier(config.notifier, telemetry)),
    telemetry,
    stripeCall: { timeoutMs: 2_000 },
  };
}

async function createNotifier(config: NotifierConfig, telemetry: Telemetry): Promise<Notifier> {
  switch (config.kind) {
    case 'log':
      return createLogNotifier(telemetry.log);
    case 'outbox':
      return createOutboxNotifier(config.dir);
    case 'ses': {
      // Loaded only where SES is configured, so other deployments do not pay for the client.
      const { createSesNotifier } = await import('./adapters/notify/ses-notifier');
      return createSesNotifier({ from: config.from, to: config.to });
    }
  }
}

/** What the webhook and status route may have swapped (tests, the local stack). */
export interface FulfilOverrides extends WiringOverrides {
  readonly gateway?: CheckoutGateway;
  readonly notifier?: Notifier;
  /** The table client to use instead of a new one (tests wrap it to inject failures). */
  readonly tableClient?: DynamoDBDocumentClient;
  /** The webhook's answer deadline (tests shorten it). */
  readonly webhookDeadlineMs?: number;
}

/**
 * `POST /stripe/webhook` reads the Stripe key, the webhook secret and the table — not the
 * quote-signing keys. Its DynamoDB calls are short and few, and a deadline answers Stripe in time.
 */
export async function buildWebhookHandler(env: Env, overrides: FulfilOverrides = {}): Promise<ApiHandler> {
  const reader = new EnvReader(env, overrides.resolveSecret);
  const config = await loadWebhookConfig(reader);
  const telemetry =
    overrides.telemetry ?? createPowertoolsTelemetry(env.POWERTOOLS_SERVICE_NAME ?? 'cart-checkout');
  const dynamo =
    overrides.tableClient ??
    createDocumentClient({
      endpoint: config.dynamoEndpoint,
      region: env.AWS_REGION,
      requestTimeoutMs: 500,
      maxAttempts: 2,
    });
  const fulfil = await buildFulfilDeps(config, telemetry, dynamo, overrides);
  return createStripeWebhookRoute({
    ...fulfil,
    ledger: createDynamoEventLedger({ client: dynamo, tableName: config.tableName }),
    verify: createWebhookVerifier({
      secret: config.webhookSecret,
      toleranceSeconds: config.toleranceSeconds,
    }),
    deadlineMs: overrides.webhookDeadlineMs ?? WEBHOOK_DEADLINE_MS,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
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

/** `GET /catalog` needs no secret and no table: only the catalog and the CORS allowlist. */
export function buildCatalogHandler(env: Env, overrides: WiringOverrides = {}): ApiHandler {
  return createCatalogRoute({
    catalog: overrides.catalog ?? loadBundledCatalog(),
    allowedOrigins: readAllowedOrigins(new EnvReader(env)),
    telemetry:
      overrides.telemetry ?? createPowertoolsTelemetry(env.POWERTOOLS_SERVICE_NAME ?? 'cart-checkout'),
  });
}
