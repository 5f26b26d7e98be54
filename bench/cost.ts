import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HANDLERS, type HandlerName } from '../infra/lib/handlers';
import { createTableClient } from '../src/adapters/dynamodb/table-client';
import { WEBHOOK_TABLE_CALL_MS } from '../src/app/time-budgets';
import type { ApiHandler } from '../src/http/route';
import {
  buildCatalogHandler,
  buildSharedDeps,
  buildWebhookHandler,
  cartQuoteHandlerOf,
  checkoutHandlerOf,
  sessionStatusHandlerOf,
} from '../src/wiring';
import { makeProxyEvent } from '../test/support/events';
import { type DynamoCall, tallyDynamoCalls } from './dynamo-tally';
import { BenchShop, startBenchStack } from './fixtures';
import { median } from './http-load';

/** On-demand list prices, us-east-1 (AWS pricing pages, checked November 2026). Free tiers left out. */
export const PRICES = {
  region: 'us-east-1',
  /** DynamoDB on-demand (Standard table class), per write / read request unit. */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** Lambda, arm64, first pricing tier. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** API Gateway REST API, first 333 million requests a month. */
  apiGatewayRequest: 3.5 / 1e6,
  /** CloudWatch Logs ingestion (Standard log class), per GiB. */
  logsPerGib: 0.5,
} as const;

/**
 * What the local stack cannot show: network time in AWS. A Lambda is billed while it waits, so
 * each DynamoDB request and each Stripe call adds this much to the measured in-process time.
 */
export const ASSUMED_WAIT_MS = { dynamoRequest: 5, stripeCall: 250 } as const;

type RouteName = HandlerName;

/** Memory of each function, as the CDK app deploys it. */
export const MEMORY_MB = Object.fromEntries(HANDLERS.map((h) => [h.name, h.memoryMb])) as Readonly<
  Record<RouteName, number>
>;

interface Scenario {
  readonly name: string;
  readonly route: RouteName;
  /** The fewest DynamoDB requests the design allows for this call, and why. */
  readonly minimum: { readonly reads: number; readonly writes: number; readonly why: string };
  /** Prepares one call (not counted) and returns its request. */
  prepare(): Promise<APIGatewayProxyEvent>;
}

export interface ScenarioCost {
  readonly name: string;
  readonly route: RouteName;
  readonly minimum: Scenario['minimum'];
  /** Per call, averaged. */
  readonly reads: number;
  readonly writes: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly operations: string;
  readonly computedUnits: boolean;
  readonly stripeCalls: number;
  readonly handlerMs: number;
  readonly logBytes: number;
  readonly statuses: string;
}

const CALLS_PER_SCENARIO = 20;
const STRIPE_ROUTES = [
  'POST /v1/coupons',
  'GET /v1/coupons/:id',
  'DELETE /v1/coupons/:id',
  'POST /v1/checkout/sessions',
  'GET /v1/checkout/sessions/:id',
];

/**
 * Runs every route's typical calls through handlers wired exactly as in Lambda, against the bench's
 * DynamoDB Local and Stripe emulator, with a document client that counts each DynamoDB request and the
 * capacity it consumed, and real Powertools logging at INFO (its bytes are counted, then dropped).
 */
export async function measureCosts(): Promise<ScenarioCost[]> {
  const stack = await startBenchStack();
  const saved = { level: process.env.POWERTOOLS_LOG_LEVEL, metrics: process.env.POWERTOOLS_METRICS_DISABLED };
  const output = captureStdout();
  try {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const endpoint = stack.dynamoEndpoint;
    const tally = tallyDynamoCalls(createTableClient({ endpoint }), { endpoint });
    const webhookTally = tallyDynamoCalls(
      createTableClient({ endpoint, requestTimeoutMs: WEBHOOK_TABLE_CALL_MS, maxAttempts: 2 }),
      { endpoint },
    );
    const tableClient = tally.client;
    const shared = await buildSharedDeps(stack.env, { tableClient });
    const handlers: Record<RouteName, ApiHandler> = {
      'cart-quote': cartQuoteHandlerOf(shared),
      catalog: buildCatalogHandler(stack.env, { tableClient }),
      'checkout-create-session': await checkoutHandlerOf(shared),
      'checkout-session-status': await sessionStatusHandlerOf(shared),
      'stripe-webhook': await buildWebhookHandler(stack.env, { tableClient: webhookTally.client }),
    };
    const shop = new BenchShop(stack, 5_000);
    const results: ScenarioCost[] = [];
    for (const scenario of scenarios(shop, handlers)) {
      const calls: DynamoCall[][] = [];
      const stripeCalls: number[] = [];
      const durations: number[] = [];
      const logBytes: number[] = [];
      const statuses = new Map<number, number>();
      for (let i = 0; i < CALLS_PER_SCENARIO; i += 1) {
        const event = await scenario.prepare();
        tally.reset();
        webhookTally.reset();
        const stripeBefore = stripeRequests(stack.stripe);
        output.start();
        const started = performance.now();
        const result = await handlers[scenario.route](event);
        durations.push(performance.now() - started);
        logBytes.push(output.stop());
        stripeCalls.push(stripeRequests(stack.stripe) - stripeBefore);
        calls.push([...tally.calls, ...webhookTally.calls]);
        statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      }
      results.push(summarise(scenario, calls, stripeCalls, durations, logBytes, statuses));
    }
    tally.close();
    webhookTally.close();
    tally.client.close();
    webhookTally.client.close();
    return results;
  } finally {
    output.release();
    process.env.POWERTOOLS_LOG_LEVEL = saved.level;
    process.env.POWERTOOLS_METRICS_DISABLED = saved.metrics;
    await stack.close();
  }
}

