import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_SETTINGS, esbuildOptionsLikeCdk } from '../infra/lib/bundling';
import { parseFormParams } from '../local/stripe-emulator/form';
import { type AttributeMap, fromAttributeMap } from '../src/adapters/dynamodb/attribute-values';
import {
  CHECKOUT_STRIPE_ATTEMPT_MS,
  FULFILMENT_STRIPE_CALL_MS,
  WEBHOOK_TABLE_CALL_MS,
} from '../src/app/time-budgets';
import { makeProxyEvent } from '../test/support/events';
import { type RecordedCall, roundsOf, startRecordingProxy } from './call-recorder';
import { BenchShop, startBenchStack } from './fixtures';
import { median } from './http-load';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Fresh processes per target; the median is reported. A first, unreported run warms the disk cache. */
const RUNS = 21;
/** Target 1: a handler's cold start within this many times its same-calls floor. */
const SAME_CALLS_TARGET = 1.1;

/** The clients of a handler, with the options it gives them: its floor creates the same. */
interface ClientOptions {
  /** Options of the table client beyond the endpoint and region. */
  readonly table?: { readonly requestTimeoutMs?: number; readonly maxAttempts?: number };
  readonly stripe?: { readonly timeoutMs: number; readonly maxNetworkRetries: number };
}

interface HandlerTarget {
  readonly name: string;
  readonly clients: ClientOptions;
  /** The request of one run (each run gets its own, e.g. a fresh quote to check out). */
  event(): Promise<APIGatewayProxyEvent>;
}

/**
 * The floor of today's target 2: a bundle that loads the official DynamoDB SDK (client and
 * document client, created with the options the table client had before the project's own
 * client), makes no call and answers. No project code.
 */
const SDK_NO_CALL_FLOOR = [
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
  'let client;',
  'export const handler = async () => {',
  '  client ??= DynamoDBDocumentClient.from(',
  '    new DynamoDBClient({',
  "      endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' },",
  '      maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },',
  '    }),',
  '    { marshallOptions: { removeUndefinedValues: true } },',
  '  );',
  "  return { statusCode: 200, body: '{}' };",
  '};',
].join('\n');

/** A call a floor replays: a table client method with its input, or a Stripe request. */
type ReplayedCall =
  | { readonly table: string; readonly input: unknown }
  | { readonly stripe: string; readonly path: string; readonly params?: unknown };

const TABLE_METHODS: Readonly<Record<string, string>> = {
  GetItem: 'get',
  PutItem: 'put',
  UpdateItem: 'update',
  DeleteItem: 'delete',
  Query: 'query',
  Scan: 'scan',
  BatchGetItem: 'batchGet',
  TransactWriteItems: 'transactWrite',
};

/** A recorded DynamoDB request's body as the table client's input (plain values). */
function tableInputOf(body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = { ...body };
  for (const field of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey']) {
    if (input[field]) input[field] = jsonSafe(fromAttributeMap(input[field] as AttributeMap), field);
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') {
    input.RequestItems = Object.fromEntries(
      Object.entries(input.RequestItems as Record<string, { Keys: AttributeMap[] }>).map(
        ([table, request]) => [
          table,
          { ...request, Keys: request.Keys.map((key) => jsonSafe(fromAttributeMap(key), 'Keys')) },
        ],
      ),
    );
  }
  if (Array.isArray(input.TransactItems)) {
    input.TransactItems = input.TransactItems.map((item: Record<string, Record<string, unknown>>) =>
      Object.fromEntries(Object.entries(item).map(([kind, action]) => [kind, tableInputOf(action)])),
    );
  }
  return input;
}

function jsonSafe<T>(value: T, where: string): T {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set || v instanceof Uint8Array || typeof v === 'bigint') {
      throw new Error(`cannot replay ${where}: a set or binary value`);
    }
    return v;
  });
  return JSON.parse(text) as T;
}

