import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StripeEmulator } from '../../local/stripe-emulator';
import { createStripeClient } from '../../src/adapters/stripe/stripe-client';
import { WEBHOOK_EVENTS } from '../../src/adapters/stripe/webhook-events';
import { startTestEmulator, TEST_STRIPE_KEY } from '../support/stripe';

let emulator: StripeEmulator;
let stripe: ReturnType<typeof createStripeClient>;
beforeAll(async () => {
  emulator = await startTestEmulator();
  stripe = createStripeClient({
    secretKey: TEST_STRIPE_KEY,
    apiBase: emulator.url,
    timeoutMs: 2_000,
    maxNetworkRetries: 0,
  });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.close());

const URL_A = 'https://abc123defg.execute-api.us-west-2.amazonaws.com/prod/stripe/webhook';

describe('Stripe emulator: webhook endpoints and balance, through the official SDK', () => {
  it('creates an endpoint whose signing secret only the creation answer carries', async () => {
    const created = await stripe.webhookEndpoints.create({
      url: URL_A,
      enabled_events: [...WEBHOOK_EVENTS],
      api_version: '2026-10-28.endive',
      description: 'cart checkout prod',
    });
    expect(created).toMatchObject({
      object: 'webhook_endpoint',
      url: URL_A,
      enabled_events: [...WEBHOOK_EVENTS],
      api_version: '2026-10-28.endive',
      status: 'enabled',
      livemode: false,
      description: 'cart checkout prod',
    });
    expect(created.id).toMatch(/^we_1\w{24}$/);
    expect(created.secret).toMatch(/^whsec_\w{32}$/);
    const again = await stripe.webhookEndpoints.retrieve(created.id);
    expect(again.secret).toBeUndefined();
    expect(again.url).toBe(URL_A);
  });

  it('lists endpoints newest first, a page at a time, and the SDK pages through all of them', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push((await stripe.webhookEndpoints.create({ url: `${URL_A}?n=${n}`, enabled_events: ['*'] })).id);
    }
    const page = await stripe.webhookEndpoints.list({ limit: 2 });
    expect(page.data.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(page.has_more).toBe(true);
    expect(page.data.every((e) => e.secret === undefined)).toBe(true);
    const all = await stripe.webhookEndpoints.list({ limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(all.map((e) => e.id)).toEqual([...ids].reverse());
  });

  it('disables, changes and deletes an endpoint', async () => {
    const { id } = await stripe.webhookEndpoints.create({
      url: URL_A,
      enabled_events: ['checkout.session.completed'],
    });
    const updated = await stripe.webhookEndpoints.update(id, {
      disabled: true,
      enabled_events: [...WEBHOOK_EVENTS],
    });
    expect(updated).toMatchObject({ status: 'disabled', enabled_events: [...WEBHOOK_EVENTS] });
    expect(await stripe.webhookEndpoints.del(id)).toEqual({ id, object: 'webhook_endpoint', deleted: true });
    await expect(stripe.webhookEndpoints.retrieve(id)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('refuses what Stripe refuses: a missing parameter, an unknown one, an event name that is not one', async () => {
    await expect(
      stripe.webhookEndpoints.create({ url: URL_A } as Parameters<typeof stripe.webhookEndpoints.create>[0]),
    ).rejects.toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'enabled_events' });
    await expect(
      stripe.webhookEndpoints.create({ url: URL_A, enabled_events: ['*'], connect: true }),
    ).rejects.toMatchObject({ code: 'parameter_unknown', param: 'connect' });
    await expect(
      stripe.webhookEndpoints.create({
        url: 'not a url',
        enabled_events: ['*'],
      }),
    ).rejects.toMatchObject({ code: 'url_invalid', param: 'url' });
  });

  it('answers the balance of a test-mode account', async () => {
    const balance = await stripe.balance.retrieve();
    expect(balance).toMatchObject({ object: 'balance', livemode: false });
    expect(balance.available).toEqual([{ amount: 0, currency: 'usd', source_types: { card: 0 } }]);
    expect(emulator.requestCount('GET /v1/balance')).toBe(1);
  });
});
