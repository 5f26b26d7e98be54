import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCatalog } from '../src/domain/catalog';
import {
  CodeDefinitionError,
  codeSummary,
  createCode,
  disableCode,
  formatCodesTable,
  listCodes,
  parseCodeDefinition,
} from '../src/ops/codes';
import { openTable, TABLE_OPTIONS, TABLE_USAGE } from './open-table';

const USAGE = `Usage:
  npm run codes -- create <CODE> (--percent P | --amount-off CENTS) [--min-subtotal CENTS]
                  [--starts DATE] [--ends DATE] [--limit N] [--limit-per-email N]
                  [--collections a,b | --skus SKU1,SKU2] [--combine-with-bundles | --best-of]
  npm run codes -- list [--json]
  npm run codes -- disable <CODE>
  (each with [--stage <name>] or [--aws])

Codes are case-insensitive (stored upper-case). A code takes --percent off, or --amount-off cents,
of the items it covers (all, or --collections / --skus of catalog/catalog.json). --best-of (the
default): the code alone or the bundle deals, whichever saves the shopper more. --combine-with-bundles:
the code on top, on what the bundle deals leave to pay. --min-subtotal: the covered items must cost
at least this before discounts. --starts/--ends: 2026-12-01 (a whole day, UTC) or 2026-12-01T09:00:00Z.
--limit: uses in all; --limit-per-email: uses per email address (checkout then asks for the email).
A use is held while a checkout is open, counted when paid, given back when the checkout ends unpaid.

${TABLE_USAGE}`;

/** `npm run codes`: the operator's discount codes. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      percent: { type: 'string' },
      'amount-off': { type: 'string' },
      'min-subtotal': { type: 'string' },
      starts: { type: 'string' },
      ends: { type: 'string' },
      limit: { type: 'string' },
      'limit-per-email': { type: 'string' },
      collections: { type: 'string' },
      skus: { type: 'string' },
      'combine-with-bundles': { type: 'boolean', default: false },
      'best-of': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...TABLE_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, code] = positionals;
  const needsCode = command === 'create' || command === 'disable';
  if (values.help || !command || !['create', 'list', 'disable'].includes(command) || (needsCode && !code)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const now = Math.floor(Date.now() / 1000);
  const catalog = parseCatalog(
    JSON.parse(readFileSync(resolve(import.meta.dirname, '../catalog/catalog.json'), 'utf8')),
  );
  // Checked before the table is opened: a typo costs no connection.
  const definition =
    command === 'create'
      ? parseCodeDefinition(
          code,
          {
            percent: values.percent,
            amountOff: values['amount-off'],
            minSubtotal: values['min-subtotal'],
            starts: values.starts,
            ends: values.ends,
            limit: values.limit,
            limitPerEmail: values['limit-per-email'],
            collections: values.collections,
            skus: values.skus,
            combineWithBundles: values['combine-with-bundles'],
            bestOf: values['best-of'],
          },
          catalog,
          now,
        )
      : null;
  const table = await openTable('codes', values);
  try {
    if (definition) {
      if ((await createCode(table, definition, now)) === 'exists') {
        console.error(
          `codes: ${definition.code} exists already in ${table.tableName} (codes are never reused)`,
        );
        return 1;
      }
      console.log(`Created ${definition.code} in ${table.tableName}.`);
      return 0;
    }
    if (command === 'disable') {
      const outcome = await disableCode(table, String(code), now);
      if (outcome === 'missing') {
        console.error(`codes: no code ${String(code).toUpperCase()} in ${table.tableName}`);
        return 1;
      }
      console.log(
        outcome === 'disabled'
          ? `Disabled ${String(code).toUpperCase()}: quotes and checkouts no longer take it.`
          : `${String(code).toUpperCase()} was already disabled.`,
      );
      return 0;
    }
    const codes = await listCodes(table);
    process.stdout.write(
      values.json
        ? `${JSON.stringify(
            codes.map((c) => codeSummary(c, now)),
            null,
            2,
          )}\n`
        : formatCodesTable(codes, catalog, now),
    );
    return 0;
  } finally {
    await table.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CodeDefinitionError) {
      console.error(`codes: cannot create this code:\n  - ${err.problems.join('\n  - ')}`);
      process.exit(2);
    }
    console.error(`codes: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