function replayOf(call: RecordedCall): ReplayedCall {
  if (call.service === 'table') {
    const method = TABLE_METHODS[call.operation];
    if (!method) throw new Error(`cannot replay DynamoDB ${call.operation}`);
    return { table: method, input: tableInputOf(JSON.parse(call.body) as Record<string, unknown>) };
  }
  return {
    stripe: call.method,
    path: call.path,
    ...(call.body ? { params: jsonSafe(parseFormParams(call.body), call.path) } : {}),
  };
}

/**
 * A handler's same-calls floor: a bundle that creates the clients the handler creates, with the
 * same options, then makes the calls the handler's first request made, round by round (calls of a
 * round together), and answers. Refusals (a failed condition, a Stripe 4xx) are round trips too.
 * What a handler costs beyond it is this project's own code: loading it and its work between calls.
 */
function sameCallsFloor(clients: ClientOptions, rounds: readonly (readonly ReplayedCall[])[]): string {
  const uses = {
    table: rounds.flat().some((c) => 'table' in c),
    stripe: rounds.flat().some((c) => 'stripe' in c),
  };
  return [
    ...(uses.table ? ["import { createTableClient } from './src/adapters/dynamodb/table-client';"] : []),
    ...(uses.stripe ? ["import { createStripeClient } from './src/adapters/stripe/stripe-client';"] : []),
    `const ROUNDS = ${JSON.stringify(rounds)};`,
    'let table;',
    'let stripe;',
    'const call = (c) =>',
    "  ('table' in c ? table[c.table](c.input) : stripe.rawRequest(c.stripe, c.path, c.params)).catch(() => undefined);",
    'export const handler = async () => {',
    ...(uses.table
      ? [
          `  table ??= createTableClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION, ...${JSON.stringify(clients.table ?? {})} });`,
        ]
      : []),
    ...(uses.stripe
      ? [
          `  stripe ??= createStripeClient({ secretKey: process.env.STRIPE_SECRET_KEY, apiBase: process.env.STRIPE_API_BASE, ...${JSON.stringify(clients.stripe)} });`,
        ]
      : []),
    '  for (const round of ROUNDS) await Promise.all(round.map(call));',
    "  return { statusCode: 200, body: '{}' };",
    '};',
  ].join('\n');
}

/** Loads a bundle, serves one request, prints what it measured and exits: one Lambda cold start. */
const RUNNER = `
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
const [bundle, eventFile] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(bundle);
const loaded = performance.now();
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const result = await handler(event, { awsRequestId: 'cold-start', functionName: 'bench', getRemainingTimeInMillis: () => 10000 });
const answered = performance.now();
const cpu = process.cpuUsage();
const report = { status: result.statusCode, loadMs: loaded - started, firstMs: answered - loaded, cpuMs: (cpu.user + cpu.system) / 1000 };
process.stdout.write('\\n@@cold-start ' + JSON.stringify(report) + '\\n', () => process.exit(0));
`;

interface BundleFacts {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The npm packages in the bundle's inputs (metafile). */
  readonly packages: ReadonlySet<string>;
}

interface Sample {
  readonly wallMs: number;
  readonly loadMs: number;
  readonly firstMs: number;
  /** CPU time of the process until it answered (user + system): what a busy machine disturbs least. */
  readonly cpuMs: number;
}

/** The median of each figure, and the spread (25th and 75th percentile) of the whole. */
export interface Figures extends Sample {
  readonly p25Ms: number;
  readonly p75Ms: number;
}

/** Bundles one entry (a file, or source text resolved from the project root) as the CDK app does. */
export async function bundleLikeCdk(
  entry: { readonly file: string } | { readonly contents: string },
  outfile: string,
  options: { readonly asBefore?: boolean } = {},
): Promise<BundleFacts> {
  const settings = esbuildOptionsLikeCdk(
    'file' in entry ? entry : { ...entry, resolveDir: PROJECT_ROOT },
    outfile,
  );
  // `asBefore`: without what decisions #184 and #187 added (built-in shims, the validated catalog).
  const { alias: _alias, inject: _inject, define: _define, ...before } = settings;
  const result = await build(options.asBefore ? before : settings);
  const code = readFileSync(outfile);
  return {
    file: outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    packages: packagesOf(result.metafile),
  };
}