function scenarios(shop: BenchShop, handlers: Record<RouteName, ApiHandler>): Scenario[] {
  const headers = shop.browserHeaders;
  const quoteEvent = (items: unknown) => makeProxyEvent({ path: '/cart/quote', body: { items }, headers });
  const checkoutEvent = (q: { items: unknown; quoteSignature: string }) =>
    makeProxyEvent({
      path: '/checkout/create-session',
      body: { items: q.items, quoteSignature: q.quoteSignature, email: 'bench@example.com' },
      headers,
    });
  const statusEvent = (sessionId: string) =>
    makeProxyEvent({
      method: 'GET',
      path: '/checkout/session-status',
      query: { session_id: sessionId },
      headers: { Origin: shop.origin },
    });
  const webhookEvent = (delivery: { body: string; headers: Record<string, string> }) =>
    makeProxyEvent({ path: '/stripe/webhook', rawBody: delivery.body, headers: delivery.headers });
  return [
    {
      name: 'quote, new cart',
      route: 'cart-quote',
      minimum: {
        reads: 2,
        writes: 2,
        why: 'rate-limit update, cache query and stock batch get (in parallel), one put (the priced cart)',
      },
      prepare: async () => quoteEvent(shop.freshCart()),
    },
    {
      name: 'quote, same cart again',
      route: 'cart-quote',
      minimum: {
        reads: 2,
        writes: 1,
        why: 'rate-limit update, cache query and stock batch get (in parallel)',
      },
      prepare: async () => quoteEvent((await shop.quote()).items),
    },
    {
      name: 'create-session, new',
      route: 'checkout-create-session',
      minimum: {
        reads: 1,
        writes: 8,
        why: '2 rate-limit updates and slot read (together), slot lease, the stock hold (one transaction), 2 conditional puts and the hold noting its session (together), slot settle',
      },
      prepare: async () => checkoutEvent(await shop.quote()),
    },
    {
      name: 'create-session, again (double click)',
      route: 'checkout-create-session',
      minimum: { reads: 1, writes: 2, why: '2 rate-limit updates and slot read (together)' },
      prepare: async () => {
        const quote = await shop.quote();
        await handlers['checkout-create-session'](checkoutEvent(quote));
        return checkoutEvent(quote);
      },
    },
    {
      name: 'webhook, checkout.session.completed',
      route: 'stripe-webhook',
      minimum: {
        reads: 0,
        writes: 12,
        why: 'event lease + finish, paid, the hold sold (one transaction), order, slot mirror, payment link, notify claim + mark (session, then order), coupon owner + release',
      },
      prepare: async () => webhookEvent((await shop.paidSession()).event),
    },
    {
      name: 'webhook, duplicate delivery',
      route: 'stripe-webhook',
      minimum: { reads: 1, writes: 1, why: 'refused event lease, consistent read of the marker' },
      prepare: async () => {
        const event = webhookEvent((await shop.paidSession()).event);
        await handlers['stripe-webhook'](event);
        return event;
      },
    },
    {
      name: 'webhook, checkout.session.expired',
      route: 'stripe-webhook',
      minimum: {
        reads: 1,
        writes: 7,
        why: 'event lease + finish, status, session read, slot mirror, coupon owner + release, the hold released (one transaction)',
      },
      prepare: async () => {
        const sessionId = await shop.openSession();
        const expired = shop.stack.stripe.expireSession(sessionId);
        const record = shop.stack.stripe
          .events('checkout.session.expired')
          .find((r) => (r.event.data.object as { id?: string }).id === expired.id);
        if (!record) throw new Error('no expired event');
        return webhookEvent(shop.signedEvent(record.event));
      },
    },
    {
      name: 'session-status, after the webhook',
      route: 'checkout-session-status',
      minimum: { reads: 1, writes: 1, why: 'rate-limit update and consistent session read (together)' },
      prepare: async () => {
        const paid = await shop.paidSession();
        await handlers['stripe-webhook'](webhookEvent(paid.event));
        return statusEvent(paid.sessionId);
      },
    },
    {
      name: 'session-status, before the webhook',
      route: 'checkout-session-status',
      minimum: { reads: 1, writes: 11, why: 'rate-limit update, session read, then fulfilment (10 writes)' },
      prepare: async () => statusEvent((await shop.paidSession()).sessionId),
    },
    {
      name: 'catalog',
      route: 'catalog',
      minimum: { reads: 1, writes: 0, why: 'one query of the stock partition' },
      prepare: async () =>
        makeProxyEvent({ method: 'GET', path: '/catalog', headers: { Origin: shop.origin } }),
    },
  ];
}

