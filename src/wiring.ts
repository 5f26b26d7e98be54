import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import catalogData from '../catalog/catalog.json';
import { createDocumentClient } from './adapters/dynamodb/commerce-table';
import { createDynamoQuoteStore } from './adapters/dynamodb/quote-store';
import { createDynamoRateLimiter } from './adapters/dynamodb/rate-limiter';
import { createDynamoSessionStore } from './adapters/dynamodb/session-store';
import { createPowertoolsTelemetry } from './adapters/powertools';
import { createStripeClient } from './adapters/stripe/stripe-client';
import { createStripeGateway } from './adapters/stripe/stripe-gateway';
import type { CheckoutGateway, QuoteStore, RateLimiter } from './app/ports';
import type { Telemetry } from './app/telemetry';
import {
  type BaseConfig,
  type Env,
  EnvReader,
  loadBaseConfig,
  loadCheckoutConfig,
  readAllowedOrigins,
  type SecretResolver,
} from './config';
import { type Catalog, parseCatalog } from './domain/catalog';
import { createClientKeyer } from './domain/client-key';
import type { ApiHandler } from './http/route';
import { createCartQuoteRoute } from './http/routes/cart-quote';
import { createCatalogRoute } from './http/routes/catalog';
import { createCheckoutSessionRoute } from './http/routes/checkout-create-session';

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

/** `GET /catalog` needs no secret and no table: only the catalog and the CORS allowlist. */
export function buildCatalogHandler(env: Env, overrides: WiringOverrides = {}): ApiHandler {
  return createCatalogRoute({
    catalog: overrides.catalog ?? loadBundledCatalog(),
    allowedOrigins: readAllowedOrigins(new EnvReader(env)),
    telemetry:
      overrides.telemetry ?? createPowertoolsTelemetry(env.POWERTOOLS_SERVICE_NAME ?? 'cart-checkout'),
  });
}
