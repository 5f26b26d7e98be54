import '../local/node-version-warning';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { DYNALITE_DATA_DIR, DYNAMODB_DATA_DIR, STACK_FILE } from '../local/stack';
import { createDocumentClient, ensureCommerceTable } from '../src/adapters/dynamodb/commerce-table';
import { formatOrdersTable, listOrders, showSession } from '../src/ops/orders';

const USAGE = `Usage:
  npm run orders -- list [--date YYYY-MM-DD] [--days N] [--status paid|no_payment_required] [--json]
  npm run orders -- show <sessionId> [--json]

Reads the local stack's table (running or not, under DATA_DIR, default .data). With COMMERCE_TABLE set
and no local data (or --aws), reads the deployed table with your AWS credentials.`;

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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sessionId] = positionals;
  if (values.help || !command || !['list', 'show'].includes(command) || (command === 'show' && !sessionId)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const { client, tableName, close } = await openTable(values.aws);
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

async function openTable(aws: boolean) {
  const tableName = process.env.COMMERCE_TABLE ?? 'babesclub-commerce';
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const dynamoDir = join(dataDir, DYNAMODB_DATA_DIR);
  const local = !aws && (existsSync(dynamoDir) || !process.env.COMMERCE_TABLE);
  if (!local) {
    const client = createDocumentClient({ region: process.env.AWS_REGION });
    return { client, tableName, close: async () => client.destroy() };
  }
  // A running `npm start` owns its database: talk to its DynamoDB Local; otherwise open the data itself.
  const stackFile = join(dataDir, STACK_FILE);
  if (existsSync(stackFile) && isRunning(JSON.parse(readFileSync(stackFile, 'utf8')).pid)) {
    const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as {
      dynamoEndpoint: string;
      tableName: string;
    };
    const client = createDocumentClient({ endpoint: stack.dynamoEndpoint });
    return { client, tableName: stack.tableName, close: async () => client.destroy() };
  }
  if (!existsSync(dynamoDir) && existsSync(join(dataDir, DYNALITE_DATA_DIR))) {
    console.error(
      `orders: ${join(dataDir, DYNALITE_DATA_DIR)} is dynalite's data (the local stack before DynamoDB Local) and is not read.`,
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
