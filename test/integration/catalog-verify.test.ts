import { afterAll, describe, expect, it } from 'vitest';
import {
  pricesFromCatalogProducts,
  type StripeEmulator,
  startStripeEmulator,
} from '../../local/stripe-emulator';
import { createStripeClient } from '../../src/adapters/stripe/stripe-client';
import { formatDifferences, verifyCatalogPrices } from '../../src/ops/catalog-verify';
import { loadSampleCatalog } from '../support/catalog-factory';
import { TEST_STRIPE_KEY, TEST_WEBHOOK_SECRET } from '../support/stripe';

const emulators: StripeEmulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
});

async function stripeWith(prices: ReturnType<typeof pricesFromCatalogProducts>) {
  const emulator = await startStripeEmulator({
    port: 0,
    apiKey: TEST_STRIPE_KEY,
    webhookSecret: TEST_WEBHOOK_SECRET,
    prices,
  });
  emulators.push(emulator);
  return createStripeClient({
    secretKey: TEST_STRIPE_KEY,
    apiBase: emulator.url,
    timeoutMs: 2_000,
    maxNetworkRetries: 0,
  });
}

describe('catalog verify', () => {
  it('finds no difference when Stripe has the catalog prices', async () => {
    const catalog = loadSampleCatalog();
    const stripe = await stripeWith(pricesFromCatalogProducts(catalog.sellables));
    const result = await verifyCatalogPrices(catalog, stripe.prices);
    expect(result.checked).toBe(catalog.sellables.filter((s) => s.stripePriceId).length);
    expect(result.differences).toEqual([]);
  });

  it('reports a changed amount, an archived price and a missing price', async () => {
    const catalog = loadSampleCatalog();
    const seeded = pricesFromCatalogProducts(catalog.sellables);
    const [first, second, ...rest] = seeded;
    if (!first || !second) throw new Error('the sample catalog needs two Stripe prices');
    const stripe = await stripeWith([
      { ...first, unitAmount: first.unitAmount + 100, active: false },
      ...rest,
    ]);
    const { differences } = await verifyCatalogPrices(catalog, stripe.prices);
    expect(differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          priceId: first.id,
          field: 'unit_amount',
          catalog: String(first.unitAmount),
        }),
        expect.objectContaining({ priceId: first.id, field: 'active', stripe: 'false' }),
        expect.objectContaining({ priceId: second.id, field: 'exists' }),
      ]),
    );
    expect(differences).toHaveLength(3);
    expect(formatDifferences(differences)).toContain(second.id);
  });
});
