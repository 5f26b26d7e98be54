import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDynamoStockStore } from '../src/adapters/dynamodb/stock-store';
import {
  applyStockChanges,
  checkChange,
  describeLevel,
  formatStockTable,
  listStock,
  onHandShortfalls,
  parseStockCsv,
  refusalOf,
  type StockChange,
  StockInputError,
} from '../src/ops/stock';
import { loadBundledCatalog } from '../src/wiring';
import { openTable, TABLE_OPTIONS, TABLE_USAGE } from './open-table';

const USAGE = `Usage:
  npm run stock -- list [--json] [--stage <name>]
  npm run stock -- set <SKU> <quantity> [--stage <name>]     on hand becomes <quantity>
  npm run stock -- add <SKU> <quantity> [--stage <name>]     adds to on hand (negative to remove: add <SKU> -3)
  npm run stock -- import <file.csv> [--dry-run] [--stage <name>]
      CSV header: sku,onHand (set each) or sku,add (add to each); every row is checked first.

Held units (open checkouts) stay held whatever on hand becomes; available = on hand − held.
Removing more than is on hand is refused (nothing written); below what is held is allowed.
Exit code: 0 done; 1 refused (on hand too low) or failed; 2 a usage or input error (nothing written).
${TABLE_USAGE}`;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  ...TABLE_OPTIONS,
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * parseArgs reads `-3` as an option. An argument starting with a minus and a digit (no option does)
 * is hidden from it behind a NUL — which cannot occur in a process's arguments — and shown again after.
 */
const HIDDEN = '\0';
const hide = (arg: string) => (/^-\d/.test(arg) ? `${HIDDEN}${arg}` : arg);
const show = (arg: string) => (arg.startsWith(HIDDEN) ? arg.slice(HIDDEN.length) : arg);

/** The command line, or what is wrong with it. */
function parseCommandLine(argv: readonly string[]) {
  try {
    const { positionals, values } = parseArgs({
      args: argv.map(hide),
      allowPositionals: true,
      options: OPTIONS,
    });
    return {
      positionals: positionals.map(show),
      values: {
        ...values,
        stage: values.stage === undefined ? undefined : show(values.stage),
        'stages-dir': values['stages-dir'] === undefined ? undefined : show(values['stages-dir']),
      },
    };
  } catch (err: unknown) {
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      return { problem: err.message };
    }
    throw err;
  }
}

/** `npm run stock`: the operator's stock counts, per SKU. */
async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if ('problem' in parsed) {
    console.error(`stock: ${parsed.problem}\nSee npm run stock -- --help.`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, first, second] = positionals;
  const wellFormed =
    (command === 'list' && positionals.length === 1) ||
    ((command === 'set' || command === 'add') && positionals.length === 3) ||
    (command === 'import' && positionals.length === 2);
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
  }
  const removes = changes.some((c) => c.mode === 'add' && c.quantity < 0);
  const dryRun = `${changes.length} row(s) are valid; nothing written (--dry-run).`;
  // A file that only sets or adds is checked without the table.
  if (command === 'import' && values['dry-run'] && !removes) {
    console.log(dryRun);
    return 0;
  }
  const { client, tableName, close } = await openTable('stock', values);
  try {
    const stock = createDynamoStockStore({ client, tableName });
    if (command === 'list') {
      const rows = await listStock(catalog, stock);
      process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatStockTable(rows));
      return 0;
    }
    if (command === 'import') {
      // Every removal against on hand as it is now, before any row is written.
      const shortfalls = await onHandShortfalls(stock, changes);
      if (shortfalls.length > 0) {
        console.error(`stock: refused, nothing written:\n${shortfalls.join('\n')}`);
        return 1;
      }
      if (values['dry-run']) {
        console.log(`${dryRun} On hand covers every removal now.`);
        return 0;
      }
    }
    const results = await applyStockChanges(stock, changes, Math.floor(Date.now() / 1000), (result) => {
      if (result.outcome === 'applied') console.log(describeLevel(result.level));
      else console.error(`stock: refused: ${refusalOf(result.change, result.onHand)}`);
    });
    const refused = results.filter((r) => r.outcome === 'refused').length;
    if (refused === 0) return 0;
    console.error(
      command === 'import'
        ? `stock: ${refused} of ${results.length} row(s) refused: on hand fell while importing (a sale, ` +
            'another operator). The other rows are written: import only the refused rows again, after ' +
            'a count — the whole file again would add the others twice.'
        : 'stock: nothing written.',
    );
    return 1;
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
