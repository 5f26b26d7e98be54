import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDynamoStockStore } from '../src/adapters/dynamodb/stock-store';
import {
  applyStockChanges,
  checkChange,
  formatStockTable,
  listStock,
  parseStockCsv,
  type StockChange,
  StockInputError,
} from '../src/ops/stock';
import { loadBundledCatalog } from '../src/wiring';
import { openTable, TABLE_OPTIONS, TABLE_USAGE } from './open-table';

const USAGE = `Usage:
  npm run stock -- list [--json] [--stage <name>]
  npm run stock -- set <SKU> <quantity> [--stage <name>]     on hand becomes <quantity>
  npm run stock -- add <SKU> <quantity> [--stage <name>]     adds to on hand (negative to remove)
  npm run stock -- import <file.csv> [--dry-run] [--stage <name>]
      CSV header: sku,onHand (set each) or sku,add (add to each); every row is checked first.

Held units (open checkouts) stay held whatever on hand becomes; available = on hand − held.
${TABLE_USAGE}`;

/** `npm run stock`: the operator's stock counts, per SKU. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      ...TABLE_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, first, second] = positionals;
  const wellFormed =
    (command === 'list' && !first) ||
    ((command === 'set' || command === 'add') && first && second !== undefined) ||
    (command === 'import' && first);
  if (values.help || !wellFormed) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const catalog = loadBundledCatalog();
  let changes: StockChange[] = [];
  if (command === 'set' || command === 'add') {
    const quantity = /^-?\d+$/.test(String(second)) ? Number(second) : Number.NaN;
    changes = [checkChange(catalog, { sku: String(first), mode: command, quantity })];
  } else if (command === 'import') {
    changes = parseStockCsv(catalog, readFileSync(String(first), 'utf8'));
    if (values['dry-run']) {
      console.log(`${changes.length} row(s) are valid; nothing written (--dry-run).`);
      return 0;
    }
  }
  const { client, tableName, close } = await openTable('stock', values);
  try {
    const stock = createDynamoStockStore({ client, tableName });
    if (command === 'list') {
      const rows = await listStock(catalog, stock);
      process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatStockTable(rows));
      return 0;
    }
    const levels = await applyStockChanges(stock, changes, Math.floor(Date.now() / 1000));
    for (const level of levels) {
      const warn =
        level.available < 0 ? ` (below the ${level.held} held: the oldest checkouts may sell short)` : '';
      console.log(
        `${level.sku}: on hand ${level.onHand}, held ${level.held}, available ${level.available}${warn}`,
      );
    }
    return 0;
  } finally {
    await close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`stock: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof StockInputError ? 2 : 1);
  },
);
