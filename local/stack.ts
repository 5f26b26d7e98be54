import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureCommerceTable } from '../src/adapters/dynamodb/commerce-table';
import type { Notifier } from '../src/app/ports';
import type { Telemetry } from '../src/app/telemetry';
import type { Env } from '../src/config';
import type { Catalog } from '../src/domain/catalog';
import {
  buildCatalogHandler,
  buildSharedDeps,
  buildWebhookFunction,
  cartQuoteHandlerOf,
  checkoutHandlerOf,
  loadBundledCatalog,
  sessionStatusHandlerOf,
} from '../src/wiring';
import { type LocalRoute, startLocalApi } from './api-server';
import { createDevSecrets, loadOrCreateDevSecrets } from './dev-secrets';
import { startDynamoDbLocal } from './dynamodb-local';
import { seedSampleStock } from './sample-stock';
import { buildStorefront, STOREFRONT_PAGES, storefrontHandler } from './storefront';
import { pricesFromCatalogProducts, type StripeEmulator, startStripeEmulator } from './stripe-emulator';

/** The emulator accepts any test key; this one names itself in logs. */
export const LOCAL_STRIPE_KEY = 'sk_test_local_emulator';

export interface LocalStackOptions {
  /** Port of the API (0 = any free port). Defaults to `PORT`, then 3000. */
  readonly port?: number;
  /** Port of the Stripe emulator (0 = any). Defaults to `STRIPE_EMULATOR_PORT`, then 12111. */
  readonly stripePort?: number;
  /** Port of DynamoDB Local (0 = any free port). Defaults to `DYNAMODB_PORT`, then 8000. */
  readonly dynamoPort?: number;
  /**
   * A DynamoDB that already runs (the test run's shared DynamoDB Local): the stack makes its table
   * there instead of starting DynamoDB Local, and leaves it running on close.
   */
  readonly dynamoEndpoint?: string;
  /** Where DynamoDB Local's data, dev secrets and the outbox live; in memory (fresh secrets) when `null`. */
  readonly dataDir?: string | null;
  /** Environment the stack reads; defaults fill what it leaves unset. */
  readonly env?: Env;
  readonly catalog?: Catalog;
  readonly telemetry?: Telemetry;
  readonly notifier?: Notifier;
  /** Lines the emulator logs (requests, deliveries); dropped by default. */
  readonly emulatorLog?: (line: string) => void;
  /**
   * Tells tools run from elsewhere (`npm run orders`) that this stack is the one running (`npm start`
   * does; tests do not, so they never hide or replace the developer's stack).
   */
  readonly announce?: boolean;
  /** Epoch milliseconds for the routes and the emulator (tests move it forward); the real clock otherwise. */
  readonly now?: () => number;
}

export interface LocalStack {
  readonly url: string;
  readonly env: Env;
  readonly dynamoEndpoint: string;
  /** The Stripe emulator, unless real Stripe is configured (`STRIPE_SECRET_KEY`). */
  readonly stripe: StripeEmulator | null;
  /** What the stack started, for people. */
  readonly summary: readonly string[];
  close(): Promise<void>;
}

/** The local table's name unless `COMMERCE_TABLE` says otherwise (no shop's name: any shop runs it). */
export const LOCAL_TABLE_NAME = 'cart-checkout-local';

/** The Stripe emulator's state, under the data dir next to the table. */
export const STRIPE_STATE_FILE = 'stripe-emulator.json';

/** Written while the stack runs, so `npm run orders` can reach its DynamoDB. */
export const STACK_FILE = 'local-stack.json';
/** The running `npm start`, for tools run from elsewhere (one per user). */
export const RUNNING_STACK_POINTER = join(tmpdir(), `cart-checkout-local-stack-${userInfo().uid}.json`);

/** Removes the pointer if it is still this process's (a later `npm start` may have replaced it). */
function removeOwnPointer(): void {
  try {
    const pointer = JSON.parse(readFileSync(RUNNING_STACK_POINTER, 'utf8')) as { pid?: unknown };
    if (pointer.pid === process.pid) rmSync(RUNNING_STACK_POINTER, { force: true });
  } catch {
    // Gone or unreadable: nothing of ours to remove.
  }
}
/** DynamoDB Local's data, under the data dir. */
export const DYNAMODB_DATA_DIR = 'dynamodb-local';
/** Where dynalite, the stack's DynamoDB before DynamoDB Local, kept its data (LevelDB); no longer read. */
export const DYNALITE_DATA_DIR = 'dynamodb';
/** The local stack retries owed order notifications this often (the deployed schedule: 5 minutes). */
const NOTIFICATION_RETRY_INTERVAL_MS = 30_000;