function packagesOf(metafile: Metafile): Set<string> {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] && !match[1].startsWith('.')) found.add(match[1]);
  }
  return found;
}

/** Spawns `node runner bundle event` and times it from spawn to the answer on stdout. */
function coldStart(
  runner: string,
  bundle: string,
  eventFile: string,
  env: NodeJS.ProcessEnv,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [runner, pathToFileURL(bundle).href, eventFile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = /@@cold-start (.+)\n/.exec(stdout)?.[1];
      if (line && !done) {
        done = true;
        const wallMs = performance.now() - started;
        const report = JSON.parse(line) as Omit<Sample, 'wallMs'> & { status: number };
        if (report.status >= 400) {
          reject(new Error(`${path.basename(path.dirname(bundle))} answered ${report.status}: ${stdout}`));
        } else {
          resolve({ wallMs, loadMs: report.loadMs, firstMs: report.firstMs, cpuMs: report.cpuMs });
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`cold start of ${bundle} exited ${code}: ${stderr || stdout}`));
    });
  });
}

/** What the same-calls floor of a handler replays: its first request's round trips. */
export interface CallRounds {
  readonly rounds: number;
  readonly tableCalls: number;
  readonly stripeCalls: number;
  /** e.g. `UpdateItem+Query, PutItem`. */
  readonly summary: string;
}

export interface ColdStartFigures {
  readonly name: string;
  readonly handler: Figures;
  readonly sameCallsFloor: Figures;
  readonly calls: CallRounds;
  readonly bundle: BundleFacts;
}

export interface ColdStartReport {
  readonly runs: number;
  readonly figures: ColdStartFigures[];
  /** Target 2's floor: the SDK bundled as the functions were before (ES-module built-ins). */
  readonly sdkNoCallFloor: Figures;
  readonly sdkNoCallFloorBundle: BundleFacts;
  /** The same floor bundled as the functions are now (built-in shims): the stricter comparison. */
  readonly sdkNoCallFloorNow: Figures;
}

/**
 * Cold starts of every handler as deployed (bundle, env), each next to its same-calls floor and,
 * in the same runs, the official SDK's no-call floor: a fresh `node` per run that imports the
 * bundle and serves one representative request against the bench's DynamoDB Local and Stripe
 * emulator. The runs of all targets alternate, so a slow moment of the machine hits them alike.
 */
