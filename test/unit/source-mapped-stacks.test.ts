import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonTelemetry } from '../../src/adapters/json-telemetry';
import { sourceMappedStack } from '../../src/adapters/source-mapped-stacks';
import { describeError } from '../../src/app/telemetry';

const SOURCE = [
  'export function checkStock(count: number): number {',
  '  if (count < 0) {',
  "    throw new Error('negative stock');",
  '  }',
  '  return count;',
  '}',
  '',
  'try {',
  '  checkStock(-1);',
  '} catch (err) {',
  '  console.log((err as Error).stack);',
  '}',
].join('\n');

let work: string;
let bundleStack: string;

/** A stack trace as a deployed function sees it: a minified bundle, run without `--enable-source-maps`. */
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'stacks-'));
  const sourceDir = path.join(work, 'src', 'stock');
  const buildDir = path.join(work, 'build', 'fn');
  execFileSync('mkdir', ['-p', sourceDir, buildDir]);
  writeFileSync(path.join(sourceDir, 'check-stock.ts'), SOURCE);
  await build({
    entryPoints: [path.join(sourceDir, 'check-stock.ts')],
    outfile: path.join(buildDir, 'index.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
  });
  bundleStack = execFileSync(process.execPath, [path.join(buildDir, 'index.mjs')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  }).trim();
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('sourceMappedStack', () => {
  it('points the frames of a bundle with a map at the sources, line and column', () => {
    expect(bundleStack).toContain('index.mjs:1:');
    const mapped = sourceMappedStack(bundleStack);
    const lines = mapped.split('\n');
    expect(lines[0]).toBe('Error: negative stock');
    // The throw is on line 3 and the call on line 9 of the source.
    expect(lines[1]).toMatch(/^ {4}at .*\(src\/stock\/check-stock\.ts:3:11\)$/);
    expect(lines.some((line) => /src\/stock\/check-stock\.ts:9:\d+/.test(line))).toBe(true);
    expect(mapped).not.toContain('index.mjs');
  });

  it('leaves frames without a map as they are', () => {
    const stack = [
      'Error: boom',
      '    at handler (file:///nowhere/index.mjs:1:200)',
      '    at /nowhere/other.js:5:7',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at async Promise.all (index 0)',
    ].join('\n');
    expect(sourceMappedStack(stack)).toBe(stack);
  });
});

describe('the JSON log', () => {
  it('logs an error with its stack mapped to the sources', () => {
    const lines: string[] = [];
    const failure = Object.assign(new Error('negative stock'), { stack: bundleStack });
    createJsonTelemetry({
      serviceName: 'stacks-test',
      env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
      write: (text) => lines.push(text),
    }).log.error('request failed', { error: describeError(failure) });
    const line = JSON.parse(lines.join('')) as { message: string; error: { stack: string } };
    expect(line.message).toBe('request failed');
    expect(line.error.stack).toContain('src/stock/check-stock.ts:3:11');
    expect(line.error.stack).not.toContain('index.mjs');
  });
});
