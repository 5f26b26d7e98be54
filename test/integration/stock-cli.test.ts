import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_FILE } from '../../local/stack';
import { createDynamoStockStore } from '../../src/adapters/dynamodb/stock-store';
import { createTableClient } from '../../src/adapters/dynamodb/table-client';
import { keys } from '../../src/adapters/dynamodb/table-items';
import type { AddOnHandResult, HoldRequest, StockStore } from '../../src/app/ports';
import { applyStockChanges, onHandShortfalls, parseStockCsv } from '../../src/ops/stock';
import { startAwsProxy } from '../support/aws-proxy';
import { loadSampleCatalog } from '../support/catalog-factory';
import { startTestTable, type TestTable } from '../support/dynamo';
import { seededRandom } from '../support/seeded-random';

/*
 * The operator's `npm run stock`: taking units out with a negative amount, refused below 0 on hand
 * (atomically, also when checkouts and other operators change the same SKU), and its exit codes.
 * The command runs as its own process (tsx) against this file's table, as against a running stack.
 */

let table: TestTable;
let stock: StockStore;
let dataDir: string;
const NOW = Math.floor(Date.UTC(2026, 10, 28, 12) / 1000);

beforeAll(async () => {
  table = await startTestTable('stock-cli-test');
  stock = createDynamoStockStore(table);
  dataDir = mkdtempSync(join(tmpdir(), 'stock-cli-'));
  // What `npm start` writes for the operator commands to find its DynamoDB Local.
  writeFileSync(
    join(dataDir, STACK_FILE),
    JSON.stringify({ pid: process.pid, dynamoEndpoint: table.endpoint, tableName: table.tableName }),
  );
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await table.close();
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run stock -- …args` (the same `tsx scripts/stock.ts` the npm script runs), with its exit code. */
async function stockCommand(args: string[]): Promise<Run> {
  return promisify(execFile)('npx', ['tsx', 'scripts/stock.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    cwd: process.cwd(),
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

/** The stock item exactly as stored (every attribute, `updatedAt` included), or `undefined`. */
async function rawItem(sku: string) {
  return (await table.sdk.send(new GetCommand({ TableName: table.tableName, Key: keys.stock(sku) }))).Item;
}

async function levelOf(sku: string) {
  return (await stock.levels([sku])).get(sku);
}

function hold(n: number, sku: string, quantity: number): HoldRequest {
  return {
    holdId: `hold-${sku}-${n}`,
    until: NOW + 3600,
    lines: [{ sku, quantity, whenShort: 'refuse' }],
    slotId: `slot-${sku}-${n}`,
    now: NOW,
  };
}

describe('npm run stock -- add', () => {
  it('takes units out with a negative amount, as its help and docs say', async () => {
    await stock.setOnHand('TOTE-CANVAS', 10, NOW);
    const taken = await stockCommand(['add', 'TOTE-CANVAS', '-3']);
    expect(taken).toMatchObject({ code: 0, stderr: '' });
    expect(taken.stdout).toContain('TOTE-CANVAS: on hand 7, held 0, available 7');
    // After the options, and after `--`, it reads the same.
    expect((await stockCommand(['add', 'TOTE-CANVAS', '-2', '--json'])).stdout).toContain(
      'TOTE-CANVAS: on hand 5,',
    );
    expect((await stockCommand(['add', 'TOTE-CANVAS', '--', '-1'])).stdout).toContain(
      'TOTE-CANVAS: on hand 4,',
    );
    expect(await levelOf('TOTE-CANVAS')).toMatchObject({ onHand: 4, held: 0, available: 4 });

    const help = await stockCommand(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('negative to remove: add <SKU> -3');
  }, 60_000);

  it('exits 2 on a usage or input error, writing nothing', async () => {
    const before = await rawItem('TOTE-CANVAS');
    const [unknown, fraction, missing, extra, untracked, negativeSet] = await Promise.all([
      stockCommand(['add', 'TOTE-CANVAS', '3', '--bogus']),
      stockCommand(['add', 'TOTE-CANVAS', '-1.5']),
      stockCommand(['add', 'TOTE-CANVAS']),
      stockCommand(['add', 'TOTE-CANVAS', '-3', '4']),
      stockCommand(['add', 'STICKER-HEART', '-3']),
      stockCommand(['set', 'TOTE-CANVAS', '-3']),
    ]);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") });
    expect(fraction).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('the quantity of TOTE-CANVAS must be a whole number up to'),
    });
    expect(missing).toMatchObject({ code: 2, stdout: expect.stringContaining('Usage:') });
    expect(extra).toMatchObject({ code: 2, stdout: expect.stringContaining('Usage:') });
    expect(untracked).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('STICKER-HEART is not tracked'),
    });
    expect(negativeSet).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('must be a whole number from 0'),
    });
    expect(await rawItem('TOTE-CANVAS')).toEqual(before);
  }, 60_000);

  it('refuses to take on hand below 0 (nothing written, exit 1) but lets it fall below what is held', async () => {
    const sku = 'HOODIE-LOGO-BLK-M';
    await stock.setOnHand(sku, 10, NOW);
    expect(await stock.takeHold(hold(1, sku, 4))).toEqual({ outcome: 'taken' });

    // Below the 4 held is allowed, as documented: those checkouts sell short and are flagged.
    const belowHeld = await stockCommand(['add', sku, '-8']);
    expect(belowHeld.code).toBe(0);
    expect(belowHeld.stdout).toContain(`${sku}: on hand 2, held 4, available -2 (below the 4 held`);

    const before = await rawItem(sku);
    const refused = await stockCommand(['add', sku, '-3']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `stock: refused: ${sku} has 2 on hand: taking out 3 would leave -1, and on hand cannot go below 0`,
    );
    expect(refused.stderr).toContain('stock: nothing written.');
    expect(await rawItem(sku)).toEqual(before);

    // A SKU never counted has nothing on hand: refused, and no item is made for it.
    const never = await stockCommand(['add', 'HOODIE-LOGO-BLK-XL', '-1']);
    expect(never).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('HOODIE-LOGO-BLK-XL has 0 on hand: taking out 1 would leave -1'),
    });
    expect(await rawItem('HOODIE-LOGO-BLK-XL')).toBeUndefined();

    // Taking out exactly what is on hand leaves 0.
    expect((await stockCommand(['add', sku, '-2'])).stdout).toContain(
      `${sku}: on hand 0, held 4, available -4`,
    );
  }, 60_000);
});

describe('npm run stock -- import with an add column', () => {
  it('checks every removal against on hand before writing any row', async () => {
    await stock.setOnHand('HOODIE-LOGO-BLK-S', 3, NOW);
    await stock.setOnHand('HOODIE-LOGO-BLK-L', 1, NOW);
    const before = await Promise.all(['TOTE-CANVAS', 'HOODIE-LOGO-BLK-S', 'HOODIE-LOGO-BLK-L'].map(rawItem));
    const csv = join(dataDir, 'take-out.csv');
    writeFileSync(csv, 'sku,add\nTOTE-CANVAS,5\nHOODIE-LOGO-BLK-S,-20\nHOODIE-LOGO-BLK-L,-2\n');

    for (const args of [
      ['import', csv, '--dry-run'],
      ['import', csv],
    ]) {
      const refused = await stockCommand(args);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('stock: refused, nothing written:');
      expect(refused.stderr).toContain(
        'line 3: HOODIE-LOGO-BLK-S has 3 on hand: taking out 20 would leave -17, and on hand cannot go below 0',
      );
      expect(refused.stderr).toContain(
        'line 4: HOODIE-LOGO-BLK-L has 1 on hand: taking out 2 would leave -1',
      );
    }
    expect(await Promise.all(['TOTE-CANVAS', 'HOODIE-LOGO-BLK-S', 'HOODIE-LOGO-BLK-L'].map(rawItem))).toEqual(
      before,
    );

    writeFileSync(csv, 'sku,add\n');
    expect(await stockCommand(['import', csv])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('the CSV file has a header but no rows'),
    });
    writeFileSync(csv, 'sku,add\nTOTE-CANVAS,5\nHOODIE-LOGO-BLK-S,-3\nHOODIE-LOGO-BLK-L,-1\n');
    const dry = await stockCommand(['import', csv, '--dry-run']);
    expect(dry).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('On hand covers every removal now'),
    });
    const applied = await stockCommand(['import', csv]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('HOODIE-LOGO-BLK-S: on hand 0, held 0, available 0');
    expect(applied.stdout).toContain('HOODIE-LOGO-BLK-L: on hand 0, held 0, available 0');
    expect((await levelOf('TOTE-CANVAS'))?.onHand).toBe(Number(before[0]?.onHand) + 5);
  }, 60_000);

  it('a row on hand no longer covers when it is written is refused alone; the other rows are written', async () => {
    const catalog = loadSampleCatalog();
    await stock.setOnHand('HOODIE-ZIP-GRY-S', 2, NOW);
    await stock.setOnHand('HOODIE-ZIP-GRY-M', 4, NOW);
    await stock.setOnHand('HOODIE-ZIP-GRY-L', 1, NOW);
    const changes = parseStockCsv(
      catalog,
      'sku,add\nHOODIE-ZIP-GRY-S,5\nHOODIE-ZIP-GRY-M,-4\nHOODIE-ZIP-GRY-L,-1\n',
    );
    expect(await onHandShortfalls(stock, changes)).toEqual([]);
    // Between the check and the writes, another operator takes two of the M out.
    expect(await stock.addOnHand('HOODIE-ZIP-GRY-M', -2, NOW)).toMatchObject({ outcome: 'added' });

    const seen: string[] = [];
    const results = await applyStockChanges(stock, changes, NOW, (r) =>
      seen.push(`${r.change.sku} ${r.outcome}`),
    );
    expect(seen).toEqual([
      'HOODIE-ZIP-GRY-S applied',
      'HOODIE-ZIP-GRY-M refused',
      'HOODIE-ZIP-GRY-L applied',
    ]);
    expect(results[1]).toEqual({ change: changes[1], outcome: 'refused', onHand: 2 });
    expect((await levelOf('HOODIE-ZIP-GRY-S'))?.onHand).toBe(7);
    expect((await levelOf('HOODIE-ZIP-GRY-M'))?.onHand).toBe(2);
    expect((await levelOf('HOODIE-ZIP-GRY-L'))?.onHand).toBe(0);
  });
});

describe('operators and checkouts on one SKU at once', () => {
  it('takes out exactly what is on hand and no more when removals race', async () => {
    const sku = 'HOODIE-LOGO-BLK-XXL';
    await stock.setOnHand(sku, 24, NOW);
    const results = await Promise.all(Array.from({ length: 36 }, () => stock.addOnHand(sku, -1, NOW)));
    const added = results.filter(
      (r): r is Extract<AddOnHandResult, { outcome: 'added' }> => r.outcome === 'added',
    );
    expect(added).toHaveLength(24);
    // Each removal answers the level after it (and after whatever landed since): never below 0.
    expect(added.every((r) => r.level.onHand >= 0 && r.level.onHand <= 23)).toBe(true);
    expect(results.filter((r) => r.outcome === 'refused')).toEqual(
      Array.from({ length: 12 }, () => ({ outcome: 'refused', onHand: 0 })),
    );
    expect(await levelOf(sku)).toMatchObject({ onHand: 0, held: 0, available: 0 });
  });

  it('ends at the exact sum of the adds and removes it took, never below 0, with checkouts holding meanwhile', async () => {
    const sku = 'HOODIE-LOGO-BLK-L';
    const start = 10;
    await stock.setOnHand(sku, start, NOW);
    const random = seededRandom(190);
    type Op = { kind: 'add'; delta: number } | { kind: 'hold'; n: number };
    const ops: Op[] = [
      ...Array.from({ length: 25 }, (): Op => ({ kind: 'add', delta: -3 })),
      ...Array.from({ length: 20 }, (): Op => ({ kind: 'add', delta: 2 })),
      ...Array.from({ length: 10 }, (_, n): Op => ({ kind: 'hold', n })),
    ].sort(() => random() - 0.5);

    const outcomes = await Promise.all(
      ops.map(async (op) => {
        if (op.kind === 'add') return { op, result: await stock.addOnHand(sku, op.delta, NOW) };
        const taken = await stock.takeHold(hold(op.n, sku, 1));
        // A checkout that ends unpaid gives its unit back, while the operators go on.
        if (taken.outcome === 'taken') expect(await stock.releaseHold(hold(op.n, sku, 1), NOW)).toBe(true);
        return { op, result: null };
      }),
    );
    const applied = outcomes.flatMap(({ op, result }) =>
      op.kind === 'add' && result?.outcome === 'added'
        ? [{ delta: op.delta, onHand: result.level.onHand }]
        : [],
    );
    const refused = outcomes.flatMap(({ op, result }) =>
      op.kind === 'add' && result?.outcome === 'refused' ? [{ delta: op.delta, onHand: result.onHand }] : [],
    );
    // Every add of units went through; a removal was refused only when on hand was short of it then.
    expect(applied.filter((a) => a.delta > 0)).toHaveLength(20);
    expect(refused.every((r) => r.delta === -3 && r.onHand < 3 && r.onHand >= 0)).toBe(true);
    expect(applied.length + refused.length).toBe(45);
    expect(applied.every((a) => a.onHand >= 0)).toBe(true);
    // 75 asked for against 10 + 40: at most 16 removals fit, and the first 3 always do.
    expect(refused.length).toBeGreaterThanOrEqual(9);
    expect(applied.filter((a) => a.delta < 0).length).toBeGreaterThanOrEqual(3);
    const sum = applied.reduce((total, a) => total + a.delta, start);
    expect(await levelOf(sku)).toMatchObject({ onHand: sum, held: 0, available: sum });
    expect(sum).toBeGreaterThanOrEqual(0);
  });
});

describe('a delivery or removal whose answer is lost', () => {
  it('is applied once when the table client sends it again', async () => {
    const proxy = await startAwsProxy({
      target: table.endpoint,
      secretAccessKey: 'local',
      service: 'dynamodb',
    });
    const client = createTableClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const flaky = createDynamoStockStore({ client, tableName: table.tableName });
      const sku = 'HOODIE-ZIP-GRY-XXL';
      await stock.setOnHand(sku, 10, NOW);
      // DynamoDB does the write, the answer never arrives, the client tries again.
      proxy.inject({ kind: 'lose-answer' }, { operation: 'TransactWriteItems' });
      expect(await flaky.addOnHand(sku, 5, NOW)).toMatchObject({ outcome: 'added', level: { onHand: 15 } });
      proxy.inject({ kind: 'lose-answer' }, { operation: 'TransactWriteItems' });
      expect(await flaky.addOnHand(sku, -4, NOW)).toMatchObject({ outcome: 'added', level: { onHand: 11 } });
      expect(
        proxy.requests.filter((r) => r.operation === 'TransactWriteItems' && r.fault === 'lose-answer'),
      ).toHaveLength(2);
      expect(proxy.requests.filter((r) => r.operation === 'TransactWriteItems')).toHaveLength(4);
      expect(await levelOf(sku)).toMatchObject({ onHand: 11, available: 11 });
    } finally {
      client.close();
      await proxy.close();
    }
  });
});