export async function measureColdStarts(log: (line: string) => void = () => {}): Promise<ColdStartReport> {
  const stack = await startBenchStack();
  const work = mkdtempSync(path.join(tmpdir(), 'cold-start-'));
  try {
    const shop = new BenchShop(stack);
    const targets = handlerTargets(shop);
    const env = deployedEnv(stack.env);
    const runner = path.join(work, 'runner.mjs');
    writeFileSync(runner, RUNNER);
    const eventsDir = path.join(work, 'events');
    mkdirSync(eventsDir);
    const writeEvent = async (target: HandlerTarget, label: string) => {
      const file = path.join(eventsDir, `${target.name}-${label}.json`);
      writeFileSync(file, JSON.stringify(await target.event()));
      return file;
    };

    const bundles = new Map<string, BundleFacts>();
    const floors = new Map<string, BundleFacts>();
    const calls = new Map<string, CallRounds>();
    for (const target of targets) {
      const file = path.join(PROJECT_ROOT, 'src/handlers', `${target.name}.ts`);
      const bundle = await bundleLikeCdk({ file }, path.join(work, target.name, 'index.mjs'));
      bundles.set(target.name, bundle);
      // One cold start through recording proxies: the calls of the handler's first request.
      const table = await startRecordingProxy(String(stack.env.DYNAMODB_ENDPOINT), 'table');
      const stripe = await startRecordingProxy(String(stack.env.STRIPE_API_BASE), 'stripe');
      try {
        const recordingEnv = { ...env, DYNAMODB_ENDPOINT: table.url, STRIPE_API_BASE: stripe.url };
        await coldStart(runner, bundle.file, await writeEvent(target, 'recorded'), recordingEnv);
        const rounds = roundsOf([...table.calls, ...stripe.calls]);
        calls.set(target.name, describeRounds(rounds));
        const replay = rounds.map((round) => round.map(replayOf));
        floors.set(
          target.name,
          await bundleLikeCdk(
            { contents: sameCallsFloor(target.clients, replay) },
            path.join(work, `${target.name}-floor`, 'index.mjs'),
          ),
        );
      } finally {
        await table.close();
        await stripe.close();
      }
      log(`  ${target.name}: ${calls.get(target.name)?.summary || 'no calls'}`);
    }
    const sdkFloorBundle = await bundleLikeCdk(
      { contents: SDK_NO_CALL_FLOOR },
      path.join(work, 'sdk-floor', 'index.mjs'),
      { asBefore: true },
    );
    const sdkFloorNowBundle = await bundleLikeCdk(
      { contents: SDK_NO_CALL_FLOOR },
      path.join(work, 'sdk-floor-now', 'index.mjs'),
    );

    const samples = new Map(targets.map((t) => [t.name, { handler: [] as Sample[], floor: [] as Sample[] }]));
    const sdkFloorSamples: Sample[] = [];
    const sdkFloorNowSamples: Sample[] = [];
    const anyEvent = await writeEvent(targets[0] as HandlerTarget, 'sdk-floor');
    for (let run = 0; run <= RUNS; run += 1) {
      const sdkFloor = await coldStart(runner, sdkFloorBundle.file, anyEvent, env);
      const sdkFloorNow = await coldStart(runner, sdkFloorNowBundle.file, anyEvent, env);
      if (run > 0) {
        sdkFloorSamples.push(sdkFloor);
        sdkFloorNowSamples.push(sdkFloorNow);
      }
      for (const target of targets) {
        const eventFile = await writeEvent(target, String(run));
        const handler = await coldStart(
          runner,
          (bundles.get(target.name) as BundleFacts).file,
          eventFile,
          env,
        );
        const floor = await coldStart(runner, (floors.get(target.name) as BundleFacts).file, eventFile, env);
        if (run === 0) continue; // warms the disk cache and the bench's own servers
        samples.get(target.name)?.handler.push(handler);
        samples.get(target.name)?.floor.push(floor);
      }
      if (run > 0 && run % 7 === 0) log(`  ${run}/${RUNS} runs`);
    }

    return {
      runs: RUNS,
      sdkNoCallFloor: figuresOf(sdkFloorSamples),
      sdkNoCallFloorBundle: sdkFloorBundle,
      sdkNoCallFloorNow: figuresOf(sdkFloorNowSamples),
      figures: targets.map((target) => {
        const runs = samples.get(target.name) ?? { handler: [], floor: [] };
        return {
          name: target.name,
          handler: figuresOf(runs.handler),
          sameCallsFloor: figuresOf(runs.floor),
          calls: calls.get(target.name) as CallRounds,
          bundle: bundles.get(target.name) as BundleFacts,
        };
      }),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stack.close();
  }
}

function describeRounds(rounds: readonly (readonly RecordedCall[])[]): CallRounds {
  const name = (call: RecordedCall) =>
    call.service === 'table'
      ? call.operation
      : `Stripe ${call.method} ${(call.path.split('?')[0] ?? '').replaceAll(/\/[a-z]+_[\w-]{8,}/g, '/…')}`;
  return {
    rounds: rounds.length,
    tableCalls: rounds.flat().filter((c) => c.service === 'table').length,
    stripeCalls: rounds.flat().filter((c) => c.service === 'stripe').length,
    summary: rounds.map((round) => round.map(name).join(' + ')).join(', '),
  };
}

/** Each handler with its clients' options and a representative first request (a fresh one per run). */
function handlerTargets(shop: BenchShop): HandlerTarget[] {
  const headers = shop.browserHeaders;
  const checkoutStripe = { timeoutMs: CHECKOUT_STRIPE_ATTEMPT_MS, maxNetworkRetries: 1 };
  const fulfilmentStripe = { timeoutMs: FULFILMENT_STRIPE_CALL_MS, maxNetworkRetries: 0 };
  return [
    {
      name: 'cart-quote',
      clients: { table: {} },
      event: async () => makeProxyEvent({ path: '/cart/quote', body: { items: shop.freshCart() }, headers }),
    },
    {
      name: 'checkout-create-session',
      clients: { table: {}, stripe: checkoutStripe },
      event: async () => {
        const quote = await shop.quote();
        return makeProxyEvent({
          path: '/checkout/create-session',
          body: { items: quote.items, quoteSignature: quote.quoteSignature, email: 'bench@example.com' },
          headers,
        });
      },
    },
    {
      name: 'checkout-session-status',
      clients: { table: {}, stripe: fulfilmentStripe },
      // The success page right after payment, before the webhook: the route fulfils the order.
      event: async () => {
        const { sessionId } = await shop.paidSession();
        return makeProxyEvent({
          method: 'GET',
          path: '/checkout/session-status',
          query: { session_id: sessionId },
          headers: { Origin: shop.origin },
        });
      },
    },
    {
      name: 'stripe-webhook',
      clients: {
        table: { requestTimeoutMs: WEBHOOK_TABLE_CALL_MS, maxAttempts: 2 },
        stripe: fulfilmentStripe,
      },
      event: async () => {
        const { event } = await shop.paidSession();
        return makeProxyEvent({ path: '/stripe/webhook', rawBody: event.body, headers: event.headers });
      },
    },
    {
      name: 'catalog',
      clients: {},
      event: async () =>
        makeProxyEvent({ method: 'GET', path: '/catalog', headers: { Origin: shop.origin } }),
    },
  ];
}

/** The environment of a deployed function, pointed at the bench's servers. */
function deployedEnv(stackEnv: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  return {
    ...stackEnv,
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    NODE_OPTIONS: '',
    POWERTOOLS_SERVICE_NAME: 'cart-checkout',
    POWERTOOLS_METRICS_NAMESPACE: 'CartCheckout',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

function figuresOf(samples: readonly Sample[]): Figures {
  const walls = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const at = (q: number) => walls[Math.min(walls.length - 1, Math.round(q * (walls.length - 1)))] ?? 0;
  return {
    wallMs: median(walls),
    loadMs: median(samples.map((s) => s.loadMs)),
    firstMs: median(samples.map((s) => s.firstMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    p25Ms: at(0.25),
    p75Ms: at(0.75),
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** The figures `npm run bench -- --json` prints for tracking. */
export function coldStartJson(report: ColdStartReport): Record<string, unknown> {
  return {
    runs: report.runs,
    sameCallsTarget: SAME_CALLS_TARGET,
    sdkNoCallFloorMs: round1(report.sdkNoCallFloor.wallMs),
    sdkNoCallFloorBundledAsNowMs: round1(report.sdkNoCallFloorNow.wallMs),
    handlers: report.figures.map((f) => ({
      handler: f.name,
      coldMs: round1(f.handler.wallMs),
      sameCallsFloorMs: round1(f.sameCallsFloor.wallMs),
      sameCallsRatio: round2(f.handler.wallMs / f.sameCallsFloor.wallMs),
      cpuMs: round1(f.handler.cpuMs),
      sameCallsFloorCpuMs: round1(f.sameCallsFloor.cpuMs),
      sdkNoCallFloorMs: round1(report.sdkNoCallFloor.wallMs),
      sdkNoCallRatio: round2(f.handler.wallMs / report.sdkNoCallFloor.wallMs),
      loadMs: round1(f.handler.loadMs),
      firstRequestMs: round1(f.handler.firstMs),
      coldSpreadMs: [round1(f.handler.p25Ms), round1(f.handler.p75Ms)],
      sameCallsFloorSpreadMs: [round1(f.sameCallsFloor.p25Ms), round1(f.sameCallsFloor.p75Ms)],
      rounds: f.calls.rounds,
      tableCalls: f.calls.tableCalls,
      stripeCalls: f.calls.stripeCalls,
      bundleBytes: f.bundle.bytes,
    })),
  };
}

/** The cold-start section of `npm run bench`, as text. */
export function coldStartText(report: ColdStartReport): string {
  const { sdkNoCallFloor: sdk } = report;
  const spread = (f: Figures) => `${ms(f.p25Ms)}–${ms(f.p75Ms)}`;
  const cell = (f: Figures) => `${ms(f.wallMs)} (${ms(f.loadMs)} / ${ms(f.firstMs)})`;
  const lines = [
    `Fresh \`node ${process.version}\` per run, spawn → first answer, median of ${report.runs} interleaved runs (load = importing`,
    `the bundle, 1st = serving the first request; spread = 25th–75th percentile). Bundled as the CDK app does (esbuild`,
    `${BUNDLE_SETTINGS.format}, ${BUNDLE_SETTINGS.target}, minified, source maps); secrets pinned in env (no Secrets Manager call).`,
    `Same-calls floor: the handler's clients with its options making the calls its first request made, round by round`,
    `(recorded through a proxy), no project code beyond the clients. Target 1: handler ≤ ${SAME_CALLS_TARGET.toFixed(2)}× it.`,
    `CPU: the process's user + system time until it answered, which a busy machine disturbs less than wall time.`,
    `SDK no-call floor: the official DynamoDB SDK loaded and its client created, no call, bundled as the functions were`,
    `before decisions #184/#187: ${cell(sdk)}, spread ${spread(sdk)} (${kib(report.sdkNoCallFloorBundle.bytes)}). Target 2: the quote`,
    `route's whole cold start ≤ it. The same floor bundled as the functions are now (built-in shims, which speed the SDK up`,
    `too): ${cell(report.sdkNoCallFloorNow)}, spread ${spread(report.sdkNoCallFloorNow)}; the quote against it: ${(
      (report.figures.find((f) => f.name === 'cart-quote')?.handler.wallMs ?? Number.NaN) /
        report.sdkNoCallFloorNow.wallMs
    ).toFixed(2)}×.`,
    '',
    '| handler | cold start (load / 1st) | spread | same-calls floor (load / 1st) | spread | handler / floor | CPU: handler / floor | handler / SDK no-call floor | bundle (gzip) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const f of report.figures) {
    const ratio = f.handler.wallMs / f.sameCallsFloor.wallMs;
    const sdkRatio = f.handler.wallMs / sdk.wallMs;
    const quoteMark = f.name === 'cart-quote' ? (sdkRatio <= 1 ? ' ✓' : ' ✗') : '';
    lines.push(
      `| ${f.name} | ${cell(f.handler)} | ${spread(f.handler)} | ${cell(f.sameCallsFloor)} | ${spread(f.sameCallsFloor)} | ${ratio.toFixed(2)}× ${ratio <= SAME_CALLS_TARGET ? '✓' : '✗'} | ${ms(f.handler.cpuMs)} / ${ms(f.sameCallsFloor.cpuMs)} | ${sdkRatio.toFixed(2)}×${quoteMark} | ${kib(f.bundle.bytes)} (${kib(f.bundle.gzipBytes)}) |`,
    );
  }
  lines.push('');
  lines.push(
    'The first request’s calls, round by round (calls of a round run together), as each floor replays them:',
  );
  for (const f of report.figures) {
    lines.push(`  ${f.name.padEnd(24)} ${f.calls.rounds} rounds: ${f.calls.summary || 'no calls'}`);
  }
  lines.push('');
  lines.push('npm packages in each handler bundle (esbuild metafile):');
  for (const f of report.figures) {
    lines.push(`  ${f.name.padEnd(24)} ${[...f.bundle.packages].sort().join(', ') || '—'}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  console.log(coldStartText(await measureColdStarts((line) => console.error(line))));
}
