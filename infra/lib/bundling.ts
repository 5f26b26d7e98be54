import { createRequire } from 'node:module';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

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
