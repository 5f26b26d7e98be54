import { parseArgs } from 'node:util';
import { formatOrdersTable, listOrders, showSession } from '../src/ops/orders';
import { openTable, TABLE_OPTIONS, TABLE_USAGE } from './open-table';

const USAGE = `Usage:
  npm run orders -- list [--date YYYY-MM-DD] [--days N] [--status paid|no_payment_required] [--json] [--stage <name>]
  npm run orders -- show <sessionId> [--json] [--stage <name>]

${TABLE_USAGE}`;

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
      ...TABLE_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sessionId] = positionals;
  if (values.help || !command || !['list', 'show'].includes(command) || (command === 'show' && !sessionId)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const { client, tableName, close } = await openTable('orders', values);
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`orders: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
