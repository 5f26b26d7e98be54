import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { validateCatalog } from '../../src/domain/catalog';

/**
 * How every handler is bundled, in one place so the CDK app and the bundle-size benchmark build
 * the same thing. ESM, because the code base is ESM (and ESM allows top-level await at cold start).
 * Everything is bundled, the AWS SDK included: the functions run exactly the dependency versions
 * the tests ran, not whichever SDK the Lambda runtime ships this month.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
} as const;

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'cart-checkout');
const SHIM_DIR = path.join(CACHE_DIR, 'node-builtins');

/**
 * The built-in modules the bundles take through a shim instead of an ES-module import: every one a
 * handler's dependencies import (a test checks that no bundle imports a built-in any other way).
 */
export const SHIMMED_BUILTINS = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'console',
  'crypto',
  'diagnostics_channel',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'querystring',
  'readline',
  'stream',
  'stream/web',
  'string_decoder',
  'timers',
  'timers/promises',
  'tls',
  'url',
  'util',
  'util/types',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
] as const;

/**
 * Node's built-in modules, each bundled as a small CommonJS module that takes it with
 * `process.getBuiltinModule` on first use (docs/decisions.md #184). An ES-module import of a
 * built-in makes Node load it when the bundle loads, and build its namespace by reading every
 * export, getters included: `node:http`'s `WebSocket` loads the whole `fetch` implementation
 * (15–30 ms of a cold start); `node:util`, `node:process`, `node:fs` and `node:tls` run getters of
 * their own; `node:crypto` costs ~5 ms even for a route that never hashes. The shim lists the
 * module's export names (read here, at build time) as getters that load it when one is first read,
 * so a bundle pays only for the built-ins a request uses, when it uses them. A module that is
 * itself a function or class (`events`, `stream`, `assert`) is taken at once: its default export
 * must be the real thing.
 */
export function builtinAliases(): Record<string, string> {
  mkdirSync(SHIM_DIR, { recursive: true });
  const aliases: Record<string, string> = {};
  for (const name of SHIMMED_BUILTINS) {
    const id = `node:${name}`;
    const file = path.join(SHIM_DIR, `${name.replaceAll('/', '__')}.cjs`);
    writeIfChanged(file, shimOf(id));
    aliases[name] = file;
    aliases[id] = file;
  }
  return aliases;
}

function shimOf(id: string): string {
  const real = process.getBuiltinModule(id) as object;
  if (typeof real === 'function')
    return `module.exports = process.getBuiltinModule(${JSON.stringify(id)});\n`;
  const names = Object.getOwnPropertyNames(real).filter((name) => name !== '__proto__');
  return [
    'let loaded;',
    `const load = () => (loaded ??= process.getBuiltinModule(${JSON.stringify(id)}));`,
    'const lazy = {};',
    `for (const name of ${JSON.stringify(names)}) {`,
    '  Object.defineProperty(lazy, name, { enumerable: true, get: () => load()[name] });',
    '}',
    'module.exports = lazy;',
    '',
  ].join('\n');
}

/**
 * A module exporting `__validatedCatalog`: `catalog/catalog.json` as `validateCatalog` returns it,
 * defaults filled in. Injected into every bundle (esbuild's `inject` binds the free identifier), so a
 * function's cold start builds the catalog's lookups without running the schema (docs/decisions.md
 * #187). A catalog that fails validation fails the build, as it fails the stage checks.
 */
export function validatedCatalogModule(): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  const raw: unknown = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'catalog', 'catalog.json'), 'utf8'));
  const file = path.join(CACHE_DIR, 'validated-catalog.mjs');
  writeIfChanged(file, `export const __validatedCatalog = ${JSON.stringify(validateCatalog(raw))};\n`);
  return file;
}

function writeIfChanged(file: string, contents: string): void {
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== contents) writeFileSync(file, contents);
}

/**
 * esbuild options that build `entry` (a file, or TypeScript source resolved from `resolveDir`) into
 * `outfile` exactly as the CDK app bundles a handler: for benchmarks and bundle checks.
 */
export function esbuildOptionsLikeCdk(
  entry: { readonly file: string } | { readonly contents: string; readonly resolveDir: string },
  outfile: string,
): BuildOptions & { metafile: true } {
  return {
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'ts' as const } }),
    bundle: true,
    outfile,
    format: BUNDLE_SETTINGS.format,
    target: BUNDLE_SETTINGS.target,
    platform: BUNDLE_SETTINGS.platform,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourcemap,
    sourcesContent: false,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    alias: builtinAliases(),
    inject: [validatedCatalogModule()],
    define: { __CATALOG_VALIDATED_AT_BUILD__: 'true' },
    metafile: true,
    logLevel: 'error',
  };
}

/** The same settings as `NodejsFunction` bundling options. */
export function nodejsBundlingOptions(): BundlingOptions {
  assertLocalEsbuild();
  return {
    format: OutputFormat.ESM,
    target: BUNDLE_SETTINGS.target,
    minify: BUNDLE_SETTINGS.minify,
    sourceMap: BUNDLE_SETTINGS.sourcemap,
    // Source maps only need to map to file names and lines; without the sources they stay small.
    sourcesContent: false,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    externalModules: [],
    inject: [validatedCatalogModule()],
    define: { __CATALOG_VALIDATED_AT_BUILD__: 'true' },
    esbuildArgs: {
      '--alias': Object.entries(builtinAliases()).map(([name, file]) => `${name}=${file}`),
    },
    forceDockerBundling: false,
    logLevel: LogLevel.WARNING,
  };
}

let esbuildChecked = false;

/**
 * `NodejsFunction` silently falls back to building a Docker image when it cannot find esbuild,
 * which fails offline and slowly. Fail early, and say what is missing.
 */
export function assertLocalEsbuild(): void {
  if (esbuildChecked) return;
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    throw new Error(
      'esbuild is not installed: the CDK app bundles handlers with the local esbuild, never Docker. Run `npm ci`.',
    );
  }
  esbuildChecked = true;
}
