import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createStripeClient } from '../src/adapters/stripe/stripe-client';
import { EnvReader } from '../src/config';
import {
  CatalogFileError,
  formatCatalogJson,
  readCatalogFile,
  writeCatalogFile,
} from '../src/ops/catalog-file';
import { fetchStripeCatalog, pullCatalog } from '../src/ops/catalog-pull';
import { formatPullReport } from '../src/ops/catalog-pull-report';
import { formatDifferences, verifyCatalogPrices } from '../src/ops/catalog-verify';
import { createSdkSecretResolver } from '../src/ops/sdk-secrets';

const SHOP_CATALOG = fileURLToPath(new URL('../catalog/catalog.json', import.meta.url));

const USAGE = `Usage:
  npm run catalog -- verify [--catalog <file>]
  npm run catalog -- pull [--write] [--catalog <file>] [--file <file>]

verify  Checks every product and variant of the catalog that names a stripePriceId against Stripe: the
        price must exist, be as active as the product, and have the same amount and currency.
        Exit code 0: all agree; 1: differences (printed as a table).

pull    Builds the catalog from Stripe: its active products and their active one-time prices in the
        catalog's currency (a product with several prices gets a variant per price, its option from
        the price's metadata, e.g. size=M). Keeps the bundles, and the collections, tags, quantity
        limits and stock policy of the products it matches (by Stripe price id, else by SKU); keeps
        products sold without a Stripe price. Prints what would change and writes nothing, unless
        --write. Exit code 0: done (or nothing to do); 1: the result would not load (printed).

  --catalog  the catalog to start from (default catalog/catalog.json)
  --file     where --write writes (default: the --catalog file)
  --write    write the pulled catalog

Both use STRIPE_SECRET_KEY (a value or a Secrets Manager ARN) and STRIPE_API_BASE (e.g. the local
emulator). Exit code 2: usage, configuration or a catalog file that cannot be read; 1 also when
Stripe cannot be reached or refuses.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'verify' && command !== 'pull') {
    console.log(USAGE);
    return 2;
  }
  let values: { catalog?: string | undefined; file?: string | undefined; write?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        catalog: { type: 'string' },
        file: { type: 'string' },
        write: { type: 'boolean', default: false },
      },
    }));
  } catch (err: unknown) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (command === 'verify' && (values.file !== undefined || values.write)) {
    throw new UsageError('verify takes --catalog <file> only');
  }
  const catalogFile = path.resolve(values.catalog ?? SHOP_CATALOG);
  const catalog = readCatalogFile(catalogFile);

  const secrets = createSdkSecretResolver();
  const reader = new EnvReader(process.env, secrets.resolve);
  if (!reader.optional('STRIPE_SECRET_KEY')) {
    console.error(`catalog ${command}: set STRIPE_SECRET_KEY (and STRIPE_API_BASE for the emulator).`);
    secrets.destroy();
    return 2;
  }
  let secretKey: string;
  try {
    secretKey = await reader.secret('STRIPE_SECRET_KEY');
  } finally {
    secrets.destroy();
  }
  const stripe = createStripeClient({
    secretKey,
    apiBase: reader.optional('STRIPE_API_BASE'),
    timeoutMs: 10_000,
    maxNetworkRetries: 2,
  });

  if (command === 'verify') {
    const { checked, differences } = await verifyCatalogPrices(catalog, stripe.prices);
    if (differences.length === 0) {
      console.log(`catalog ${catalog.version}: ${checked} Stripe price(s) checked, all agree.`);
      return 0;
    }
    console.log(`catalog ${catalog.version}: ${differences.length} difference(s) in ${checked} price(s):\n`);
    process.stdout.write(formatDifferences(differences));
    return 1;
  }

  const today = new Date().toISOString().slice(0, 10);
  const result = pullCatalog(catalog, await fetchStripeCatalog(stripe), today);
  process.stdout.write(formatPullReport(result, catalog.currency));
  const target = path.resolve(values.file ?? catalogFile);
  const relative = path.relative(process.cwd(), target);
  const shown = relative && !relative.startsWith('..') ? relative : target;
  if (result.problems.length > 0) {
    console.log(`\nNothing written: fix the above (at Stripe, or in ${shown}) and pull again.`);
    return 1;
  }
  if (!result.changed && target === catalogFile) {
    console.log(`\n${shown} already matches Stripe: nothing to write.`);
    return 0;
  }
  if (!values.write) {
    console.log(`\nNothing written (a preview). Run with --write to write ${shown}.`);
    return 0;
  }
  writeCatalogFile(target, formatCatalogJson(result.file));
  console.log(
    `\nWrote ${shown} (version ${result.data.version}). Check it with \`npm run catalog -- verify\`` +
      `${target === path.resolve(SHOP_CATALOG) ? '' : ` --catalog ${shown}`}, review the diff, then deploy.`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`catalog: ${err.message}\n`);
      console.error(USAGE);
    } else if (err instanceof CatalogFileError) {
      console.error(`catalog: ${err.message}`);
    } else {
      // Stripe unreachable or refusing, or anything else that failed: not the operator's input.
      console.error(`catalog: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
    process.exit(2);
  },
);
