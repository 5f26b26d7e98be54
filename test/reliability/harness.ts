import { type LocalStack, startLocalStack } from '../../local/stack';
import type { StripeEmulator } from '../../local/stripe-emulator';
import type { TableClient } from '../../src/adapters/dynamodb/table-client';
import type { SweepSummary } from '../../src/app/stock-holds';
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
import { interceptTable, type TestTable, testDynamoEndpoint, uniqueTableName } from '../support/dynamo';
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
  /** One run of the scheduled sweep of stock holds. */
  readonly sweepHolds: (timeLeftMs?: () => number) => Promise<SweepSummary>;
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
  readonly tableClient?: TableClient;
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

/**
 * A random valid cart of 1–`maxLines` active products (one size each), each within its maximum
 * quantity. Only untracked SKUs: these carts test pricing and signatures, never stock.
 */
export function randomCart(catalog: Catalog, random: () => number, maxLines = 6): CartItem[] {
  const products = catalog.products
    .filter((p) => p.active)
    .map((p) => catalog.sellables.filter((s) => s.productSku === p.sku && s.active && !s.inventory.tracked))
    .filter((sizes) => sizes.length > 0);
  const lines = 1 + Math.floor(random() * Math.min(maxLines, products.length));
  const chosen = new Map<string, number>();
  const used = new Set<number>();
  while (chosen.size < lines) {
    const index = Math.floor(random() * products.length);
    const sizes = products[index];
    const sellable = sizes?.[Math.floor(random() * sizes.length)];
    if (!sellable || used.has(index)) continue;
    used.add(index);
    const product = catalog.productsBySku.get(sellable.productSku);
    const max = Math.min(product?.maxQuantity ?? catalog.defaultMaxQuantity, 6);
    chosen.set(sellable.sku, 1 + Math.floor(random() * max));
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

/**
 * A table client that fails a share of calls, as a network or DynamoDB would: half of the failures
 * lose the request, half lose the answer after the write happened. The share is set per round.
 */
export function flakyTable(table: Pick<TestTable, 'client'>, random: () => number) {
  const state = {
    failureRate: 0,
    injected: 0,
    lostNotifyMarks: new Map<string, number>(),
    /** Lost marks of sent "do not ship" alerts, by order item sort key (`<paidAt>#<sessionId>`). */
    lostAlertMarks: new Map<string, number>(),
  };
  const client = interceptTable(table.client, async ({ input }, proceed) => {
    if (random() >= state.failureRate) return proceed();
    state.injected += 1;
    const itemKey = input.Key as { PK?: unknown; SK?: unknown } | undefined;
    const key = String(itemKey?.PK ?? '');
    const update = String(input.UpdateExpression ?? '');
    if (random() < 0.5) {
      // A notification sent but never marked as sent is the design's at-least-once window
      // (decision 11): each lost mark may cost one repeated notification.
      if (update.includes('notifiedAt = if_not_exists')) {
        state.lostNotifyMarks.set(key, (state.lostNotifyMarks.get(key) ?? 0) + 1);
      }
      // The same window for an order's "do not ship" alert (decision 143).
      const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
      if (names?.['#sent'] === 'alertedSeq' && update === 'SET #sent = :upTo') {
        const sk = String(itemKey?.SK ?? '');
        state.lostAlertMarks.set(sk, (state.lostAlertMarks.get(sk) ?? 0) + 1);
      }
      throw Object.assign(new Error('injected: request lost'), { name: 'NetworkingError' });
    }
    await proceed();
    throw Object.assign(new Error('injected: answer lost'), { name: 'TimeoutError' });
  });
  return { client, state };
}

/** A JSON POST to the stack's API from its own storefront's origin; the answer's status and body. */
export async function postToStack(
  stack: LocalStack,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: new URL(stack.url).origin },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** What the customer does on the emulator's hosted page: a form post, as its buttons send it. */
export async function payOnHostedPage(
  stack: LocalStack,
  sessionId: string,
  action: 'pay' | 'pay_async' = 'pay',
): Promise<number> {
  if (!stack.stripe) throw new Error('the stack runs real Stripe, not the emulator');
  const response = await fetch(`${stack.stripe.url}/pay/${encodeURIComponent(sessionId)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action }).toString(),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}