function summarise(
  scenario: Scenario,
  calls: readonly DynamoCall[][],
  stripeCalls: readonly number[],
  durations: readonly number[],
  logBytes: readonly number[],
  statuses: ReadonlyMap<number, number>,
): ScenarioCost {
  const all = calls.flat();
  const perCall = (value: number) => value / calls.length;
  const byOperation = new Map<string, number>();
  for (const call of all) {
    const label = call.failedCondition ? `${call.operation} (refused)` : call.operation;
    byOperation.set(label, (byOperation.get(label) ?? 0) + 1);
  }
  return {
    name: scenario.name,
    route: scenario.route,
    minimum: scenario.minimum,
    reads: perCall(all.filter((c) => c.kind === 'read').length),
    writes: perCall(all.filter((c) => c.kind === 'write').length),
    readUnits: perCall(all.filter((c) => c.kind === 'read').reduce((sum, c) => sum + c.units, 0)),
    writeUnits: perCall(all.filter((c) => c.kind === 'write').reduce((sum, c) => sum + c.units, 0)),
    operations: [...byOperation].map(([op, n]) => `${op} ×${trim(perCall(n))}`).join(', '),
    computedUnits: all.some((c) => c.source === 'computed'),
    stripeCalls: perCall(stripeCalls.reduce((a, b) => a + b, 0)),
    handlerMs: median([...durations]),
    logBytes: perCall(logBytes.reduce((a, b) => a + b, 0)),
    statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(' '),
  };
}

const trim = (n: number) => String(Number(n.toFixed(2)));

function stripeRequests(stripe: { requestCount(route: string): number }): number {
  return STRIPE_ROUTES.reduce((sum, route) => sum + stripe.requestCount(route), 0);
}

/** Counts (and swallows) what is written to stdout between `start` and `stop`; the rest passes. */
function captureStdout() {
  const original = process.stdout.write.bind(process.stdout);
  let counting = false;
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (counting) {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    // Everything else of this section (the bench stack's own logs) is dropped too: not a figure.
    return true;
  }) as typeof process.stdout.write;
  return {
    start() {
      counting = true;
      bytes = 0;
    },
    stop(): number {
      counting = false;
      return bytes;
    },
    release() {
      process.stdout.write = original;
    },
  };
}

/** What one call costs in AWS, by service, in dollars. */
export function dollarsPerCall(cost: ScenarioCost): {
  dynamo: number;
  lambda: number;
  apiGateway: number;
  logs: number;
} {
  const billedMs = Math.ceil(
    cost.handlerMs +
      (cost.reads + cost.writes) * ASSUMED_WAIT_MS.dynamoRequest +
      cost.stripeCalls * ASSUMED_WAIT_MS.stripeCall,
  );
  return {
    dynamo: cost.readUnits * PRICES.dynamoReadUnit + cost.writeUnits * PRICES.dynamoWriteUnit,
    lambda: (MEMORY_MB[cost.route] / 1024) * (billedMs / 1000) * PRICES.lambdaGbSecond + PRICES.lambdaRequest,
    apiGateway: PRICES.apiGatewayRequest,
    logs: (cost.logBytes / 2 ** 30) * PRICES.logsPerGib,
  };
}

