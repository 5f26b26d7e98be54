import { createStripeClient } from '../src/adapters/stripe/stripe-client';
import { EnvReader } from '../src/config';
import { formatDifferences, verifyCatalogPrices } from '../src/ops/catalog-verify';
import { createSdkSecretResolver } from '../src/ops/sdk-secrets';
import { loadBundledCatalog } from '../src/wiring';

const USAGE = `Usage: npm run catalog -- verify

Checks every product in catalog/catalog.json that names a stripePriceId against Stripe: the price
must exist, be as active as the product, and have the same amount and currency. Uses
STRIPE_SECRET_KEY (a value or a Secrets Manager ARN) and STRIPE_API_BASE (e.g. the local emulator).
Exit code 0: all agree; 1: differences (printed as a table); 2: usage or configuration error.`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] !== 'verify') {
    console.log(USAGE);
    return argv[0] === '--help' || argv[0] === '-h' ? 0 : 2;
  }
  const secrets = createSdkSecretResolver();
  const reader = new EnvReader(process.env, secrets.resolve);
  if (!reader.optional('STRIPE_SECRET_KEY')) {
    console.error('catalog verify: set STRIPE_SECRET_KEY (and STRIPE_API_BASE for the emulator).');
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
  const catalog = loadBundledCatalog();
  const { checked, differences } = await verifyCatalogPrices(catalog, stripe.prices);
  if (differences.length === 0) {
    console.log(`catalog ${catalog.version}: ${checked} Stripe price(s) checked, all agree.`);
    return 0;
  }
  console.log(`catalog ${catalog.version}: ${differences.length} difference(s) in ${checked} price(s):\n`);
  process.stdout.write(formatDifferences(differences));
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`catalog: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
