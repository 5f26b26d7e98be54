import { createDynamoCodeStore } from '../adapters/dynamodb/code-store';
import { createDynamoQuoteStore } from '../adapters/dynamodb/quote-store';
import { createDynamoRateLimiter } from '../adapters/dynamodb/rate-limiter';
import { createDynamoSessionStore } from '../adapters/dynamodb/session-store';
import { createDynamoStockStore } from '../adapters/dynamodb/stock-store';
import { createTableClient, type TableClient } from '../adapters/dynamodb/table-client';
import { resolveSecretsManagerValue } from '../adapters/secrets-manager';
import type { CodeStore, QuoteStore, RateLimiter, StockStore } from '../app/ports';
import type { Telemetry } from '../app/telemetry';
import { type BaseConfig, type Env, EnvReader, loadBaseConfig } from '../config';
import type { Catalog } from '../domain/catalog';
import { createClientKeyer } from '../domain/client-key';
import type { ApiHandler } from '../http/route';
import { createCartQuoteRoute } from '../http/routes/cart-quote';
import { loadBundledCatalog, telemetryFor, type WiringOverrides } from './catalog';

/** Overrides of the table-backed routes. */
export interface TableOverrides extends WiringOverrides {
  /** The table client to use instead of a new one (tests wrap it to inject failures, benchmarks to count). */
  readonly tableClient?: TableClient;
}

export interface SharedDeps {
  readonly config: BaseConfig;
  readonly reader: EnvReader;
  readonly catalog: Catalog;
  readonly telemetry: Telemetry;
  readonly dynamo: TableClient;
  readonly store: QuoteStore;
  readonly limiter: RateLimiter;
  readonly codes: CodeStore;
  readonly stock: StockStore;
  readonly clientKeyOf: (ip: string) => string;
  readonly now: () => number;
}

/** Builds what the quote, checkout and session-status routes share from the environment. */
export async function buildSharedDeps(env: Env, overrides: TableOverrides = {}): Promise<SharedDeps> {
  const reader = new EnvReader(env, overrides.resolveSecret ?? resolveSecretsManagerValue);
  const config = await loadBaseConfig(reader);
  const dynamo =
    overrides.tableClient ?? createTableClient({ endpoint: config.dynamoEndpoint, region: env.AWS_REGION });
  const table = { client: dynamo, tableName: config.tableName };
  const signingSecret = config.signingKeys.keys.get(config.signingKeys.signingKeyId);
  if (!signingSecret) throw new Error('signing key missing after validation');
  return {
    config,
    reader,
    catalog: overrides.catalog ?? loadBundledCatalog(),
    telemetry: telemetryFor(env, overrides),
    dynamo,
    store: createDynamoQuoteStore(table),
    limiter: createDynamoRateLimiter(table),
    codes: createDynamoCodeStore(table),
    stock: createDynamoStockStore(table),
    clientKeyOf: createClientKeyer(signingSecret),
    now: overrides.now ?? Date.now,
  };
}

/** `POST /cart/quote`: the shared parts are all it needs. */
export function cartQuoteHandlerOf(shared: SharedDeps): ApiHandler {
  return createCartQuoteRoute({
    catalog: shared.catalog,
    store: shared.store,
    limiter: shared.limiter,
    codes: shared.codes,
    codeMissLimits: shared.config.rateLimits.codeMisses,
    stock: shared.stock,
    sessions: createDynamoSessionStore({ client: shared.dynamo, tableName: shared.config.tableName }),
    signingKeys: shared.config.signingKeys,
    quoteTtlSeconds: shared.config.quoteTtlSeconds,
    rateLimits: shared.config.rateLimits.quote,
    telemetry: shared.telemetry,
    allowedOrigins: shared.config.allowedOrigins,
    clientKeyOf: shared.clientKeyOf,
    now: shared.now,
  });
}