/**
 * Starts the local stack: AWS's DynamoDB Local (a child JVM, persisted under `dataDir`), the commerce table,
 * dev secrets, the Stripe emulator (delivering signed events to the local webhook), and the API with
 * every route — all through the same wiring as the Lambda handlers.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const baseEnv = options.env ?? process.env;
  const dataDir = options.dataDir === null ? null : resolve(options.dataDir ?? baseEnv.DATA_DIR ?? '.data');
  const summary: string[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  const portOf = (explicit: number | undefined, name: string, fallback: number) =>
    explicit ?? Number(baseEnv[name] ?? fallback);

  try {
    let secrets = createDevSecrets();
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      const loaded = loadOrCreateDevSecrets(dataDir);
      secrets = loaded.secrets;
      summary.push(
        `dev secrets     ${loaded.created ? 'generated into' : 'read from'} ${join(dataDir, 'dev-secrets.json')}`,
      );
    }
    const dynamoDir = dataDir ? join(dataDir, DYNAMODB_DATA_DIR) : null;
    // DynamoDB Local is a JVM that takes seconds to start: it starts first, the rest meanwhile.
    const dynamoStarting =
      options.dynamoEndpoint === undefined
        ? startDynamoDbLocal({
            port: portOf(options.dynamoPort, 'DYNAMODB_PORT', 8000),
            ...(dynamoDir ? { dbPath: dynamoDir } : {}),
          })
        : null;
    if (dynamoStarting) {
      // Awaited below; until then a failure must not surface as an unhandled rejection.
      dynamoStarting.catch(() => undefined);
      closers.push(async () => (await dynamoStarting).close());
    }
    const storefrontBuilt = buildStorefront();
    storefrontBuilt.catch(() => undefined);
    const dynamoSummaryAt = summary.length;

    const routes = new Map<string, LocalRoute>();
    const api = await startLocalApi({ routes, port: portOf(options.port, 'PORT', 3000) });
    closers.unshift(() => api.close());
    const ownOrigins = [`http://localhost:${api.port}`, `http://127.0.0.1:${api.port}`];
    const webhookSecret = baseEnv.STRIPE_WEBHOOK_SECRET ?? secrets.stripeWebhookSecret;
    const catalog = options.catalog ?? loadBundledCatalog();

    let stripe: StripeEmulator | null = null;
    if (!baseEnv.STRIPE_SECRET_KEY) {
      // Sessions outlive a restart like the orders in the table, so a paid order's success page still loads.
      const stripeStateFile = dataDir ? join(dataDir, STRIPE_STATE_FILE) : null;
      stripe = await startStripeEmulator({
        port: portOf(options.stripePort, 'STRIPE_EMULATOR_PORT', 12111),
        webhookUrl: `${api.url}/stripe/webhook`,
        webhookSecret,
        prices: pricesFromCatalogProducts(catalog.sellables),
        expireIntervalMs: 30_000,
        ...(options.now ? { now: options.now } : {}),
        ...(options.emulatorLog ? { log: options.emulatorLog } : {}),
        ...(stripeStateFile ? { stateFile: stripeStateFile } : {}),
      });
      closers.unshift(() => stripe?.close());
      summary.push(
        `Stripe          emulator at ${stripe.url}, delivering events to ${api.url}/stripe/webhook (${stripeStateFile ? `state in ${stripeStateFile}` : 'state in memory'})`,
      );
    } else {
      summary.push(
        'Stripe          real Stripe (STRIPE_SECRET_KEY is set); register the webhook with the Stripe CLI',
      );
    }

    const dynamoEndpoint = dynamoStarting ? (await dynamoStarting).endpoint : String(options.dynamoEndpoint);
    const tableName = baseEnv.COMMERCE_TABLE ?? LOCAL_TABLE_NAME;
    const admin = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tableState = await ensureCommerceTable(admin, tableName).finally(() => admin.destroy());
    summary.splice(
      dynamoSummaryAt,
      0,
      dynamoStarting
        ? `DynamoDB        DynamoDB Local at ${dynamoEndpoint} (${dynamoDir ? `data in ${dynamoDir}` : 'in memory'}), table ${tableName} ${tableState}`
        : `DynamoDB        ${dynamoEndpoint} (given), table ${tableName} ${tableState}`,
    );
    if (dataDir && existsSync(join(dataDir, DYNALITE_DATA_DIR))) {
      // Left by the stack before DynamoDB Local (dynalite's LevelDB files): kept, never read or deleted.
      summary.push(
        `Old data        ${join(dataDir, DYNALITE_DATA_DIR)} is dynalite's (before DynamoDB Local) and is not read; delete it when you no longer need it`,
      );
    }

    const env: Env = {
      NOTIFIER: dataDir ? 'outbox' : 'log',
      ...baseEnv,
      COMMERCE_TABLE: tableName,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      DATA_DIR: dataDir ?? undefined,
      QUOTE_SIGNING_KEYS: baseEnv.QUOTE_SIGNING_KEYS ?? secrets.quoteSigningKeys,
      QUOTE_SIGNING_KEY_ID: baseEnv.QUOTE_SIGNING_KEYS
        ? baseEnv.QUOTE_SIGNING_KEY_ID
        : secrets.quoteSigningKeyId,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_SECRET_KEY: baseEnv.STRIPE_SECRET_KEY ?? LOCAL_STRIPE_KEY,
      STRIPE_API_BASE: stripe ? stripe.url : baseEnv.STRIPE_API_BASE,
      // The storefront at `/` is one of the API's clients, so its origin is always allowed.
      ALLOWED_ORIGINS: allowedOriginsWith(baseEnv.ALLOWED_ORIGINS, ownOrigins),
      CHECKOUT_SUCCESS_URL:
        baseEnv.CHECKOUT_SUCCESS_URL ?? `${api.url}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
      CHECKOUT_CANCEL_URL: baseEnv.CHECKOUT_CANCEL_URL ?? `${api.url}/checkout/cancel`,
    };
    const overrides = {
      catalog,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      ...(options.now ? { now: options.now } : {}),
    };
    const shared = await buildSharedDeps(env, overrides);
    closers.push(() => shared.dynamo.close());
    if (tableState === 'created') {
      summary.push(
        await seedSampleStock(catalog, shared.stock, Math.floor((options.now ?? Date.now)() / 1000)),
      );
    }
    const fulfilOverrides = {
      ...overrides,
      telemetry: shared.telemetry,
      ...(options.notifier ? { notifier: options.notifier } : {}),
    };
    routes.set('/cart/quote', { kind: 'lambda', handler: cartQuoteHandlerOf(shared) });
    routes.set('/catalog', {
      kind: 'lambda',
      handler: buildCatalogHandler(env, {
        ...overrides,
        telemetry: shared.telemetry,
        tableClient: shared.dynamo,
      }),
    });
    routes.set('/checkout/create-session', { kind: 'lambda', handler: await checkoutHandlerOf(shared) });
    routes.set('/checkout/session-status', {
      kind: 'lambda',
      handler: await sessionStatusHandlerOf(shared, fulfilOverrides),
    });
    const webhookFunction = await buildWebhookFunction(env, fulfilOverrides);
    routes.set('/stripe/webhook', { kind: 'lambda', handler: webhookFunction.webhook });
    // As the deployed schedule does every five minutes: send the order notifications still owed.
    const retryTimer = setInterval(() => {
      webhookFunction
        .sweepHolds()
        .then(() => webhookFunction.retryNotifications())
        .catch(() => undefined);
    }, NOTIFICATION_RETRY_INTERVAL_MS);
    retryTimer.unref();
    closers.unshift(() => clearInterval(retryTimer));
    const storefrontAssets = await storefrontBuilt;
    const storefront = storefrontHandler(storefrontAssets, { apiBase: '', canonicalOrigin: api.url });
    // The pages, the script and styles, and the product images the catalog names (`/images/…`).
    for (const path of [...STOREFRONT_PAGES, ...storefrontAssets.files.keys()]) {
      routes.set(path, { kind: 'node', handler: storefront });
    }
    routes.set('/health', {
      kind: 'node',
      handler: (_req, res) => {
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        res.end(JSON.stringify({ status: 'ok', catalogVersion: catalog.version }));
      },
    });
    summary.push(
      `API             ${api.url}  (POST /cart/quote, POST /checkout/create-session, GET /checkout/session-status, POST /stripe/webhook, GET /catalog, GET /health)`,
    );
    summary.push(`Storefront      ${api.url}/  (checkout returns to /checkout/success and /checkout/cancel)`);
    summary.push(`CORS allowlist  ${String(env.ALLOWED_ORIGINS)}`);
    summary.push(
      `Notifications   ${env.NOTIFIER === 'outbox' ? `outbox files in ${String(env.OUTBOX_DIR ?? join(String(dataDir), 'outbox'))}` : String(env.NOTIFIER)}`,
    );

    if (dataDir) {
      const stackFile = join(dataDir, STACK_FILE);
      const running = {
        pid: process.pid,
        apiUrl: api.url,
        dynamoEndpoint,
        tableName,
        stripeUrl: stripe?.url ?? null,
      };
      writeFileSync(stackFile, `${JSON.stringify(running, null, 2)}\n`);
      closers.unshift(() => rmSync(stackFile, { force: true }));
      if (options.announce) {
        // Also where `npm run orders` looks when it is not told the data dir: it finds this stack
        // from any folder and with any DATA_DIR, instead of answering from an empty default.
        writeFileSync(RUNNING_STACK_POINTER, `${JSON.stringify({ ...running, dataDir }, null, 2)}\n`);
        closers.unshift(() => removeOwnPointer());
      }
    }

    return {
      url: api.url,
      env,
      dynamoEndpoint,
      stripe,
      summary,
      close: () => closeAll(closers),
    };
  } catch (err: unknown) {
    await closeAll(closers);
    throw err;
  }
}

/** The configured allowlist (if any) plus the local stack's own origins, each once. */
function allowedOriginsWith(configured: string | undefined, own: readonly string[]): string {
  const origins = (configured ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  return [...new Set([...origins, ...own])].join(',');
}

async function closeAll(closers: readonly (() => Promise<void> | void)[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch {
      // Keep closing the rest.
    }
  }
}
