import { describe, expect, it } from 'vitest';
import { HANDLERS, selectAvailableHandlers } from '../../infra/lib/handlers';
import {
  listStages,
  loadStageConfig,
  parseStageConfig,
  resolveHandler,
  StageConfigError,
} from '../../infra/lib/stage-config';
import { CONFIG_DIR } from './support/synth';

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
  it('accepts the committed dev and prod configs', () => {
    expect(listStages(CONFIG_DIR)).toEqual(['dev', 'prod']);
    for (const stage of listStages(CONFIG_DIR)) expect(loadStageConfig(CONFIG_DIR, stage).stage).toBe(stage);
  });

  it('gives production the shop’s two origins and the single table name', () => {
    const prod = loadStageConfig(CONFIG_DIR, 'prod');
    expect(prod.allowedOrigins).toEqual(['https://thebabesclub.com', 'https://www.thebabesclub.com']);
    expect(prod.tableName).toBe('babesclub-commerce');
  });

  it('names the field and the fix when an origin has a trailing slash', () => {
    const problems = problemsOf({ ...validConfig(), allowedOrigins: ['https://thebabesclub.com/'] });
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
    expect(problems.join('\n')).toMatch(/throttle\.burst/);
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

describe('handler list', () => {
  it('keeps the webhook within 10 seconds and gives only browser routes CORS', () => {
    const webhook = HANDLERS.find((h) => h.name === 'stripe-webhook')!;
    expect(webhook.timeoutSeconds).toBeLessThanOrEqual(10);
    expect(webhook.browser).toBe(false);
    expect(HANDLERS.filter((h) => h.name !== 'stripe-webhook').every((h) => h.browser)).toBe(true);
  });

  it('selects only the handlers whose entry file exists', () => {
    const present = new Set(['/p/src/handlers/cart-quote.ts', '/p/src/handlers/catalog.ts']);
    const selected = selectAvailableHandlers('/p', HANDLERS, (file) => present.has(file));
    expect(selected.map((h) => h.name)).toEqual(['cart-quote', 'catalog']);
  });
});
