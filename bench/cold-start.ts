import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { build, type Metafile } from 'esbuild';
import { makeProxyEvent } from '../test/support/events';
import { BenchShop, startBenchStack } from './fixtures';
import { median } from './http-load';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * How the CDK app bundles every handler (infra/lib/bundling.ts `BUNDLE_SETTINGS` on the infra
 * branch; `sourcesContent: false` and `--enable-source-maps` as its functions are deployed).
 * MERGE POINT: import `BUNDLE_SETTINGS` from '../infra/lib/bundling' once the infra branch is on main.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
} as const;

/** The deployed functions' `NODE_OPTIONS` (stack traces point into the TypeScript sources). */
const DEPLOYED_NODE_OPTIONS = '--enable-source-maps';

/** Fresh processes per target; the median is reported. The first run of each only warms the disk cache. */
const RUNS = 15;

type FloorName = 'bare' | 'dynamodb' | 'dynamodb+stripe';

interface HandlerTarget {
  readonly name: string;
  readonly floor: FloorName;
  /** The request of one run (each run gets its own, e.g. a fresh quote to check out). */
  event(run: number): Promise<APIGatewayProxyEvent>;
}

/**
 * Floors: a handler bundled the same way that only creates the SDK clients the real handler
 * creates, with the same options, and answers. What a handler costs beyond its floor is this
 * project's own code and its work on the first request.
 */
const FLOORS: Readonly<Record<FloorName, string>> = {
  bare: "export const handler = async () => ({ statusCode: 200, body: '{}' });",
  dynamodb: [
    "import { createDocumentClient } from './src/adapters/dynamodb/commerce-table';",
    'let client;',
    'export const handler = async () => {',
    '  client ??= createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION });',
    "  return { statusCode: 200, body: '{}' };",
    '};',
  ].join('\n'),
  'dynamodb+stripe': [
    "import { createDocumentClient } from './src/adapters/dynamodb/commerce-table';",
    "import { createStripeClient } from './src/adapters/stripe/stripe-client';",
    'let clients;',
    'export const handler = async () => {',
    '  clients ??= [',
    '    createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION }),',
    '    createStripeClient({ secretKey: process.env.STRIPE_SECRET_KEY, apiBase: process.env.STRIPE_API_BASE, timeoutMs: 3000, maxNetworkRetries: 1 }),',
    '  ];',
    "  return { statusCode: 200, body: '{}' };",
    '};',
  ].join('\n'),
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
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: PROJECT_ROOT, loader: 'ts' as const } }),
    bundle: true,
    outfile,
    format: BUNDLE_SETTINGS.format,
    target: BUNDLE_SETTINGS.target,
    platform: BUNDLE_SETTINGS.platform,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourcemap,
    sourcesContent: false,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    metafile: true,
    logLevel: 'error',
  });
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
        const report = JSON.parse(line) as Omit<Sample, 'wallMs'> & { status: number };
        if (report.status >= 400) {
          reject(new Error(`${path.basename(path.dirname(bundle))} answered ${report.status}: ${stdout}`));
        } else resolve({ wallMs, bootMs: report.bootMs, loadMs: report.loadMs, firstMs: report.firstMs });
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
  readonly floorSample: Sample;
  readonly ratio: number;
  readonly bundle: BundleFacts;
}

/**
 * Cold starts of every handler as deployed (bundle, env, `NODE_OPTIONS`), each next to its floor:
 * a fresh `node` per run that imports the bundle and serves one representative request against the
 * bench's dynalite and Stripe emulator. Median of {@link RUNS} runs; handler and floor runs
 * alternate, so a slow moment of the machine hits both.
 */
