import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StageConfig } from '../infra/lib/stage-config';
import { loadCommandStage } from '../infra/lib/stage-location';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import {
  DYNALITE_DATA_DIR,
  DYNAMODB_DATA_DIR,
  LOCAL_TABLE_NAME,
  RUNNING_STACK_POINTER,
  STACK_FILE,
} from '../local/stack';
import { ensureCommerceTable } from '../src/adapters/dynamodb/commerce-table';
import { createTableClient } from '../src/adapters/dynamodb/table-client';
import { createOperatorTableClient } from '../src/ops/operator-table';

/**
 * The table an operator command (`orders`, `stock`, …) works on: the deployed stage's (`--stage`), a
 * named deployed table (`--aws`), or the local stack's (running or not).
 */

/** The options every operator command takes to choose its table. */
export const TABLE_OPTIONS = {
  aws: { type: 'boolean', default: false },
  stage: { type: 'string' },
  'stages-dir': { type: 'string' },
} as const;

/** How the table options read in a command's usage text. */
export const TABLE_USAGE = `Without --stage: the local stack's table (running or not, under DATA_DIR, default .data).
--stage prod: the deployed stage's table (its tableName, in its region, from infra/stages/prod.json;
another folder with --stages-dir or STAGES_DIR), used with your AWS credentials.
--aws: the deployed table named by COMMERCE_TABLE, in AWS_REGION (for a table no stage file names).`;

/** Where an opened table is, for a command that also needs that place's Stripe or mail settings. */
export type TablePlace =
  | { readonly kind: 'stage'; readonly stage: string; readonly config: StageConfig }
  | { readonly kind: 'aws' }
  /** The local stack's data; `stripeUrl` while the stack (and its Stripe emulator) runs. */
  | { readonly kind: 'local'; readonly dataDir: string; readonly stripeUrl: string | null };

/** The deployed stage's table in its region (`--stage`), a named deployed table (`--aws`), or the local one. */
export async function openTable(
  command: string,
  options: {
    aws: boolean;
    stage?: string | undefined;
    'stages-dir'?: string | undefined;
  },
) {
  if (options.stage) {
    const projectRoot = resolve(import.meta.dirname, '..');
    const config = loadCommandStage(projectRoot, options.stage, options['stages-dir']);
    const client = await createOperatorTableClient({ region: config.region });
    const place: TablePlace = { kind: 'stage', stage: options.stage, config };
    return { client, tableName: config.tableName, place, close: async () => client.close() };
  }
  if (options.aws) {
    const tableName = process.env.COMMERCE_TABLE;
    if (!tableName) throw new Error('--aws needs COMMERCE_TABLE (or use --stage <name>)');
    const client = await createOperatorTableClient({ region: process.env.AWS_REGION });
    const place: TablePlace = { kind: 'aws' };
    return { client, tableName, place, close: async () => client.close() };
  }
  const tableName = process.env.COMMERCE_TABLE ?? LOCAL_TABLE_NAME;
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const dynamoDir = join(dataDir, DYNAMODB_DATA_DIR);
  // A running `npm start` owns its database: talk to its DynamoDB Local; otherwise open the data itself.
  // Without DATA_DIR, a stack started elsewhere (another folder, another DATA_DIR) is found too.
  const running =
    runningStackIn(join(dataDir, STACK_FILE)) ??
    (process.env.DATA_DIR === undefined ? runningStackIn(RUNNING_STACK_POINTER) : null);
  if (running) {
    if (running.dataDir && resolve(running.dataDir) !== dataDir) {
      console.error(`${command}: reading the running local stack (data in ${running.dataDir})`);
    }
    const client = createTableClient({ endpoint: running.dynamoEndpoint });
    const place: TablePlace = {
      kind: 'local',
      dataDir: running.dataDir ? resolve(running.dataDir) : dataDir,
      stripeUrl: running.stripeUrl ?? null,
    };
    return { client, tableName: running.tableName, place, close: async () => client.close() };
  }
  if (!existsSync(dynamoDir)) {
    const dynalite = existsSync(join(dataDir, DYNALITE_DATA_DIR))
      ? ` (${join(dataDir, DYNALITE_DATA_DIR)} is dynalite's data, from before DynamoDB Local, and is not read)`
      : '';
    throw new Error(
      `no local stack is running and there is no local data in ${dataDir}${dynalite}: start it with ` +
        'npm start, or set DATA_DIR to the data directory it ran with (or use --stage <name> for a deployed stage)',
    );
  }
  const dynamo = await startDynamoDbLocal({ dbPath: dynamoDir });
  const admin = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureCommerceTable(admin, tableName);
  admin.destroy();
  const client = createTableClient({ endpoint: dynamo.endpoint });
  const place: TablePlace = { kind: 'local', dataDir, stripeUrl: null };
  return {
    client,
    tableName,
    place,
    close: async () => {
      client.close();
      await dynamo.close();
    },
  };
}

/** The running stack a stack file describes, or `null` when there is none or its process is gone. */
function runningStackIn(
  file: string,
): { dynamoEndpoint: string; tableName: string; dataDir?: string; stripeUrl?: string | null } | null {
  if (!existsSync(file)) return null;
  try {
    const stack = JSON.parse(readFileSync(file, 'utf8')) as {
      pid?: unknown;
      dynamoEndpoint: string;
      tableName: string;
      dataDir?: string;
      stripeUrl?: string | null;
    };
    return isRunning(stack.pid) ? stack : null;
  } catch {
    return null;
  }
}

function isRunning(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