const usd = (value: number) => `$${value < 0.01 ? value.toFixed(5) : value.toFixed(4)}`;

/** The cost section of `npm run bench`. */
export async function runCostBench(): Promise<string> {
  const costs = await measureCosts();
  const lines = [
    `DynamoDB work per call, counted at the table client (ReturnConsumedCapacity: TOTAL, as DynamoDB Local computes it`,
    `from item sizes; refused conditional writes return none and are computed by DynamoDB's rules: the`,
    `larger of the stored and the sent item, at least 1 unit; a read that finds nothing is billed 0.5`,
    `(eventually consistent) or 1 unit, as DynamoDB Local reports for GetItem, though 0 for an empty Query).`,
    `Average of ${CALLS_PER_SCENARIO} calls; carts of 7 lines.`,
    '',
    '| call | DynamoDB requests | read units | write units | design minimum (reads + writes) | reached | Stripe calls | log bytes |',
    '| --- | --- | ---: | ---: | --- | --- | ---: | ---: |',
  ];
  for (const c of costs) {
    const reached = c.reads <= c.minimum.reads && c.writes <= c.minimum.writes;
    lines.push(
      `| ${c.name} | ${c.operations || '—'} | ${trim(c.readUnits)} | ${trim(c.writeUnits)} | ${c.minimum.reads} + ${c.minimum.writes}: ${c.minimum.why} | ${reached ? 'yes' : `no (${trim(c.reads)} + ${trim(c.writes)})`} | ${trim(c.stripeCalls)} | ${c.logBytes.toFixed(0)} |`,
    );
  }
  const find = (name: string) => {
    const cost = costs.find((c) => c.name === name);
    if (!cost) throw new Error(`no scenario ${name}`);
    return { cost, dollars: dollarsPerCall(cost) };
  };
  const quote = find('quote, new cart');
  const hit = find('quote, same cart again');
  const order = [
    find('create-session, new'),
    find('webhook, checkout.session.completed'),
    find('session-status, after the webhook'),
  ];
  const sum = (
    parts: ReturnType<typeof find>[],
    key: keyof ReturnType<typeof dollarsPerCall>,
    times: number,
  ) => parts.reduce((total, p) => total + p.dollars[key] * times, 0);
  const row = (label: string, parts: ReturnType<typeof find>[], times: number) => {
    const dynamo = sum(parts, 'dynamo', times);
    const lambda = sum(parts, 'lambda', times);
    const api = sum(parts, 'apiGateway', times);
    const logs = sum(parts, 'logs', times);
    return `| ${label} | ${usd(dynamo)} | ${usd(lambda)} | ${usd(api)} | ${usd(dynamo + lambda + api)} | ${usd(logs)} |`;
  };
  lines.push(
    '',
    `Implied AWS cost at on-demand list prices, ${PRICES.region}: DynamoDB $0.625 per million write and $0.125 per`,
    'million read request units; Lambda arm64 $0.0000133334 per GB-second and $0.20 per million requests;',
    'API Gateway REST $3.50 per million requests; CloudWatch Logs ingestion $0.50 per GiB (free tiers left out).',
    `Lambda time = measured in-process time + ${ASSUMED_WAIT_MS.dynamoRequest} ms per DynamoDB request + ${ASSUMED_WAIT_MS.stripeCall} ms per Stripe call (assumed AWS`,
    'network waits, each counted in full although independent calls overlap: an upper bound),',
    `at each function's memory (${Object.entries(MEMORY_MB)
      .map(([n, mb]) => `${n} ${mb} MB`)
      .join(', ')}).`,
    'A paid order = create-session + the checkout.session.completed webhook + one success-page status call.',
    '',
    '| volume | DynamoDB | Lambda | API Gateway | total | (+ CloudWatch Logs) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('10,000 quotes (new carts)', [quote], 10_000),
    row('10,000 quotes (cache hits)', [hit], 10_000),
    row('1,000 paid orders', order, 1_000),
  );
  lines.push(
    '',
    `Measured in-process handler time (median): ${costs.map((c) => `${c.name} ${c.handlerMs.toFixed(1)} ms`).join('; ')}.`,
  );
  const odd = costs.filter((c) => !/^[23]\d\d×/.test(c.statuses) || c.statuses.includes(' '));
  if (odd.length > 0) lines.push(`Statuses: ${odd.map((c) => `${c.name}: ${c.statuses}`).join('; ')}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  runCostBench().then((report) => console.log(report));
}
