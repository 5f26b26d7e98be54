import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { esbuildOptionsLikeCdk } from '../infra/lib/bundling';
import { HANDLERS, requireHandlers } from '../infra/lib/handlers';

/** One bundle as the CDK app builds it: the same esbuild settings, measured. */
export interface BundleSize {
  readonly name: string;
  readonly bytes: number;
  /** Roughly what the deployment zip (and the cold start's download) costs. */
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  /** The packages contributing most bytes to the output. */
  readonly largest: readonly { readonly module: string; readonly bytes: number }[];
}

/**
 * What the handlers' dependencies alone cost, before any handler exists: the heaviest handler
 * (Stripe, the table and AWS clients, the JSON telemetry, valibot) and the lightest kind with a
 * table (the same without Stripe).
 */
const DEPENDENCY_FLOORS = {
  'floor: stripe handler': [
    "import Stripe from 'stripe';",
    "import { createTableClient } from './src/adapters/dynamodb/table-client';",
    "import { createJsonTelemetry } from './src/adapters/json-telemetry';",
    "import * as v from 'valibot';",
    "export const handler = async () => [Stripe, createTableClient({ region: 'us-east-1' }), createJsonTelemetry({ serviceName: 's' }), v.string()].length;",
  ].join('\n'),
  'floor: table handler': [
    "import { createTableClient } from './src/adapters/dynamodb/table-client';",
    "import { createJsonTelemetry } from './src/adapters/json-telemetry';",
    "import * as v from 'valibot';",
    "export const handler = async () => [createTableClient({ region: 'us-east-1' }), createJsonTelemetry({ serviceName: 's' }), v.string()].length;",
  ].join('\n'),
} as const;

/** Bundles every handler (and the dependency floors) and measures the output. */
export async function measureBundleSizes(projectRoot: string): Promise<BundleSize[]> {
  const outRoot = mkdtempSync(path.join(tmpdir(), 'bundle-size-'));
  try {
    const targets: { name: string; entry: { file: string } | { contents: string } }[] = [
      ...requireHandlers(projectRoot).map((spec) => ({
        name: spec.name,
        entry: { file: path.join(projectRoot, spec.entry) },
      })),
      ...Object.entries(DEPENDENCY_FLOORS).map(([name, contents]) => ({ name, entry: { contents } })),
    ];
    const sizes: BundleSize[] = [];
    for (const target of targets) {
      const outfile = path.join(outRoot, target.name.replaceAll(/[^a-z0-9-]/g, '_'), 'index.mjs');
      const result = await build(
        esbuildOptionsLikeCdk(
          'file' in target.entry ? target.entry : { ...target.entry, resolveDir: projectRoot },
          outfile,
        ),
      );
      const code = readFileSync(outfile);
      sizes.push({
        name: target.name,
        bytes: code.length,
        gzipBytes: gzipSync(code).length,
        sourceMapBytes: statSync(`${outfile}.map`).size,
        largest: largestPackages(result.metafile, outfile),
      });
    }
    return sizes;
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

function largestPackages(metafile: Metafile, outfile: string) {
  const output = Object.entries(metafile.outputs).find(([file]) => path.resolve(file) === outfile)?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match?.[1] ?? '(project code)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()]
    .map(([module, bytes]) => ({ module, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The bundle-size report as text, for `npm run bench` (a section of bench/run.ts) and
 * `npm run bench:bundle`: each handler's bundle as deployed, and the dependency floors.
 */
export async function runBundleSizeBench(projectRoot = PROJECT_ROOT): Promise<string> {
  const sizes = await measureBundleSizes(projectRoot);
  const missing = HANDLERS.filter((h) => !sizes.some((s) => s.name === h.name)).map((h) => h.name);
  const lines = ['Handler bundles (minified ESM, node22, everything bundled; gzip ≈ the deployment zip):'];
  for (const s of sizes) {
    const top = s.largest.map((p) => `${p.module} ${kb(p.bytes)}`).join(', ');
    lines.push(
      `  ${s.name.padEnd(26)} ${kb(s.bytes).padStart(10)}  gzip ${kb(s.gzipBytes).padStart(9)}  map ${kb(s.sourceMapBytes).padStart(9)}  largest: ${top}`,
    );
  }
  if (missing.length > 0) lines.push(`  not built yet: ${missing.join(', ')}`);
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await runBundleSizeBench());
}
