import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_FILE } from '../../local/stack';
import {
  CodeDefinitionError,
  codeSummary,
  createCode,
  disableCode,
  formatCodesTable,
  listCodes,
  parseCodeDefinition,
} from '../../src/ops/codes';
import { loadSampleCatalog } from '../support/catalog-factory';
import { testCode } from '../support/codes';
import { startTestTable, type TestTable } from '../support/dynamo';

/* The operator's `npm run codes`: what `create` accepts, and create, list and disable on a table. */

const catalog = loadSampleCatalog();
const NOW = Date.parse('2026-11-26T12:00:00Z') / 1000;

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable('codes-cli-test');
});
afterAll(async () => {
  await table.close();
});

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err: unknown) {
    if (err instanceof CodeDefinitionError) return err.problems;
    throw err;
  }
  throw new Error('expected the definition to be refused');
}

describe('codes create: the definition', () => {
  it('reads every option into a code', () => {
    const code = parseCodeDefinition(
      'babes10',
      {
        percent: '10',
        minSubtotal: '5000',
        starts: '2026-12-01',
        ends: '2026-12-31',
        limit: '100',
        limitPerEmail: '1',
        collections: 'tees,Hoodies',
        combineWithBundles: true,
      },
      catalog,
      NOW,
    );
    expect(code).toEqual({
      code: 'BABES10',
      discount: { kind: 'percent', percentOff: 10 },
      scope: { kind: 'collections', collections: ['tees', 'hoodies'] },
      combination: 'with_bundles',
      minSubtotal: 5000,
      limit: 100,
      limitPerEmail: 1,
      // A date-only --ends runs through that day (UTC).
      startsAt: Date.parse('2026-12-01T00:00:00Z') / 1000,
      endsAt: Date.parse('2027-01-01T00:00:00Z') / 1000,
      enabled: true,
    });
  });

  it('defaults to best-of, the whole cart, no dates and no limits; takes amounts in cents and zoned times', () => {
    const code = parseCodeDefinition(
      'FIVE-OFF',
      { amountOff: '500', skus: 'tee-classic-blk', ends: '2026-12-01T09:30:00+01:00' },
      catalog,
      NOW,
    );
    expect(code).toMatchObject({
      discount: { kind: 'amount_off', amountOff: 500, currency: 'usd' },
      scope: { kind: 'skus', skus: ['TEE-CLASSIC-BLK'] },
      combination: 'best_of',
      minSubtotal: null,
      startsAt: null,
      endsAt: Date.parse('2026-12-01T08:30:00Z') / 1000,
      limit: null,
      limitPerEmail: null,
    });
  });

  it('lists every problem at once, in the operator’s terms', () => {
    const problems = problemsOf(() =>
      parseCodeDefinition(
        'x',
        {
          percent: '10',
          amountOff: '500',
          collections: 'tees,nonesuch',
          skus: 'TEE-CLASSIC-BLK',
          combineWithBundles: true,
          bestOf: true,
          starts: 'tomorrow',
          limit: '0',
        },
        catalog,
        NOW,
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^CODE must be 3–32 letters/),
      'give exactly one of --percent P (1–100) or --amount-off CENTS',
      'give at most one of --collections or --skus',
      'give at most one of --combine-with-bundles or --best-of',
      expect.stringMatching(/^--starts must be a date \(2026-12-01\)/),
      '--limit must be a whole number from 1 to 10000000 (got "0")',
    ]);
    expect(
      problemsOf(() =>
        parseCodeDefinition(
          'OK10',
          { percent: '101', collections: 'nonesuch', ends: '2026-11-01' },
          catalog,
          NOW,
        ),
      ),
    ).toEqual([
      '--percent must be a whole number from 1 to 100 (got "101")',
      '--collections: no active product of the catalog is in "nonesuch"',
      '--ends is in the past: the code could never be used',
    ]);
    expect(
      problemsOf(() =>
        parseCodeDefinition(
          'OK10',
          { percent: '5', skus: 'KEYCHAIN-ENAMEL,TEE-CLASSIC-BLK-M' },
          catalog,
          NOW,
        ),
      ),
    ).toEqual([
      '--skus: "KEYCHAIN-ENAMEL" is not an active product',
      '--skus: "TEE-CLASSIC-BLK-M" is a size of TEE-CLASSIC-BLK: name the product (a code covers all its sizes)',
    ]);
    expect(
      problemsOf(() =>
        parseCodeDefinition(
          'OK10',
          { percent: '5', starts: '2026-12-02', ends: '2026-12-01T00:00:00Z' },
          catalog,
          NOW,
        ),
      ),
    ).toEqual(['--ends must be after --starts']);
  });
});

