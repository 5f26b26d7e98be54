import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort, type RunningDynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { commerceTableDefinition } from '../../src/adapters/dynamodb/commerce-table';
import { createTestAdminClient, startTestTable, testDynamoEndpoint } from '../support/dynamo';

const started: RunningDynamoDbLocal[] = [];
const clients: DynamoDBClient[] = [];
afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const dynamo of started) await dynamo.close();
});

function adminOf(endpoint: string): DynamoDBClient {
  const client = createTestAdminClient(endpoint);
  clients.push(client);
  return client;
}

/** True while something accepts connections on the endpoint's port. */
async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return false;
}

// The JVMs these tests start are separate processes: starting them together uses both cores.
describe.concurrent('DynamoDB Local', () => {
  it('tries another port when the free one it found is taken, never mistakes another DynamoDB Local for its own, and ends its JVM on close', async () => {
    const shared = new URL(testDynamoEndpoint());
    const offered = [Number(shared.port)];
    const dynamo = await startDynamoDbLocal({
      // The first port offered is the run's shared DynamoDB Local: it answers, but is not this one.
      findPort: async () => offered.shift() ?? (await findFreePort()),
    });
    started.push(dynamo);
    expect(dynamo.port).not.toBe(Number(shared.port));
    await adminOf(dynamo.endpoint).send(new CreateTableCommand(commerceTableDefinition('only-here')));
    const { TableNames } = await adminOf(shared.href).send(new ListTablesCommand({}));
    expect(TableNames).not.toContain('only-here');

    await dynamo.close();
    expect(isRunning(dynamo.pid)).toBe(false);
  });

  it('names the port when a fixed port is taken', async () => {
    const port = Number(new URL(testDynamoEndpoint()).port);
    await expect(startDynamoDbLocal({ port })).rejects.toThrow(`port ${port} is already in use`);
  });

  it('says Java is needed when there is none', async () => {
    await expect(startDynamoDbLocal({ java: '/nonexistent/bin/java' })).rejects.toThrow(/needs Java 17/);
  });

  it.each([
    ['exits without closing it', 'exit'],
    ['is killed with SIGKILL', 'kill'],
  ])('does not outlive a Node process that %s', async (_how, mode) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../support/dynamodb-local-child.ts'), mode],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const jvm = await new Promise<{ endpoint: string; pid: number }>((found, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('\n')) found(JSON.parse(out));
      });
      child.once('exit', (code) =>
        fail(new Error(`the child exited (${code}) before printing its endpoint`)),
      );
    });
    try {
      expect(await answers(jvm.endpoint)).toBe(true);
      if (mode === 'exit') child.stdin.end('exit\n');
      else child.kill('SIGKILL');
      expect(await until(async () => !isRunning(jvm.pid), 10_000)).toBe(true);
    } finally {
      if (isRunning(jvm.pid)) process.kill(jvm.pid, 'SIGKILL');
    }
  });
});

describe("DynamoDB's own rules, which dynalite did not enforce", () => {
  it('refuses a table name shorter than 3 characters', async () => {
    await expect(
      createTestAdminClient().send(new CreateTableCommand(commerceTableDefinition('ab'))),
    ).rejects.toThrow(/between 3 and 255 characters/);
  });

  it('cancels a whole transaction when one condition fails, and says which', async () => {
    const table = await startTestTable('transactions');
    try {
      await table.sdk.send(new PutCommand({ TableName: table.tableName, Item: { PK: 'HOLD#1', SK: 'SKU' } }));
      const attempt = table.sdk.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table.tableName, Item: { PK: 'HOLD#2', SK: 'SKU' } } },
            {
              Put: {
                TableName: table.tableName,
                Item: { PK: 'HOLD#1', SK: 'SKU' },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
      const error = await attempt.catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TransactionCanceledException);
      expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
        'None',
        'ConditionalCheckFailed',
      ]);
      const { Item } = await table.sdk.send(
        new GetCommand({ TableName: table.tableName, Key: { PK: 'HOLD#2', SK: 'SKU' } }),
      );
      expect(Item).toBeUndefined();
    } finally {
      await table.close();
    }
  });
});
