import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_SETTINGS, esbuildOptionsLikeCdk } from '../infra/lib/bundling';
import { makeProxyEvent } from '../test/support/events';
import { BenchShop, startBenchStack } from './fixtures';
import { median } from './http-load';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The flag deployed functions do without (docs/decisions.md #34: the logger maps logged stacks
 * itself); measured next to each handler to show what it would cost.
 */
const SOURCE_MAPS_FLAG = '--enable-source-maps';

/** Fresh processes per target; the median is reported. The first run of each only warms the disk cache. */
const RUNS = 21;

type FloorName = 'bare' | 'dynamodb' | 'dynamodb+stripe';
type CallFloorName = 'dynamodb, 1 call' | 'dynamodb+stripe, 1 call each' | 'bare, 1 log line';

interface HandlerTarget {
  readonly name: string;
  readonly floor: FloorName;
  /** The request of one run (each run gets its own, e.g. a fresh quote to check out). */
  event(): Promise<APIGatewayProxyEvent>;
}

/**
 * A floor's source: the SDK clients created exactly as the handlers create them, with the same
 * options, then an answer; with `call`, one call per client first (a DynamoDB GetItem, a Stripe
 * retrieve of a coupon that does not exist).
 */
function sdkFloor(options: { readonly stripe: boolean; readonly call: boolean }): string {
  const { stripe, call } = options;
  return [
    ...(call ? ["import { GetCommand } from '@aws-sdk/lib-dynamodb';"] : []),
    "import { createDocumentClient } from './src/adapters/dynamodb/commerce-table';",
    ...(stripe ? ["import { createStripeClient } from './src/adapters/stripe/stripe-client';"] : []),
    'let clients;',
    'export const handler = async () => {',
    '  clients ??= [',
    '    createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION }),',
    ...(stripe
      ? [
          '    createStripeClient({ secretKey: process.env.STRIPE_SECRET_KEY, apiBase: process.env.STRIPE_API_BASE, timeoutMs: 3000, maxNetworkRetries: 1 }),',
        ]
      : []),
    '  ];',
    ...(call
      ? [
          "  await clients[0].send(new GetCommand({ TableName: process.env.COMMERCE_TABLE, Key: { PK: 'FLOOR', SK: 'FLOOR' } }));",
          ...(stripe ? ["  await clients[1].coupons.retrieve('floor_missing').catch(() => undefined);"] : []),
        ]
      : []),
    "  return { statusCode: 200, body: '{}' };",
    '};',
  ].join('\n');
}

/**
 * Floors: a handler bundled the same way that only creates the SDK clients the real handler
 * creates, with the same options, and answers. What a handler costs beyond its floor is this
 * project's own code and its work on the first request.
 */
const FLOORS: Readonly<Record<FloorName, string>> = {
  bare: "export const handler = async () => ({ statusCode: 200, body: '{}' });",
  dynamodb: sdkFloor({ stripe: false, call: false }),
  'dynamodb+stripe': sdkFloor({ stripe: true, call: false }),
};

/**
 * The same floors doing the least work a real first request must do before it answers: one call
 * per client (the SDKs' own work on a first call: endpoint rules, signing, connections), or, with no
 * client, one structured log line. No handler can be faster than its floor plus this.
 */
const CALL_FLOORS: Readonly<Record<CallFloorName, string>> = {
  'dynamodb, 1 call': sdkFloor({ stripe: false, call: true }),
  'dynamodb+stripe, 1 call each': sdkFloor({ stripe: true, call: true }),
  // The bare floor's least work: the structured log line every request writes (Powertools, as
  // the project logs through it), the catalog's only mandated work.
  'bare, 1 log line': [
    "import { Logger } from '@aws-lambda-powertools/logger';",
    'let logger;',
    'export const handler = async () => {',
    "  logger ??= new Logger({ serviceName: 'cart-checkout' });",
    "  logger.info('request', { route: 'floor', status: 200 });",
    "  return { statusCode: 200, body: '{}' };",
    '};',
  ].join('\n'),
};

const CALL_FLOOR_OF: Readonly<Record<FloorName, CallFloorName | null>> = {
  bare: 'bare, 1 log line',
  dynamodb: 'dynamodb, 1 call',
  'dynamodb+stripe': 'dynamodb+stripe, 1 call each',
};

/** Loads a bundle, serves one request, prints what it measured and exits: one Lambda cold start. */
const RUNNER = `
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
const [bundle, eventFile] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(bundle);
const loaded = performance.now();
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const result = await handler(event, { awsRequestId: 'cold-start', functionName: 'bench' });
const answered = performance.now();
const report = { status: result.statusCode, bootMs: started, loadMs: loaded - started, firstMs: answered - loaded };
process.stdout.write('\\n@@cold-start ' + JSON.stringify(report) + '\\n', () => process.exit(0));
`;

interface BundleFacts {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
  /** Packages of note found in the bundle's inputs (metafile). */
  readonly packages: ReadonlySet<string>;
}

