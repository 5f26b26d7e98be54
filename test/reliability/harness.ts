import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startLocalStack } from '../../local/stack';
import type { StripeEmulator } from '../../local/stripe-emulator';
import type { Env } from '../../src/config';
import type { CartItem } from '../../src/domain/cart';
import type { Catalog } from '../../src/domain/catalog';
import type { ApiHandler } from '../../src/http/route';
import {
  buildCatalogHandler,
  buildSharedDeps,
  buildWebhookFunction,
  cartQuoteHandlerOf,
  checkoutHandlerOf,
  sessionStatusHandlerOf,
} from '../../src/wiring';
import type { WebhookFunction } from '../../src/wiring/payments';
import { createRecordingNotifier, createRecordingOrderMail, SHOP } from '../support/commerce-harness';
import { type TestTable, testDynamoEndpoint, uniqueTableName } from '../support/dynamo';
import { makeTestEnv, UNLIMITED_RATE_LIMITS } from '../support/env';
import { TEST_STRIPE_KEY, TEST_WEBHOOK_SECRET } from '../support/stripe';
import { registerSecrets } from './log-audit';

export interface LiveApi {
  readonly quote: ApiHandler;
  readonly checkout: ApiHandler;
  readonly webhook: ApiHandler;
  readonly status: ApiHandler;
  readonly catalog: ApiHandler;
  readonly notifier: ReturnType<typeof createRecordingNotifier>;
  readonly mail: ReturnType<typeof createRecordingOrderMail>;
  /** One run of the scheduled retry of owed order notifications. */
  readonly retryNotifications: WebhookFunction['retryNotifications'];
  readonly env: Env;
}

/**
 * Every route wired as in Lambda — real Powertools logging and metrics included — against a test
 * table and the Stripe emulator. Its secrets are registered with the log audit.
 */
export async function makeLiveApi(options: {
  readonly table: TestTable;
  readonly stripe: StripeEmulator;
  readonly now?: () => number;
  readonly env?: Env;
  /** Replaces the table client of every route (tests wrap it to inject failures). */
  readonly tableClient?: DynamoDBDocumentClient;
  /** `log`: the production log notifier instead of the recording one. */
  readonly notifier?: 'recording' | 'log';
}): Promise<LiveApi> {
  const env = makeTestEnv(options.table, {
    STRIPE_SECRET_KEY: TEST_STRIPE_KEY,
    STRIPE_API_BASE: options.stripe.url,
    STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    CHECKOUT_SUCCESS_URL: `${SHOP}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
    CHECKOUT_CANCEL_URL: `${SHOP}/cart`,
    NOTIFIER: 'log',
    ...UNLIMITED_RATE_LIMITS,
    ...options.env,
  });
  registerSecrets(env.QUOTE_SIGNING_KEYS, env.STRIPE_SECRET_KEY, env.STRIPE_WEBHOOK_SECRET);
  const notifier = createRecordingNotifier();
  const mail = createRecordingOrderMail();
  const overrides = {
    ...(options.now ? { now: options.now } : {}),
    ...(options.tableClient ? { tableClient: options.tableClient } : {}),
  };
  const fulfil = { ...overrides, ...(options.notifier === 'log' ? {} : { notifier, mail }) };
  const shared = await buildSharedDeps(env, overrides);
  return {
    quote: cartQuoteHandlerOf(shared),
    checkout: await checkoutHandlerOf(shared),
    ...(await buildWebhookFunction(env, fulfil)),
    status: await sessionStatusHandlerOf(shared, fulfil),
    catalog: buildCatalogHandler(env),
    notifier,
    mail,
    env,
  };
}

/** A random valid cart of 1–`maxLines` active products, each within its maximum quantity. */
export function randomCart(catalog: Catalog, random: () => number, maxLines = 6): CartItem[] {
  const active = catalog.products.filter((p) => p.active);
  const lines = 1 + Math.floor(random() * maxLines);
  const chosen = new Map<string, number>();
  while (chosen.size < lines) {
    const product = active[Math.floor(random() * active.length)];
    if (!product) continue;
    const max = Math.min(product.maxQuantity ?? catalog.defaultMaxQuantity, 6);
    chosen.set(product.sku, 1 + Math.floor(random() * max));
  }
  return [...chosen].map(([sku, quantity]) => ({ sku, quantity }));
}

/** Shuffles a copy of `items` with `random` (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Runs `run` over `items`, `limit` at a time. */
export async function runConcurrently<T>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await run(items[index] as T, index);
      }
    }),
  );
}

/**
 * The local stack in memory on ephemeral ports, without rate limits, with its secrets registered
 * for the log audit: what the suites that go through HTTP run against. Its table is a fresh one in
 * the run's shared DynamoDB Local.
 */
export async function startReliabilityStack(
  options: { readonly env?: Env; readonly now?: () => number } = {},
): Promise<LocalStack> {
  const stack = await startLocalStack({
    port: 0,
    stripePort: 0,
    dynamoEndpoint: testDynamoEndpoint(),
    dataDir: null,
    env: {
      NOTIFIER: 'log',
      COMMERCE_TABLE: uniqueTableName('reliability'),
      ...UNLIMITED_RATE_LIMITS,
      ...options.env,
    },
    ...(options.now ? { now: options.now } : {}),
  });
  registerSecrets(stack.env.QUOTE_SIGNING_KEYS, stack.env.STRIPE_WEBHOOK_SECRET, stack.env.STRIPE_SECRET_KEY);
  return stack;
}
