import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildStageConfig,
  formatStageJson,
  InitStageError,
  type NewStageOptions,
  readTemplate,
} from '../../infra/lib/init-stage';
import { loadStageConfig } from '../../infra/lib/stage-config';
import { CONFIG_DIR } from './support/synth';

const REPO = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const BOUTIQUE: NewStageOptions = {
  name: 'prod',
  domain: 'boutique.example.org',
  region: 'eu-west-1',
  alertEmail: 'ops@boutique.example.org',
  shopName: 'Boutique',
};

async function initStage(args: string[]) {
  return run(
    process.execPath,
    [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'scripts/init-stage.ts', ...args],
    {
      cwd: REPO,
    },
  );
}

describe('init-stage', () => {
  it('makes a production stage from the shop’s own facts, keeping none of the example shop’s', () => {
    const config = buildStageConfig(readTemplate(CONFIG_DIR, 'prod'), BOUTIQUE);
    expect(config).toMatchObject({
      stage: 'prod',
      shop: { name: 'Boutique' },
      region: 'eu-west-1',
      tableName: 'cart-checkout-prod',
      allowedOrigins: ['https://boutique.example.org'],
      checkout: {
        successUrl: 'https://boutique.example.org/checkout/success?session_id={CHECKOUT_SESSION_ID}',
        cancelUrl: 'https://boutique.example.org/checkout/cancel',
      },
      stripe: { mode: 'live' },
      notifier: { kind: 'log' },
      alertEmail: 'ops@boutique.example.org',
      api: { mode: 'create', stageName: 'prod' },
      environment: {},
      allowSampleCatalog: false,
      rollout: 'canary10Percent5Minutes',
    });
    expect(JSON.stringify(config)).not.toMatch(/shop\.example\.com|Example Shop/);
  });

  it('makes a dev stage in Stripe test mode that may run the sample catalog, and emails orders through SES', () => {
    const config = buildStageConfig(readTemplate(CONFIG_DIR, 'dev'), {
      ...BOUTIQUE,
      name: 'dev-eu',
      domain: 'dev.boutique.example.org',
      notifyTo: ['owner@boutique.example.org'],
      notifyFrom: 'orders@boutique.example.org',
      extraOrigins: ['http://localhost:3000'],
    });
    expect(config).toMatchObject({
      stage: 'dev-eu',
      stripe: { mode: 'test' },
      allowSampleCatalog: true,
      tableName: 'cart-checkout-dev-eu',
      api: { stageName: 'dev_eu' },
      allowedOrigins: ['https://dev.boutique.example.org', 'http://localhost:3000'],
      notifier: {
        kind: 'ses',
        from: 'orders@boutique.example.org',
        to: ['owner@boutique.example.org'],
        identity: 'boutique.example.org',
      },
    });
  });

  it('refuses a URL where the domain belongs, and any value the stage config refuses', () => {
    const template = readTemplate(CONFIG_DIR, 'prod');
    expect(() =>
      buildStageConfig(template, { ...BOUTIQUE, domain: 'https://boutique.example.org/' }),
    ).toThrow(InitStageError);
    expect(() => buildStageConfig(template, { ...BOUTIQUE, region: 'europe' })).toThrow(
      /region: must be an AWS region like "us-east-1"/,
    );
  });

  it('writes JSON exactly as the project’s formatter would, so the shop’s lint passes', async () => {
    const text = `${formatStageJson(buildStageConfig(readTemplate(CONFIG_DIR, 'dev'), { ...BOUTIQUE, notifyTo: ['a@b.example.org'] }))}\n`;
    const child = execFile(
      process.execPath,
      [
        path.join(REPO, 'node_modules/@biomejs/biome/bin/biome'),
        'format',
        '--stdin-file-path=infra/stages/x.json',
      ],
      { cwd: REPO },
    );
    child.stdin?.end(text);
    const formatted = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    expect(formatted).toBe(text);
  });

  it('writes infra/stages/<name>.json (here into a given folder) and never overwrites it', async () => {
    const stagesDir = mkdtempSync(path.join(tmpdir(), 'init-stage-'));
    dirs.push(stagesDir);
    const args = [
      '--name=prod',
      '--domain=shop.example.com',
      '--region=us-west-2',
      '--alert-email=ops@shop.example.com',
      `--stages-dir=${stagesDir}`,
    ];
    const first = await initStage(args);
    expect(first.stdout).toMatch(/^Wrote .*prod\.json \(from the prod example\)/);
    expect(loadStageConfig(stagesDir, 'prod').region).toBe('us-west-2');
    // The facts the deploy guide's AWS commands take from the stage: its region first.
    const facts = await run(
      process.execPath,
      [
        path.join(REPO, 'node_modules/tsx/dist/cli.mjs'),
        'scripts/stage.ts',
        '--stage=prod',
        `--stages-dir=${stagesDir}`,
      ],
      { cwd: REPO },
    );
    expect(facts.stdout).toBe(
      "STAGE='prod'\nREGION='us-west-2'\nSTACK='CartCheckout-prod'\nTABLE='cart-checkout-prod'\nSECRET_PREFIX='cart-checkout-prod'\n",
    );
    const before = readFileSync(path.join(stagesDir, 'prod.json'), 'utf8');
    await expect(initStage([...args, '--region=eu-west-1'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/prod\.json already exists; edit it, or pass --force/),
    });
    expect(readFileSync(path.join(stagesDir, 'prod.json'), 'utf8')).toBe(before);
    await expect(initStage(['--name=qa'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--domain, --region, --alert-email required/),
    });
  });
});
