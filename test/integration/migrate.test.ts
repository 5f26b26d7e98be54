import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureCommerceTable } from '../../src/adapters/dynamodb/commerce-table';
import { createTableClient, type TableClient } from '../../src/adapters/dynamodb/table-client';
import { type Mapping, parseMapping } from '../../src/migrate/mapping';
import {
  createFileCheckpointStore,
  type MigrationOptions,
  runMigration,
} from '../../src/migrate/run-migration';
import {
  createTestAdminClient,
  createTestReader,
  interceptTable,
  testDynamoEndpoint,
  uniqueTableName,
} from '../support/dynamo';

const REPO = path.resolve(import.meta.dirname, '../..');
const ORDERS_MAPPING = parseMapping(
  JSON.parse(readFileSync(path.join(REPO, 'infra/migrations/old-orders-table.json'), 'utf8')),
  'old-orders-table.json',
);
const RATE_LIMIT_MAPPING = parseMapping(
  JSON.parse(readFileSync(path.join(REPO, 'infra/migrations/old-rate-limit-table.json'), 'utf8')),
  'old-rate-limit-table.json',
);
const NOW = 1_790_000_000;
const JAN_1 = Date.UTC(2026, 0, 1);

let raw: DynamoDBClient;
/** The migration's client. */
let client: TableClient;
/** The official SDK, to seed and inspect the tables independently. */
let sdk: DynamoDBDocumentClient;
let workDir: string;
let tableCounter = 0;

beforeAll(async () => {
  raw = createTestAdminClient();
  client = createTableClient({ endpoint: testDynamoEndpoint() });
  sdk = createTestReader();
  workDir = mkdtempSync(path.join(tmpdir(), 'migrate-'));
});
afterAll(async () => {
  client.close();
  sdk.destroy();
  raw.destroy();
  rmSync(workDir, { recursive: true, force: true });
});

interface Tables {
  readonly from: string;
  readonly to: string;
}

