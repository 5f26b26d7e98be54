import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStageBeforeSynth } from '../../infra/lib/stage-checks';
import { loadStageConfig, type StageConfig } from '../../infra/lib/stage-config';
import { TEST_CATALOG_FILE } from '../support/catalog-alias';
import { CONFIG_DIR, stageConfig } from './support/synth';

const REPO = path.resolve(import.meta.dirname, '../..');
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A project folder whose catalog/catalog.json is the sample, or the shop's own (the sample unmarked). */
function projectWithCatalog(kind: 'sample' | 'own' | 'broken'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'stage-checks-'));
  roots.push(root);
  const data = JSON.parse(readFileSync(TEST_CATALOG_FILE, 'utf8')) as Record<string, unknown>;
  if (kind === 'own') delete data.sampleData;
  if (kind === 'broken') data.currency = 'doubloons';
  mkdirSync(path.join(root, 'catalog'));
  writeFileSync(path.join(root, 'catalog/catalog.json'), JSON.stringify(data));
  return root;
}

const withEnvironment = (environment: Record<string, string>, changes: Partial<StageConfig> = {}) =>
  stageConfig('prod', { environment, ...changes });

describe('checks before synth', () => {
  it('passes the example stages with a catalog of the shop’s own', async () => {
    const root = projectWithCatalog('own');
    expect(await checkStageBeforeSynth(loadStageConfig(CONFIG_DIR, 'prod'), root)).toEqual([]);
    expect(await checkStageBeforeSynth(loadStageConfig(CONFIG_DIR, 'dev'), root)).toEqual([]);
  });

  it('refuses the sample catalog for a stage that does not allow it, and says how to replace it', async () => {
    const root = projectWithCatalog('sample');
    const problems = await checkStageBeforeSynth(stageConfig('prod'), root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^catalog\/catalog\.json is still the sample catalog/);
    expect(problems[0]).toMatch(/Replace catalog\/catalog\.json with your shop’s own products/);
    expect(problems[0]).toMatch(/npm run catalog -- pull/);
    expect(problems[0]).toMatch(/"allowSampleCatalog": true/);
    expect(await checkStageBeforeSynth(stageConfig('prod', { allowSampleCatalog: true }), root)).toEqual([]);
  });

  it('refuses a catalog the functions could not load, naming the entry', async () => {
    const problems = await checkStageBeforeSynth(stageConfig('dev'), projectWithCatalog('broken'));
    expect(problems).toEqual([
      expect.stringMatching(/^catalog\/catalog\.json: the functions could not load it \(currency/),
    ]);
  });

  it.each([
    [
      'SHIPPING_OPTIONS',
      'standard: $6',
      /^environment\.SHIPPING_OPTIONS \(SHIPPING_OPTIONS = "standard: \$6"\): SHIPPING_OPTIONS must be JSON/,
    ],
    [
      'COUPON_FALLBACK',
      'sometimes',
      /^environment\.COUPON_FALLBACK \(COUPON_FALLBACK = "sometimes"\): COUPON_FALLBACK must be "inline" or "none"/,
    ],
    [
      'RATE_LIMIT_QUOTE_PER_HOUR',
      'lots',
      /^environment\.RATE_LIMIT_QUOTE_PER_HOUR \(RATE_LIMIT_QUOTE_PER_HOUR = "lots"\): .*whole number/,
    ],
    [
      'AUTOMATIC_TAX',
      'yes please',
      /^environment\.AUTOMATIC_TAX \(AUTOMATIC_TAX = "yes please"\): AUTOMATIC_TAX must be true or false/,
    ],
    [
      'SHIPPING_COUNTRIES',
      'USA',
      /^environment\.SHIPPING_COUNTRIES .*"USA" is not a two-letter country code/,
    ],
  ])('refuses %s=%s with the parser the functions run', async (name, value, expected) => {
    const problems = await checkStageBeforeSynth(
      withEnvironment({ [name]: value }),
      projectWithCatalog('own'),
    );
    expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it('refuses a quote lifetime the stage file allows but the code does not, naming the field', async () => {
    const config = stageConfig('prod', { quote: { ttlSeconds: 86_400, signingKeyId: 'k1' } });
    const problems = await checkStageBeforeSynth(config, projectWithCatalog('own'));
    expect(problems).toEqual([
      'quote.ttlSeconds (QUOTE_TTL_SECONDS = "86400"): QUOTE_TTL_SECONDS must be a whole number from 60 to 84000 (got "86400")',
    ]);
  });

  it('reports a setting no function reads, so a misspelt one is not silently ignored', async () => {
    const problems = await checkStageBeforeSynth(
      withEnvironment({ COUPON_FALBACK: 'none', COUPON_FALLBACK: 'none' }),
      projectWithCatalog('own'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^environment\.COUPON_FALBACK: no function reads this setting \(a typo\?\)/),
    ]);
  });

  it('makes `npm run synth` fail before bundling anything, naming the value', async () => {
    const stagesDir = mkdtempSync(path.join(tmpdir(), 'stages-'));
    roots.push(stagesDir);
    const dev = { ...stageConfig('dev'), environment: { COUPON_FALLBACK: 'sometimes' } };
    writeFileSync(path.join(stagesDir, 'dev.json'), JSON.stringify(dev));
    const run = promisify(execFile)(
      process.execPath,
      [
        path.join(REPO, 'node_modules/tsx/dist/cli.mjs'),
        path.join(REPO, 'infra/bin/app.ts'),
        `--stages-dir=${stagesDir}`,
      ],
      { cwd: REPO, env: { ...process.env, CDK_OUTDIR: path.join(stagesDir, 'cdk.out') } },
    );
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /Stage "dev" cannot be deployed as it is:\n {2}- environment\.COUPON_FALLBACK \(COUPON_FALLBACK = "sometimes"\)/,
      ),
    });
  });
});
