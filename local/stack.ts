import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureCommerceTable } from '../src/adapters/dynamodb/commerce-table';
import type { Telemetry } from '../src/app/telemetry';
import { DEFAULT_ALLOWED_ORIGINS, type Env } from '../src/config';
import type { Catalog } from '../src/domain/catalog';
import { buildCatalogHandler, buildSharedDeps, cartQuoteHandlerOf } from '../src/wiring';
import { type LocalRoute, startLocalApi } from './api-server';
import { createDevSecrets, loadOrCreateDevSecrets } from './dev-secrets';
import { type RunningDynalite, startDynalite } from './dynalite';

export interface LocalStackOptions {
  /** Port of the API (0 = any free port). */
  readonly port?: number;
  /** Where dynalite and the dev secrets live; in memory (and fresh secrets) when `null`. */
  readonly dataDir?: string | null;
  /** Environment the stack reads; defaults fill what it leaves unset. */
  readonly env?: Env;
  readonly catalog?: Catalog;
  readonly telemetry?: Telemetry;
}

export interface LocalStack {
  readonly url: string;
  readonly env: Env;
  /** What the stack started, for people. */
  readonly summary: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts the local stack in this process: dynalite (persisted under `dataDir`), the commerce table,
 * dev secrets, and the API on `port`, all through the same wiring as the Lambda handlers.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const baseEnv = options.env ?? process.env;
  const dataDir = options.dataDir === null ? null : resolve(options.dataDir ?? baseEnv.DATA_DIR ?? '.data');
  const summary: string[] = [];

  let dynamo: RunningDynalite;
  let secrets: ReturnType<typeof loadOrCreateDevSecrets>['secrets'];
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    dynamo = await startDynalite({ path: join(dataDir, 'dynamodb') });
    const loaded = loadOrCreateDevSecrets(dataDir);
    secrets = loaded.secrets;
    summary.push(
      `dev secrets     ${loaded.created ? 'generated into' : 'read from'} ${join(dataDir, 'dev-secrets.json')}`,
    );
  } else {
    dynamo = await startDynalite();
    secrets = createDevSecrets();
  }

  const tableName = baseEnv.COMMERCE_TABLE ?? 'babesclub-commerce';
  const admin = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableState = await ensureCommerceTable(admin, tableName);
  admin.destroy();
  summary.push(
    `DynamoDB        dynalite at ${dynamo.endpoint} (${dataDir ? `data in ${join(dataDir, 'dynamodb')}` : 'in memory'}), table ${tableName} ${tableState === 'created' ? 'created' : 'reused'}`,
  );

  // The API's own origin is allowed, so the demo storefront can call it as a separate site would.
  const requestedPort = options.port ?? Number(baseEnv.PORT ?? 3000);
  const routes = new Map<string, LocalRoute>();
  const api = await startLocalApi({ routes, port: requestedPort });
  const ownOrigins = [`http://localhost:${api.port}`, `http://127.0.0.1:${api.port}`];

  const env: Env = {
    ...baseEnv,
    COMMERCE_TABLE: tableName,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    QUOTE_SIGNING_KEYS: baseEnv.QUOTE_SIGNING_KEYS ?? secrets.quoteSigningKeys,
    QUOTE_SIGNING_KEY_ID: baseEnv.QUOTE_SIGNING_KEYS
      ? baseEnv.QUOTE_SIGNING_KEY_ID
      : secrets.quoteSigningKeyId,
    STRIPE_WEBHOOK_SECRET: baseEnv.STRIPE_WEBHOOK_SECRET ?? secrets.stripeWebhookSecret,
    ALLOWED_ORIGINS: baseEnv.ALLOWED_ORIGINS ?? [...DEFAULT_ALLOWED_ORIGINS, ...ownOrigins].join(','),
  };
  const overrides = {
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  };
  const shared = await buildSharedDeps(env, overrides);
  routes.set('/cart/quote', { kind: 'lambda', handler: cartQuoteHandlerOf(shared) });
  routes.set('/catalog', {
    kind: 'lambda',
    handler: buildCatalogHandler(env, { ...overrides, telemetry: shared.telemetry }),
  });
  routes.set('/health', {
    kind: 'node',
    handler: (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ status: 'ok', catalogVersion: shared.catalog.version }));
    },
  });
  summary.push(`API             ${api.url}  (POST /cart/quote, GET /catalog, GET /health)`);
  summary.push(`CORS allowlist  ${String(env.ALLOWED_ORIGINS)}`);

  return {
    url: api.url,
    env,
    summary,
    close: async () => {
      await api.close();
      shared.dynamo.destroy();
      await dynamo.close();
    },
  };
}