describe('codes on the table', () => {
  it('creates a code once, whatever its case, lists it with its counts and disables it', async () => {
    expect(await createCode(table, testCode('SPRING25', { limit: 3 }), NOW)).toBe('created');
    expect(await createCode(table, testCode('SPRING25', { limit: 9 }), NOW)).toBe('exists');
    expect(await createCode(table, testCode('AUTUMN5'), NOW)).toBe('created');
    const codes = await listCodes(table);
    expect(codes.map((c) => c.code)).toEqual(['AUTUMN5', 'SPRING25']);
    const spring = codes.find((c) => c.code === 'SPRING25');
    if (!spring) throw new Error('SPRING25 not listed');
    expect(spring).toMatchObject({ limit: 3, used: 0, held: 0, enabled: true, createdAt: NOW });
    expect(codeSummary(spring, NOW)).toMatchObject({ uses: 0, held: 0, remaining: 3, state: 'active' });
    expect(codeSummary({ ...spring, used: 2, held: 1 }, NOW)).toMatchObject({
      remaining: 0,
      state: 'used_up',
    });

    expect(await disableCode(table, 'spring25', NOW + 5)).toBe('disabled');
    expect(await disableCode(table, 'SPRING25', NOW + 6)).toBe('already_disabled');
    expect(await disableCode(table, 'NEVER-MADE', NOW)).toBe('missing');
    const after = await listCodes(table);
    expect(codeSummary(after.find((c) => c.code === 'SPRING25') ?? spring, NOW).state).toBe('disabled');
    const text = formatCodesTable(after, catalog, NOW);
    expect(text).toMatch(/^code\s+state\s+discount/);
    expect(text).toMatch(/SPRING25\s+disabled\s+10% off\s+all\s+with bundles/);
  });

  it('works end to end through npm run codes against a running local stack', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codes-cli-'));
    try {
      // What `npm start` writes for the operator commands to find its DynamoDB Local.
      writeFileSync(
        join(dataDir, STACK_FILE),
        JSON.stringify({ pid: process.pid, dynamoEndpoint: table.endpoint, tableName: table.tableName }),
      );
      const run = (args: string[]) =>
        promisify(execFile)('npx', ['tsx', 'scripts/codes.ts', ...args], {
          env: { ...process.env, DATA_DIR: dataDir },
          cwd: process.cwd(),
        });
      const created = await run([
        'create',
        'cli20',
        '--percent',
        '20',
        '--limit',
        '10',
        '--combine-with-bundles',
      ]);
      expect(created.stdout).toContain('Created CLI20');
      const listed = JSON.parse((await run(['list', '--json'])).stdout) as Record<string, unknown>[];
      expect(listed.find((c) => c.code === 'CLI20')).toMatchObject({
        uses: 0,
        held: 0,
        remaining: 10,
        state: 'active',
        combination: 'with_bundles',
      });
      await expect(run(['create', 'CLI20', '--percent', '5'])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('CLI20 exists already'),
      });
      await expect(run(['create', 'BAD', '--percent', '500'])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--percent must be a whole number from 1 to 100'),
      });
      expect((await run(['disable', 'cli20'])).stdout).toContain('Disabled CLI20');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
