/**
 * Runs the Stripe emulator on its own: `npx tsx local/stripe-emulator/main.ts`.
 *
 * Environment: `STRIPE_EMULATOR_PORT` (default 12111), `STRIPE_EMULATOR_HOST` (default 127.0.0.1),
 * `STRIPE_WEBHOOK_URL` (where events go; none by default), `STRIPE_WEBHOOK_SECRET` (required with a
 * webhook URL), `STRIPE_EMULATOR_API_KEY` (accept only this key; default any `sk_test_…`),
 * `STRIPE_EMULATOR_STATE_FILE` (keep the state in this JSON file across restarts; in memory by default).
 * Prices are seeded from `catalog/catalog.json` (products with a `stripePriceId`).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseCatalog } from '../../src/domain/catalog';
import { pricesFromCatalogProducts, startStripeEmulator } from './index';

function fail(message: string): never {
  console.error(`stripe-emulator: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = process.env;
  const portText = env.STRIPE_EMULATOR_PORT ?? '12111';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`STRIPE_EMULATOR_PORT is not a port: ${portText}`);
  const webhookUrl = env.STRIPE_WEBHOOK_URL || null;
  let webhookSecret = env.STRIPE_WEBHOOK_SECRET;
  if (!webhookSecret) {
    if (webhookUrl) fail('STRIPE_WEBHOOK_SECRET is required when STRIPE_WEBHOOK_URL is set.');
    // Nothing is delivered without a URL, so a throwaway secret is enough.
    webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  }
  const catalogUrl = new URL('../../catalog/catalog.json', import.meta.url);
  const catalog = parseCatalog(JSON.parse(await readFile(catalogUrl, 'utf8')));
  const emulator = await startStripeEmulator({
    port,
    host: env.STRIPE_EMULATOR_HOST || '127.0.0.1',
    apiKey: env.STRIPE_EMULATOR_API_KEY || undefined,
    webhookUrl,
    webhookSecret,
    prices: pricesFromCatalogProducts(catalog.sellables),
    expireIntervalMs: 30_000,
    log: (line) => console.log(`[stripe-emulator] ${line}`),
    ...(env.STRIPE_EMULATOR_STATE_FILE ? { stateFile: env.STRIPE_EMULATOR_STATE_FILE } : {}),
  });
  console.log(`[stripe-emulator] listening on ${emulator.url}`);
  console.log(
    `[stripe-emulator] SDK: new Stripe('sk_test_…', { host: '${emulator.host}', port: ${emulator.port}, protocol: 'http' })`,
  );
  console.log(`[stripe-emulator] webhooks: ${webhookUrl ?? 'none (set STRIPE_WEBHOOK_URL)'}`);
  const stop = () => {
    emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
