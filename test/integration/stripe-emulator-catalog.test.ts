import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SeedProduct, type StripeEmulator, startStripeEmulator } from '../../local/stripe-emulator';
import priceFixture from '../fixtures/stripe/price.json';
import productFixture from '../fixtures/stripe/product.json';
import { SECRET_KEY, START, sessionParams, stripeError } from '../support/emulator-suite';

/** A small Stripe catalog: a tee in three sizes, a cap, an archived mug, a subscription box. */
const TEE: SeedProduct = {
  id: 'prod_Tee',
  name: 'Club Tee',
  description: 'Soft cotton tee.',
  images: ['https://img.example/tee-front.png', 'https://img.example/tee-back.png'],
  metadata: { sku: 'TEE-CLUB' },
  prices: [
    { id: 'price_1TeeS', unitAmount: 3000, currency: 'usd', metadata: { size: 'S' }, nickname: 'Small' },
    { id: 'price_1TeeM', unitAmount: 3000, currency: 'usd', metadata: { size: 'M' } },
    { id: 'price_1TeeXl', unitAmount: 3400, currency: 'usd', metadata: { size: 'XL' } },
    { id: 'price_1TeeOld', unitAmount: 2500, currency: 'usd', metadata: { size: 'M' }, active: false },
  ],
};
const CAP: SeedProduct = {
  id: 'prod_Cap',
  name: 'Dad Cap',
  prices: [
    { id: 'price_1Cap', unitAmount: 2800, currency: 'usd' },
    { id: 'price_1CapEur', unitAmount: 2600, currency: 'eur' },
  ],
};
const MUG: SeedProduct = {
  id: 'prod_Mug',
  name: 'Mug',
  active: false,
  prices: [{ id: 'price_1Mug', unitAmount: 1800, currency: 'usd' }],
};
const BOX: SeedProduct = {
  id: 'prod_Box',
  name: 'Sticker box',
  prices: [{ id: 'price_1BoxMonthly', unitAmount: 900, currency: 'usd', recurring: 'month' }],
};

let emulator: StripeEmulator;
let stripe: Stripe;

beforeEach(async () => {
  emulator = await startStripeEmulator({
    webhookSecret: 'whsec_catalog_suite',
    now: () => START,
    products: [TEE, CAP, MUG, BOX],
  });
  stripe = new Stripe(SECRET_KEY, { ...emulator.sdkOptions(), maxNetworkRetries: 0 });
});

afterEach(async () => {
  await emulator.close();
});

