import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANDLERS, requireHandlers } from '../../infra/lib/handlers';
import {
  listStages,
  loadStageConfig,
  parseStageConfig,
  resolveHandler,
  StageConfigError,
} from '../../infra/lib/stage-config';
import { DEFAULT_STAGES_DIR, loadSelectedStages, readStageSelection } from '../../infra/lib/stage-location';
import { CONFIG_DIR } from './support/synth';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

/** Every folder of committed stage files: the examples, each shop's own, and `infra/stages/`. */
function committedStageDirs(): string[] {
  const shops = path.join(PROJECT_ROOT, 'infra/shops');
  return [
    CONFIG_DIR,
    path.join(PROJECT_ROOT, DEFAULT_STAGES_DIR),
    ...readdirSync(shops, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(shops, d.name)),
  ];
}

function validConfig(): Record<string, unknown> {
  return structuredClone(loadStageConfig(CONFIG_DIR, 'prod')) as unknown as Record<string, unknown>;
}

function problemsOf(data: unknown, expectedStage?: string): string[] {
  try {
    parseStageConfig(data, 'test.json', expectedStage);
  } catch (err: unknown) {
    if (err instanceof StageConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('stage config', () => {
  it('accepts every committed stage file: the example dev and prod, and each shop’s own', () => {
    expect(listStages(CONFIG_DIR)).toEqual(['dev', 'prod']);
    for (const dir of committedStageDirs()) {
      for (const stage of listStages(dir)) expect(loadStageConfig(dir, stage).stage, dir).toBe(stage);
    }
  });

  it('describes the example production stage for a made-up shop in a region of its own', () => {
    const prod = loadStageConfig(CONFIG_DIR, 'prod');
    expect(prod.allowedOrigins).toEqual(['https://shop.example.com']);
    expect(prod.tableName).toBe('cart-checkout-prod');
    expect(prod.region).toBe('us-west-2');
    expect(prod.stripe.mode).toBe('live');
    expect(prod.allowSampleCatalog).toBe(false);
    expect(loadStageConfig(CONFIG_DIR, 'dev').allowSampleCatalog).toBe(true);
  });

  it('requires the Stripe mode and the shop’s name, naming each field', () => {
    const { stripe, shop: _shop, ...rest } = validConfig() as { stripe: object; shop: object };
    const problems = problemsOf({ ...rest, stripe: { webhookToleranceSeconds: 300 } });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stripe\.mode: is required: "live" \(real payments\) or "test"/),
        expect.stringMatching(/^shop: is required: \{ "name"/),
      ]),
    );
    expect(stripe).toBeDefined();
  });

  it('names the field and the fix when an origin has a trailing slash', () => {
    const problems = problemsOf({ ...validConfig(), allowedOrigins: ['https://shop.example.com/'] });
    expect(problems).toEqual([expect.stringMatching(/^allowedOrigins\.0: .*no path or trailing slash/)]);
  });

  it('rejects a webhook timeout above 10 seconds', () => {
    const problems = problemsOf({
      ...validConfig(),
      functions: { 'stripe-webhook': { timeoutSeconds: 12 } },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^functions\.stripe-webhook\.timeoutSeconds: must be at most 10/),
    ]);
  });

  it('rejects an existing-API config without the root resource id, and says which fields it needs', () => {
    const problems = problemsOf({
      ...validConfig(),
      api: { mode: 'existing', restApiId: 'a2fps4r1la', restApiName: 'forms', stageName: 'commerce' },
    });
    expect(problems.join('\n')).toMatch(/api\.rootResourceId/);
  });

  it('rejects an unknown API mode with the two accepted shapes', () => {
    const problems = problemsOf({ ...validConfig(), api: { mode: 'import', restApiId: 'a2fps4r1la' } });
    expect(problems.join('\n')).toMatch(/api\.mode: must be \{ "mode": "create".*"existing"/);
  });

  it('rejects unknown fields, so a typo does not silently fall back to a default', () => {
    const problems = problemsOf({
      ...validConfig(),
      throttle: { rateLimit: 10, burstLimit: 20, burst: 5, webhook: { rateLimit: 1, burstLimit: 1 } },
    });
    expect(problems).toEqual(['throttle.burst: is not a field of a stage config (a typo?)']);
  });

  it('says what replaced a renamed field', () => {
    const { alarms } = validConfig() as { alarms: Record<string, number> };
    const problems = problemsOf({
      ...validConfig(),
      alarms: {
        ...alarms,
        webhookSignatureInvalidPerHour: undefined,
        webhookSignatureInvalidPerFiveMinutes: 5,
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^alarms\.webhookSignatureInvalidPerFiveMinutes: was replaced by alarms\.webhookSignatureInvalidPerHour/,
        ),
      ]),
    );
  });

  it('rejects a body limit WAF could not inspect, a bad retention and a bad alert email together', () => {
    const problems = problemsOf({
      ...validConfig(),
      waf: { ratePerIpPerFiveMinutes: 300, maxBodyBytes: 65_536 },
      logRetentionDays: 10,
      alertEmail: 'ops',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^waf\.maxBodyBytes: must be at most 16384/),
        expect.stringMatching(/^logRetentionDays: must be one of 1, 3, 5/),
        expect.stringMatching(/^alertEmail: must be an email address/),
      ]),
    );
  });

  it('keeps local-only variables, stack-owned variables and secret values out of the extra environment', () => {
    const problems = problemsOf({
      ...validConfig(),
      environment: {
        STRIPE_API_BASE: 'http://127.0.0.1:12111',
        COMMERCE_TABLE: 'other',
        COUPON_FALLBACK: 'sk_live_51Habc',
        AUTOMATIC_TAX: 'true',
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environment\.STRIPE_API_BASE: .*set by the stack \(or only locally\)/),
        expect.stringMatching(/^environment\.COMMERCE_TABLE: /),
        expect.stringMatching(/^environment\.COUPON_FALLBACK: looks like a secret/),
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/AUTOMATIC_TAX/);
  });

  it('rejects an SES sender the functions may not send as', () => {
    const notifier = (from: string, identity: string) => ({
      kind: 'ses',
      from,
      to: ['owner@shop.example.com'],
      identity,
    });
    const refused =
      /^notifier\.identity: notifier\.from is neither "shop\.example\.com" nor an address at its domain/;
    expect(
      problemsOf({ ...validConfig(), notifier: notifier('orders@other.example', 'shop.example.com') }),
    ).toEqual([expect.stringMatching(refused)]);
    for (const [from, identity] of [
      ['orders@shop.example.com', 'shop.example.com'],
      ['orders@mail.shop.example.com', 'shop.example.com'],
      ['orders@shop.example.com', 'orders@shop.example.com'],
    ] as const) {
      expect(() =>
        parseStageConfig({ ...validConfig(), notifier: notifier(from, identity) }, 'x.json'),
      ).not.toThrow();
    }
  });

  it('rejects a config whose stage differs from its file name', () => {
    expect(problemsOf(validConfig(), 'dev')).toEqual(['stage: is "prod" but the file is for stage "dev"']);
  });

  it('reports an unknown stage with the stages that exist', () => {
    expect(() => loadStageConfig(CONFIG_DIR, 'staging')).toThrow(/known stages: dev, prod/);
  });

  it('applies per-function overrides over the handler defaults', () => {
    const config = parseStageConfig(
      { ...validConfig(), functions: { 'cart-quote': { memoryMb: 1024 } } },
      'test.json',
    );
    const quote = resolveHandler(HANDLERS.find((h) => h.name === 'cart-quote')!, config);
    expect(quote.memoryMb).toBe(1024);
    expect(quote.timeoutSeconds).toBe(HANDLERS.find((h) => h.name === 'cart-quote')!.timeoutSeconds);
  });
});