export async function measureColdStarts(): Promise<{
  figures: ColdStartFigures[];
  floors: Record<FloorName, BundleFacts>;
}> {
  const stack = await startBenchStack();
  const work = mkdtempSync(path.join(tmpdir(), 'cold-start-'));
  try {
    const shop = new BenchShop(stack);
    const headers = shop.browserHeaders;
    const targets: HandlerTarget[] = [
      {
        name: 'cart-quote',
        floor: 'dynamodb',
        event: async () =>
          makeProxyEvent({ path: '/cart/quote', body: { items: shop.freshCart() }, headers }),
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

    const bundles = new Map<string, BundleFacts>();
    for (const target of targets) {
      const file = path.join(PROJECT_ROOT, 'src/handlers', `${target.name}.ts`);
      bundles.set(target.name, await bundleLikeCdk({ file }, path.join(work, target.name, 'index.mjs')));
    }
    const floors = {} as Record<FloorName, BundleFacts>;
    for (const [name, contents] of Object.entries(FLOORS) as [FloorName, string][]) {
      floors[name] = await bundleLikeCdk({ contents }, path.join(work, `floor-${name}`, 'index.mjs'));
    }
    const runner = path.join(work, 'runner.mjs');
    writeFileSync(runner, RUNNER);

    const env: NodeJS.ProcessEnv = {
      ...stack.env,
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      NODE_OPTIONS: DEPLOYED_NODE_OPTIONS,
      POWERTOOLS_SERVICE_NAME: 'cart-checkout',
      POWERTOOLS_METRICS_NAMESPACE: 'CartCheckout',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      // Node 20 here, Node 22+ in Lambda: the SDK's warning about Node 20 does not exist there.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const samples = new Map<string, { handler: Sample[]; floor: Sample[] }>(
      targets.map((t) => [t.name, { handler: [], floor: [] }]),
    );
    const eventsDir = path.join(work, 'events');
    mkdirSync(eventsDir);
    for (let run = 0; run <= RUNS; run += 1) {
      for (const target of targets) {
        const eventFile = path.join(eventsDir, `${target.name}-${run}.json`);
        writeFileSync(eventFile, JSON.stringify(await target.event(run)));
        const bundle = bundles.get(target.name)!.file;
        const handler = await coldStart(runner, bundle, eventFile, env);
        const floor = await coldStart(runner, floors[target.floor].file, eventFile, env);
        if (run === 0) continue;
        samples.get(target.name)?.handler.push(handler);
        samples.get(target.name)?.floor.push(floor);
      }
    }

    const figures = targets.map((target): ColdStartFigures => {
      const runs = samples.get(target.name)!;
      const handler = medianSample(runs.handler);
      const floorSample = medianSample(runs.floor);
      return {
        name: target.name,
        floor: target.floor,
        handler,
        floorSample,
        ratio: handler.wallMs / floorSample.wallMs,
        bundle: bundles.get(target.name)!,
      };
    });
    return { figures, floors };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stack.close();
  }
}

function medianSample(samples: readonly Sample[]): Sample {
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    bootMs: median(samples.map((s) => s.bootMs)),
    loadMs: median(samples.map((s) => s.loadMs)),
    firstMs: median(samples.map((s) => s.firstMs)),
  };
}

/** The cold-start section of `npm run bench`. */
export async function runColdStartBench(): Promise<string> {
  const { figures, floors } = await measureColdStarts();
  const lines = [
    `Cold start: fresh \`node ${process.version}\` per run, spawn → first answer (median of ${RUNS}); bundles as the CDK app builds them`,
    `(esbuild ${BUNDLE_SETTINGS.format}, ${BUNDLE_SETTINGS.target}, minified, source maps, NODE_OPTIONS=${DEPLOYED_NODE_OPTIONS}); target ≤ 1.2× the floor.`,
    '',
    '| handler | cold start | load / 1st request | floor | floor cold start | ratio | bundle (gzip) | Stripe SDK in bundle |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |',
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.name} | ${ms(f.handler.wallMs)} | ${ms(f.handler.loadMs)} / ${ms(f.handler.firstMs)} | ${f.floor} | ${ms(f.floorSample.wallMs)} | ${f.ratio.toFixed(2)}× ${f.ratio <= 1.2 ? '✓' : '✗'} | ${kib(f.bundle.bytes)} (${kib(f.bundle.gzipBytes)}) | ${f.bundle.packages.has('stripe') ? 'yes' : 'no'} |`,
    );
  }
  lines.push('');
  lines.push('Floors (the same SDK clients, created with the same options, and an answer):');
  for (const [name, facts] of Object.entries(floors)) {
    lines.push(`  ${name.padEnd(16)} ${kib(facts.bytes).padStart(8)} (gzip ${kib(facts.gzipBytes)})`);
  }
  lines.push('');
  lines.push('Packages in each handler bundle (esbuild metafile):');
  for (const f of figures) {
    lines.push(`  ${f.name.padEnd(24)} ${[...f.bundle.packages].sort().join(', ')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  console.log(await runColdStartBench());
}