describe('Stripe emulator: products and prices as a shop catalog', () => {
  it('lists products newest first, filtered by active and ids, with every field of the published fixture', async () => {
    const all = await stripe.products.list();
    expect(all).toMatchObject({ object: 'list', url: '/v1/products', has_more: false });
    expect(all.data.map((p) => p.id)).toEqual(['prod_Box', 'prod_Mug', 'prod_Cap', 'prod_Tee']);

    const active = await stripe.products.list({ active: true });
    expect(active.data.map((p) => p.id)).toEqual(['prod_Box', 'prod_Cap', 'prod_Tee']);
    const archived = await stripe.products.list({ active: false });
    expect(archived.data.map((p) => p.id)).toEqual(['prod_Mug']);
    const some = await stripe.products.list({ ids: ['prod_Tee', 'prod_Mug', 'prod_Nope'] });
    expect(some.data.map((p) => p.id)).toEqual(['prod_Mug', 'prod_Tee']);

    const tee = await stripe.products.retrieve('prod_Tee');
    expect(tee).toMatchObject({
      object: 'product',
      name: 'Club Tee',
      description: 'Soft cotton tee.',
      images: TEE.images,
      metadata: { sku: 'TEE-CLUB' },
      active: true,
      default_price: 'price_1TeeS',
      created: Math.floor(START / 1000),
    });
    expect(Object.keys(productFixture).filter((key) => !(key in tee))).toEqual([]);
  });

  it('pages products with limit and cursors, and the SDK auto-pagination reads them all', async () => {
    const first = await stripe.products.list({ limit: 2 });
    expect(first.data.map((p) => p.id)).toEqual(['prod_Box', 'prod_Mug']);
    expect(first.has_more).toBe(true);
    const second = await stripe.products.list({ limit: 2, starting_after: 'prod_Mug' });
    expect(second.data.map((p) => p.id)).toEqual(['prod_Cap', 'prod_Tee']);
    expect(second.has_more).toBe(false);
    const back = await stripe.products.list({ limit: 1, ending_before: 'prod_Cap' });
    expect(back.data.map((p) => p.id)).toEqual(['prod_Mug']);
    expect(back.has_more).toBe(true);

    // A cursor may name a product the filter leaves out: the page starts where it would be.
    const afterArchived = await stripe.products.list({ active: true, starting_after: 'prod_Mug' });
    expect(afterArchived.data.map((p) => p.id)).toEqual(['prod_Cap', 'prod_Tee']);

    const ids: string[] = [];
    for await (const product of stripe.products.list({ limit: 1 })) ids.push(product.id);
    expect(ids).toEqual(['prod_Box', 'prod_Mug', 'prod_Cap', 'prod_Tee']);
    // Four single requests above, then one per page of one: the last page says has_more false.
    expect(emulator.requestCount('GET /v1/products')).toBe(4 + 4);
  });

  it('lists active prices by default, filtered by product, type and currency, with products expanded', async () => {
    const prices = await stripe.prices.list({ limit: 100 });
    expect(prices.url).toBe('/v1/prices');
    expect(prices.data.map((p) => p.id)).toEqual([
      'price_1BoxMonthly',
      'price_1Mug',
      'price_1CapEur',
      'price_1Cap',
      'price_1TeeXl',
      'price_1TeeM',
      'price_1TeeS',
    ]);
    const archived = await stripe.prices.list({ active: false });
    expect(archived.data.map((p) => p.id)).toEqual(['price_1TeeOld']);

    const tee = await stripe.prices.list({ product: 'prod_Tee', expand: ['data.product'] });
    expect(tee.data.map((p) => [p.id, p.unit_amount, p.metadata.size, p.nickname])).toEqual([
      ['price_1TeeXl', 3400, 'XL', null],
      ['price_1TeeM', 3000, 'M', null],
      ['price_1TeeS', 3000, 'S', 'Small'],
    ]);
    expect(tee.data.every((p) => typeof p.product === 'object' && p.product.id === 'prod_Tee')).toBe(true);

    const [xl] = tee.data;
    expect(Object.keys(priceFixture).filter((key) => !(key in (xl ?? {})))).toEqual([]);

    const recurring = await stripe.prices.list({ type: 'recurring' });
    expect(recurring.data).toEqual([
      expect.objectContaining({
        id: 'price_1BoxMonthly',
        type: 'recurring',
        recurring: expect.objectContaining({ interval: 'month', interval_count: 1 }),
      }),
    ]);
    const euros = await stripe.prices.list({ currency: 'EUR' });
    expect(euros.data.map((p) => p.id)).toEqual(['price_1CapEur']);
    const oneTimeUsd = await stripe.prices.list({ type: 'one_time', currency: 'usd', limit: 100 });
    expect(oneTimeUsd.data.map((p) => p.id)).toEqual([
      'price_1Mug',
      'price_1Cap',
      'price_1TeeXl',
      'price_1TeeM',
      'price_1TeeS',
    ]);

    const ids: string[] = [];
    for await (const price of stripe.prices.list({ limit: 2, product: 'prod_Tee' })) ids.push(price.id);
    expect(ids).toEqual(['price_1TeeXl', 'price_1TeeM', 'price_1TeeS']);
  });

  it('leaves the products and prices sessions create inline out of the lists', async () => {
    await stripe.checkout.sessions.create(sessionParams());
    expect(emulator.state().sessions).toHaveLength(1);
    const products = await stripe.products.list({ limit: 100 });
    expect(products.data.map((p) => p.id)).toEqual(['prod_Box', 'prod_Mug', 'prod_Cap', 'prod_Tee']);
    const archivedPrices = await stripe.prices.list({ active: false, limit: 100 });
    expect(archivedPrices.data.map((p) => p.id)).toEqual(['price_1TeeOld']);
  });

  it('answers Stripe errors for unknown ids, cursors and parameters, and refuses a recurring price in a session', async () => {
    const missing = await stripeError(stripe.products.retrieve('prod_Nope'));
    expect([missing.statusCode, missing.code]).toEqual([404, 'resource_missing']);
    const cursor = await stripeError(stripe.products.list({ starting_after: 'prod_Nope' }));
    expect([cursor.statusCode, cursor.code, cursor.param]).toEqual([
      400,
      'resource_missing',
      'starting_after',
    ]);
    const both = await stripeError(stripe.products.list({ ids: ['prod_Tee'], starting_after: 'prod_Cap' }));
    expect([both.statusCode, both.param]).toEqual([400, 'ids']);
    const shippable = await stripeError(stripe.products.list({ shippable: true }));
    expect([shippable.code, shippable.message]).toEqual([
      'parameter_unknown',
      'Received unknown parameter: shippable (Stripe accepts it; the emulator does not implement it)',
    ]);
    const type = await stripeError(stripe.prices.list({ type: 'metered' }));
    expect([type.statusCode, type.param]).toEqual([400, 'type']);
    const limit = await stripeError(stripe.prices.list({ limit: 101 }));
    expect([limit.statusCode, limit.param]).toEqual([400, 'limit']);
    const expand = await stripeError(stripe.prices.list({ expand: ['data.tiers'] }));
    expect([expand.statusCode, expand.param]).toEqual([400, 'expand[0]']);

    const recurring = await stripeError(
      stripe.checkout.sessions.create(
        sessionParams({ line_items: [{ price: 'price_1BoxMonthly', quantity: 1 }] }),
      ),
    );
    expect([recurring.statusCode, recurring.param]).toEqual([400, 'line_items[0][price]']);
    expect(recurring.message).toContain('recurring price');
  });

  it('keeps seeded products, their ids and the inline marks across a restart from a state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-emulator-catalog-'));
    const stateFile = join(dir, 'state.json');
    const withoutIds: SeedProduct = { ...TEE, id: undefined, name: 'Club Tee' };
    try {
      const first = await startStripeEmulator({
        webhookSecret: 'whsec_catalog_suite',
        products: [withoutIds],
        stateFile,
      });
      const firstClient = new Stripe(SECRET_KEY, { ...first.sdkOptions(), maxNetworkRetries: 0 });
      await firstClient.checkout.sessions.create(sessionParams());
      const before = (await firstClient.products.list()).data.map((p) => p.id);
      await first.close();

      const renamed: SeedProduct = { ...withoutIds, name: 'Club Tee (new name)' };
      const second = await startStripeEmulator({
        webhookSecret: 'whsec_catalog_suite',
        products: [renamed],
        stateFile,
      });
      const secondClient = new Stripe(SECRET_KEY, { ...second.sdkOptions(), maxNetworkRetries: 0 });
      const after = await secondClient.products.list();
      await second.close();
      expect(before).toHaveLength(1);
      expect(after.data.map((p) => [p.id, p.name])).toEqual([[before[0], 'Club Tee (new name)']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