describe('stage selection', () => {
  it('reads the shop’s own folder by default, and takes a stage and a folder from arguments, context or environment', () => {
    expect(readStageSelection('/p')).toEqual({ stagesDir: '/p/infra/stages', stages: undefined });
    expect(readStageSelection('/p', { env: { STAGE: 'dev, prod', STAGES_DIR: 'infra/shops/one' } })).toEqual({
      stagesDir: '/p/infra/shops/one',
      stages: ['dev', 'prod'],
    });
    const context = JSON.stringify({ stage: 'prod', stagesDir: '/elsewhere' });
    expect(readStageSelection('/p', { env: { CDK_CONTEXT_JSON: context, STAGE: 'dev' } })).toEqual({
      stagesDir: '/elsewhere',
      stages: ['prod'],
    });
    expect(
      readStageSelection('/p', {
        argv: ['--stage=qa', '--stages-dir=mine'],
        env: { CDK_CONTEXT_JSON: context },
      }),
    ).toEqual({ stagesDir: '/p/mine', stages: ['qa'] });
  });

  it('refuses an empty stage folder with the command that creates a stage, never falling back to an example', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'stages-'));
    try {
      mkdirSync(path.join(root, 'infra/stages'), { recursive: true });
      writeFileSync(path.join(root, 'infra/stages/README.md'), '# stages\n');
      const selection = readStageSelection(root);
      expect(() => loadSelectedStages(root, selection)).toThrow(
        /no stage config in infra\/stages\/\. Create one for your shop: npm run init-stage -- --name prod/,
      );
      expect(() => loadSelectedStages(root, { ...selection, stages: ['prod'] })).toThrow(
        /npm run init-stage/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('handler list', () => {
  it('keeps the webhook within 10 seconds and gives only browser routes CORS', () => {
    const webhook = HANDLERS.find((h) => h.name === 'stripe-webhook')!;
    expect(webhook.timeoutSeconds).toBeLessThanOrEqual(10);
    expect(webhook.browser).toBe(false);
    expect(HANDLERS.filter((h) => h.name !== 'stripe-webhook').every((h) => h.browser)).toBe(true);
  });

  it('refuses to synthesize when a handler entry file is missing, naming it', () => {
    const present = new Set(['/p/src/handlers/cart-quote.ts', '/p/src/handlers/catalog.ts']);
    expect(() => requireHandlers('/p', HANDLERS, (file) => present.has(file))).toThrow(
      /missing: src\/handlers\/checkout-create-session\.ts, .*src\/handlers\/stripe-webhook\.ts/,
    );
    const all = new Set(HANDLERS.map((h) => `/p/${h.entry}`));
    expect(requireHandlers('/p', HANDLERS, (file) => all.has(file))).toEqual(HANDLERS);
  });
});
