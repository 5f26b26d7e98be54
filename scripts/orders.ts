import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadCommandStage } from '../infra/lib/stage-location';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import {
  DYNALITE_DATA_DIR,
  DYNAMODB_DATA_DIR,
  LOCAL_TABLE_NAME,
  RUNNING_STACK_POINTER,
  STACK_FILE,
} from '../local/stack';
import { createDocumentClient, ensureCommerceTable } from '../src/adapters/dynamodb/commerce-table';
import { formatOrdersTable, listOrders, showSession } from '../src/ops/orders';

const USAGE = `Usage:
  npm run orders -- list [--date YYYY-MM-DD] [--days N] [--status paid|no_payment_required] [--json] [--stage <name>]
  npm run orders -- show <sessionId> [--json] [--stage <name>]

Without --stage: the local stack's table (running or not, under DATA_DIR, default .data).
--stage prod: the deployed stage's table (its tableName, in its region, from infra/stages/prod.json;
another folder with --stages-dir or STAGES_DIR), read with your AWS credentials.
--aws: the deployed table named by COMMERCE_TABLE, in AWS_REGION (for a table no stage file names).`;

/** `npm run orders`: the operator's list of paid orders for manual fulfilment. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      date: { type: 'string' },
      days: { type: 'string', default: '1' },
      status: { type: 'string' },
      json: { type: 'boolean', default: false },
      aws: { type: 'boolean', default: false },
      stage: { type: 'string' },
      'stages-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sessionId] = positionals;
  if (values.help || !command || !['list', 'show'].includes(command) || (command === 'show' && !sessionId)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const { client, tableName, close } = await openTable(values);
  try {
    if (command === 'show') {
      const found = await showSession(client, tableName, String(sessionId));
      if (!found) {
        console.error(`No session ${sessionId} in ${tableName}.`);
        return 1;
      }
      console.log(JSON.stringify(found, null, 2));
      return 0;
    }
    const date = values.date ?? new Date().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error('--date must be YYYY-MM-DD');
    const days = Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('--days must be 1–366');
    const orders = [];
    for (let i = days - 1; i >= 0; i -= 1) {
      const day = new Date(Date.parse(`${date}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10);
      orders.push(...(await listOrders(client, tableName, day)));
    }
    const shown = values.status ? orders.filter((o) => o.paymentStatus === values.status) : orders;
    process.stdout.write(values.json ? `${JSON.stringify(shown, null, 2)}\n` : formatOrdersTable(shown));
    return 0;
  } finally {
    await close();
  }
}

/** The deployed stage's table in its region (`--stage`), a named deployed table (`--aws`), or the local one. */
async function openTable(options: {
  aws: boolean;
  stage?: string | undefined;
  'stages-dir'?: string | undefined;
}) {
  if (options.stage) {
    const projectRoot = resolve(import.meta.dirname, '..');
    const config = loadCommandStage(projectRoot, options.stage, options['stages-dir']);
    const client = createDocumentClient({ region: config.region });
    return { client, tableName: config.tableName, close: async () => client.destroy() };
  }
  if (options.aws) {
    const tableName = process.env.COMMERCE_TABLE;
    if (!tableName) throw new Error('--aws needs COMMERCE_TABLE (or use --stage <name>)');
    const client = createDocumentClient({ region: process.env.AWS_REGION });
    return { client, tableName, close: async () => client.destroy() };
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
      console.error(`orders: reading the running local stack (data in ${running.dataDir})`);
    }
    const client = createDocumentClient({ endpoint: running.dynamoEndpoint });
    return { client, tableName: running.tableName, close: async () => client.destroy() };
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
  const client = createDocumentClient({ endpoint: dynamo.endpoint });
  return {
    client,
    tableName,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** The running stack a stack file describes, or `null` when there is none or its process is gone. */
function runningStackIn(
  file: string,
): { dynamoEndpoint: string; tableName: string; dataDir?: string } | null {
  if (!existsSync(file)) return null;
  try {
    const stack = JSON.parse(readFileSync(file, 'utf8')) as {
      pid?: unknown;
      dynamoEndpoint: string;
      tableName: string;
      dataDir?: string;
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`orders: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