interface Sample {
  readonly wallMs: number;
  /** Spawn → the bundle loaded and ready for its first request (wall time less the first request). */
  readonly readyMs: number;
  readonly bootMs: number;
  readonly loadMs: number;
  readonly firstMs: number;
}

const NOTABLE_PACKAGES = [
  'stripe',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-sesv2',
  '@aws-sdk/client-secrets-manager',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/metrics',
  'valibot',
];

/** Bundles one entry (a file, or source text resolved from the project root) as the CDK app does. */
export async function bundleLikeCdk(
  entry: { readonly file: string } | { readonly contents: string },
  outfile: string,
): Promise<BundleFacts> {
  const result = await build(
    esbuildOptionsLikeCdk('file' in entry ? entry : { ...entry, resolveDir: PROJECT_ROOT }, outfile),
  );
  const code = readFileSync(outfile);
  return {
    file: outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: readFileSync(`${outfile}.map`).length,
    packages: packagesOf(result.metafile),
  };
}

function packagesOf(metafile: Metafile): Set<string> {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] && NOTABLE_PACKAGES.includes(match[1])) found.add(match[1]);
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
        const report = JSON.parse(line) as Omit<Sample, 'wallMs' | 'readyMs'> & { status: number };
        if (report.status >= 400) {
          reject(new Error(`${path.basename(path.dirname(bundle))} answered ${report.status}: ${stdout}`));
        } else {
          const { bootMs, loadMs, firstMs } = report;
          resolve({ wallMs, readyMs: wallMs - firstMs, bootMs, loadMs, firstMs });
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

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

export interface ColdStartFigures {
  readonly name: string;
  readonly floor: FloorName;
  readonly handler: Sample;
  /** The same handler started with `--enable-source-maps`. */
  readonly withSourceMaps: Sample;
  readonly floorSample: Sample;
  /** The floor that also makes one call per client, when the floor has a client. */
  readonly callFloor: { readonly name: CallFloorName; readonly sample: Sample } | null;
  readonly bundle: BundleFacts;
}

/**
 * Cold starts of every handler as deployed (bundle, env, `NODE_OPTIONS`), each next to its floors:
 * a fresh `node` per run that imports the bundle and serves one representative request against the
 * bench's DynamoDB Local and Stripe emulator. Median of {@link RUNS} runs; the runs of a handler and its
 * floors alternate, so a slow moment of the machine hits them alike.
 */
export async function measureColdStarts(): Promise<{
  figures: ColdStartFigures[];
  floors: Record<FloorName | CallFloorName, BundleFacts>;
}> {
  const stack = await startBenchStack();
  const work = mkdtempSync(path.join(tmpdir(), 'cold-start-'));
  try {
    const shop = new BenchShop(stack);
    const targets = handlerTargets(shop);
    const bundles = new Map<string, BundleFacts>();
    for (const target of targets) {
      const file = path.join(PROJECT_ROOT, 'src/handlers', `${target.name}.ts`);
      bundles.set(target.name, await bundleLikeCdk({ file }, path.join(work, target.name, 'index.mjs')));
    }
    const floors = {} as Record<FloorName | CallFloorName, BundleFacts>;
    for (const [name, contents] of Object.entries({ ...FLOORS, ...CALL_FLOORS })) {
      const dir = `floor-${name.replaceAll(/[^a-z]+/g, '-')}`;
      floors[name as FloorName | CallFloorName] = await bundleLikeCdk(
        { contents },
        path.join(work, dir, 'index.mjs'),
      );
    }
    const runner = path.join(work, 'runner.mjs');
    writeFileSync(runner, RUNNER);
    const env = deployedEnv(stack.env);
    const envWithMaps = { ...env, NODE_OPTIONS: SOURCE_MAPS_FLAG };

    const samples = new Map(
      targets.map((t) => [
        t.name,
        { handler: [] as Sample[], withMaps: [] as Sample[], floor: [] as Sample[], call: [] as Sample[] },
      ]),
    );
    const eventsDir = path.join(work, 'events');
    mkdirSync(eventsDir);
    for (let run = 0; run <= RUNS; run += 1) {
      for (const target of targets) {
        const eventFile = path.join(eventsDir, `${target.name}-${run}.json`);
        writeFileSync(eventFile, JSON.stringify(await target.event()));
        const runs = samples.get(target.name)!;
        const handler = await coldStart(runner, bundles.get(target.name)!.file, eventFile, env);
        const withMapsEvent = path.join(eventsDir, `${target.name}-${run}-with-maps.json`);
        writeFileSync(withMapsEvent, JSON.stringify(await target.event()));
        const withMaps = await coldStart(runner, bundles.get(target.name)!.file, withMapsEvent, envWithMaps);
        const floor = await coldStart(runner, floors[target.floor].file, eventFile, env);
        const callFloorName = CALL_FLOOR_OF[target.floor];
        const call = callFloorName
          ? await coldStart(runner, floors[callFloorName].file, eventFile, env)
          : null;
        if (run === 0) continue; // warms the disk cache and the bench's own servers
        runs.handler.push(handler);
        runs.withMaps.push(withMaps);
        runs.floor.push(floor);
        if (call) runs.call.push(call);
      }
    }

    const figures = targets.map((target): ColdStartFigures => {
      const runs = samples.get(target.name)!;
      const callFloorName = CALL_FLOOR_OF[target.floor];
      return {
        name: target.name,
        floor: target.floor,
        handler: medianSample(runs.handler),
        withSourceMaps: medianSample(runs.withMaps),
        floorSample: medianSample(runs.floor),
        callFloor: callFloorName ? { name: callFloorName, sample: medianSample(runs.call) } : null,
        bundle: bundles.get(target.name)!,
      };
    });
    return { figures, floors };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stack.close();
  }
}

/** Each handler with a representative first request (a fresh one per run: no run reuses another's work). */
function handlerTargets(shop: BenchShop): HandlerTarget[] {
  const headers = shop.browserHeaders;
  return [
    {
      name: 'cart-quote',
      floor: 'dynamodb',
      event: async () => makeProxyEvent({ path: '/cart/quote', body: { items: shop.freshCart() }, headers }),
    },
    {
      name: 'checkout-create-session',
      floor: 'dynamodb+stripe',
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
      floor: 'dynamodb+stripe',
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
      floor: 'dynamodb+stripe',
      event: async () => {
        const { event } = await shop.paidSession();
        return makeProxyEvent({ path: '/stripe/webhook', rawBody: event.body, headers: event.headers });
      },
    },
    {
      name: 'catalog',
      floor: 'bare',
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

function medianSample(samples: readonly Sample[]): Sample {
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    readyMs: median(samples.map((s) => s.readyMs)),
    bootMs: median(samples.map((s) => s.bootMs)),
    loadMs: median(samples.map((s) => s.loadMs)),
    firstMs: median(samples.map((s) => s.firstMs)),
  };
}

const ratioCell = (handler: Sample, floor: Sample) => {
  const ratio = handler.wallMs / floor.wallMs;
  return `${ratio.toFixed(2)}×`;
};

/** The cold-start section of `npm run bench`. */
export async function runColdStartBench(): Promise<string> {
  const { figures, floors } = await measureColdStarts();
  const lines = [
    `Fresh \`node ${process.version}\` per run, spawn → first answer, median of ${RUNS} runs (load = importing the bundle,`,
    `1st = serving the first request). Bundled as the CDK app does (esbuild ${BUNDLE_SETTINGS.format}, ${BUNDLE_SETTINGS.target}, minified,`,
    'source maps, no NODE_OPTIONS); secrets pinned in env (no Secrets Manager call).',
    'Floor: the same SDK clients created with the same options, then an answer (target: handler ≤ 1.2× floor).',
    'Floor + least work: the floor also makes one call per client (a DynamoDB GetItem, a Stripe retrieve);',
    'the bare floor writes one Powertools log line. No handler can beat it, so a ratio above 1.2× here means the',
    'target is out of reach whatever the handler does.',
    'Ready: spawn → the bundle imported, before the first request: what loading the project’s code costs beyond',
    'loading the same SDKs, handler / floor.',
    `With ${SOURCE_MAPS_FLAG}: the same handler with Node mapping every stack trace it formats (not deployed).`,
    '',
    `| handler | cold start (load / 1st) | floor (load / 1st) | ratio | ready | floor + least work | its ratio to the floor | handler / it | with ${SOURCE_MAPS_FLAG} | bundle (gzip) | Stripe SDK |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const cell = (s: Sample) => `${ms(s.wallMs)} (${ms(s.loadMs)} / ${ms(s.firstMs)})`;
  for (const f of figures) {
    const ratio = f.handler.wallMs / f.floorSample.wallMs;
    lines.push(
      `| ${f.name} | ${cell(f.handler)} | ${f.floor}: ${cell(f.floorSample)} | ${ratio.toFixed(2)}× ${ratio <= 1.2 ? '✓' : '✗'} | ${(f.handler.readyMs / f.floorSample.readyMs).toFixed(2)}× | ${f.callFloor ? cell(f.callFloor.sample) : '—'} | ${f.callFloor ? ratioCell(f.callFloor.sample, f.floorSample) : '—'} | ${f.callFloor ? ratioCell(f.handler, f.callFloor.sample) : '—'} | ${ms(f.withSourceMaps.wallMs)} | ${kib(f.bundle.bytes)} (${kib(f.bundle.gzipBytes)}) | ${f.bundle.packages.has('stripe') ? 'yes' : 'no'} |`,
    );
  }
  lines.push('');
  lines.push(
    `Floor bundles: ${Object.entries(floors)
      .map(([name, facts]) => `${name} ${kib(facts.bytes)}`)
      .join(', ')}.`,
  );
  lines.push('Packages in each handler bundle (esbuild metafile):');
  for (const f of figures) {
    lines.push(`  ${f.name.padEnd(24)} ${[...f.bundle.packages].sort().join(', ')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  console.log(await runColdStartBench());
}