/** A fresh old orders table (keyed by orderId) with `count` orders, and an empty commerce table. */
async function seedOrders(count: number, extra: Record<string, unknown>[] = []): Promise<Tables> {
  tableCounter += 1;
  const tables = {
    from: uniqueTableName(`old-orders-${tableCounter}`),
    to: uniqueTableName(`commerce-${tableCounter}`),
  };
  await raw.send(
    new CreateTableCommand({
      TableName: tables.from,
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await ensureCommerceTable(raw, tables.to);
  const orders = Array.from({ length: count }, (_, i) => oldOrder(i));
  for (const item of [...orders, ...extra]) {
    await sdk.send(new PutCommand({ TableName: tables.from, Item: item }));
  }
  return tables;
}

function oldOrder(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: `ord-${String(i).padStart(4, '0')}`,
    status: 'paid',
    stripe_session_id: `cs_test_${i}`,
    paid_at: JAN_1 + i * 3_600_000,
    currency: 'usd',
    amount_subtotal: 6400 + i,
    amount_total: 5760 + i,
    customer_email: `buyer${i}@example.com`,
    customer_name: `Buyer ${i}`,
    ip_address: '203.0.113.9',
    ...overrides,
  };
}

async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const { Items } = await sdk.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items ?? [];
}

function migrate(tables: Tables, options: Partial<MigrationOptions> = {}) {
  return runMigration({ client, ...tables, mapping: ORDERS_MAPPING, apply: false, now: NOW, ...options });
}

describe('migrating an old orders table into the single table', () => {
  let checkpointFile: string;
  beforeEach(() => {
    checkpointFile = path.join(workDir, `checkpoint-${tableCounter + 1}.json`);
  });

  it('writes nothing on a dry run but reports what it would write', async () => {
    const tables = await seedOrders(5);
    const seen: string[] = [];
    const result = await migrate(tables, {
      checkpoint: createFileCheckpointStore(checkpointFile),
      onItem: (e) => seen.push(e.outcome),
    });
    expect(result.totals).toMatchObject({ scanned: 5, written: 5, alreadyPresent: 0, conflicts: 0 });
    expect(seen).toEqual(['write', 'write', 'write', 'write', 'write']);
    expect(await scanAll(tables.to)).toEqual([]);
    expect(() => readFileSync(checkpointFile)).toThrow();
  });

  it("copies paid orders into ORDERS#<day>, renamed, without the customer's IP", async () => {
    const tables = await seedOrders(3, [oldOrder(90, { status: 'pending' })]);
    const result = await migrate(tables, {
      apply: true,
      checkpoint: createFileCheckpointStore(checkpointFile),
    });
    expect(result.totals).toMatchObject({ scanned: 4, written: 3 });
    expect(result.totals.skipped.filtered).toBe(1);
    const { Items } = await sdk.send(
      new QueryCommand({
        TableName: tables.to,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'ORDERS#2026-01-01' },
      }),
    );
    expect(Items).toHaveLength(3);
    expect(Items?.[0]).toEqual({
      PK: 'ORDERS#2026-01-01',
      SK: '2026-01-01T00:00:00.000Z#cs_test_0',
      sessionId: 'cs_test_0',
      paidAt: '2026-01-01T00:00:00.000Z',
      paymentStatus: 'paid',
      currency: 'usd',
      amountSubtotal: 6400,
      amountTotal: 5760,
      customerEmail: 'buyer0@example.com',
      customerName: 'Buyer 0',
      legacyOrderId: 'ord-0000',
      migratedFrom: 'orders-v1',
    });
  });

  it('writes no duplicates when run again, and reports the items as already present', async () => {
    const tables = await seedOrders(6);
    await migrate(tables, { apply: true, restart: true });
    const again = await migrate(tables, { apply: true, restart: true });
    expect(again.totals).toMatchObject({ scanned: 6, written: 0, alreadyPresent: 6, conflicts: 0 });
    expect(await scanAll(tables.to)).toHaveLength(6);
  });

  it('leaves a different item under the same key untouched and reports the conflict', async () => {
    const tables = await seedOrders(2);
    const existing = {
      PK: 'ORDERS#2026-01-01',
      SK: '2026-01-01T00:00:00.000Z#cs_test_0',
      note: 'entered by hand',
    };
    await sdk.send(new PutCommand({ TableName: tables.to, Item: existing }));
    const result = await migrate(tables, { apply: true });
    expect(result.totals).toMatchObject({ written: 1, conflicts: 1 });
    const { Item } = await sdk.send(
      new GetCommand({ TableName: tables.to, Key: { PK: existing.PK, SK: existing.SK } }),
    );
    expect(Item).toEqual(existing);
  });

  it('resumes after a crash from the last saved page and ends with every item exactly once', async () => {
    const tables = await seedOrders(25);
    const store = createFileCheckpointStore(checkpointFile);
    // The real client, made to fail on the 13th write: the run dies in the middle of page 3.
    let puts = 0;
    const failing: MigrationOptions['client'] = interceptTable(client, async ({ operation }, proceed) => {
      if (operation === 'put' && ++puts === 13) throw new Error('network down');
      return proceed();
    });
    await expect(
      migrate(tables, { client: failing, apply: true, pageSize: 5, concurrency: 1, checkpoint: store }),
    ).rejects.toThrow('network down');
    const saved = store.load();
    expect(saved).toMatchObject({ done: false, totals: { scanned: 10, written: 10 } });
    expect(saved?.lastEvaluatedKey).toBeDefined();

    const resumed = await migrate(tables, { apply: true, pageSize: 5, checkpoint: store });
    expect(resumed.resumed).toBe(true);
    // Pages 1–2 are not scanned again; the two writes of the interrupted page are found in place.
    expect(resumed.pages).toBeLessThanOrEqual(4);
    expect(resumed.totals).toMatchObject({ scanned: 25, written: 23, alreadyPresent: 2, conflicts: 0 });
    expect(await scanAll(tables.to)).toHaveLength(25);
    expect(store.load()?.done).toBe(true);

    const finished = await migrate(tables, { apply: true, pageSize: 5, checkpoint: store });
    expect(finished.alreadyComplete).toBe(true);
  });

  it('refuses a checkpoint that belongs to a different mapping', async () => {
    const tables = await seedOrders(1);
    const store = createFileCheckpointStore(checkpointFile);
    await migrate(tables, { apply: true, checkpoint: store });
    const other: Mapping = { ...ORDERS_MAPPING, description: 'changed' };
    await expect(migrate(tables, { apply: true, checkpoint: store, mapping: other })).rejects.toMatchObject({
      code: 'checkpoint_mismatch',
    });
  });

  it('skips the old rate-limit table entirely, without reading it', async () => {
    const tables = { from: 'no-such-table', to: 'no-such-target' };
    const result = await migrate(tables, { apply: true, mapping: RATE_LIMIT_MAPPING });
    expect(result.skippedTable).toMatch(/raw client IP addresses/);
    expect(result.totals.scanned).toBe(0);
  });
});

describe('npm run migrate', () => {
  it('is a dry run unless --apply is given, and prints the keys and a summary but no customer data', async () => {
    const tables = await seedOrders(3);
    const run = (args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          path.join(REPO, 'node_modules/tsx/dist/cli.mjs'),
          path.join(REPO, 'scripts/migrate.ts'),
          '--from',
          tables.from,
          '--to',
          tables.to,
          '--map',
          path.join(REPO, 'infra/migrations/old-orders-table.json'),
          '--endpoint',
          testDynamoEndpoint(),
          '--checkpoint',
          path.join(workDir, 'cli-checkpoint.json'),
          ...args,
        ],
        { cwd: workDir, env: process.env },
      );
    const dry = await run([]);
    expect(dry.stdout).toMatch(/^DRY RUN/);
    expect(dry.stdout).toContain('would write: ORDERS#2026-01-01 | 2026-01-01T00:00:00.000Z#cs_test_0');
    expect(dry.stdout).toMatch(/would write 3; already present 0; conflicts 0/);
    expect(dry.stdout).not.toContain('@example.com');
    expect(await scanAll(tables.to)).toEqual([]);

    const applied = await run(['--apply']);
    expect(applied.stdout).toMatch(/written 3;/);
    expect(await scanAll(tables.to)).toHaveLength(3);
  });
});
