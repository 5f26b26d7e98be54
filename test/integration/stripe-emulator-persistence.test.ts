import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/stack';
import {
  createSeededRandom,
  StateFileError,
  type StripeEmulator,
  type StripeEmulatorOptions,
  startStripeEmulator,
} from '../../local/stripe-emulator';
import { createRecordingTelemetry } from '../support/telemetry';
import { startWebhookReceiver } from '../support/webhook-receiver';

const SECRET_KEY = 'sk_test_persistence_suite';
const SEEDED_PRICE = { id: 'price_1Mug', unitAmount: 1800, currency: 'usd', productName: 'Mug' };

let dir: string;
let stateFile: string;
let logs: string[];
const running = new Set<StripeEmulator>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stripe-emulator-state-'));
  stateFile = join(dir, 'stripe-emulator.json');
  logs = [];
});

afterEach(async () => {
  for (const emulator of running) await emulator.close();
  running.clear();
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Partial<StripeEmulatorOptions> = {}): Promise<StripeEmulator> {
  const emulator = await startStripeEmulator({
    webhookSecret: 'whsec_persistence_suite',
    prices: [SEEDED_PRICE],
    stateFile,
    log: (line) => logs.push(line),
    ...options,
  });
  running.add(emulator);
  return emulator;
}

async function stop(emulator: StripeEmulator): Promise<void> {
  running.delete(emulator);
  await emulator.close();
}

function client(emulator: StripeEmulator): Stripe {
  return new Stripe(SECRET_KEY, { ...emulator.sdkOptions(), maxNetworkRetries: 0 });
}

const sessionParams = (coupon?: string): Stripe.Checkout.SessionCreateParams => ({
  mode: 'payment',
  line_items: [
    { price: SEEDED_PRICE.id, quantity: 2 },
    { quantity: 1, price_data: { currency: 'usd', unit_amount: 900, product_data: { name: 'Coaster' } } },
  ],
  success_url: 'https://shop.test/success?session_id={CHECKOUT_SESSION_ID}',
  ...(coupon ? { discounts: [{ coupon }] } : {}),
});

describe('a state file', () => {
  it('brings back a paid session, its coupon, prices and events after a restart', async () => {
    const first = await start();
    const stripe = client(first);
    const coupon = await stripe.coupons.create({ id: 'TENOFF', percent_off: 10, max_redemptions: 2 });
    const created = await stripe.checkout.sessions.create(sessionParams(coupon.id));
    first.completeSession(created.id, { email: 'buyer@example.com' });
    const open = await stripe.checkout.sessions.create(sessionParams());
    await stop(first);

    const second = await start();
    const again = client(second);
    const session = await again.checkout.sessions.retrieve(created.id, { expand: ['line_items'] });
    expect(session).toMatchObject({
      id: created.id,
      status: 'complete',
      payment_status: 'paid',
      amount_total: Math.round((2 * 1800 + 900) * 0.9),
      discounts: [{ coupon: 'TENOFF' }],
      customer_details: { email: 'buyer@example.com' },
    });
    expect(session.line_items?.data.map((line) => line.description)).toEqual(['Mug', 'Coaster']);
    await expect(again.coupons.retrieve('TENOFF')).resolves.toMatchObject({ times_redeemed: 1, valid: true });
    const inline = session.line_items?.data[1]?.price?.id ?? '';
    await expect(again.prices.retrieve(inline)).resolves.toMatchObject({ unit_amount: 900, active: false });
    await expect(again.prices.retrieve(SEEDED_PRICE.id)).resolves.toMatchObject({ unit_amount: 1800 });
    expect(second.events('checkout.session.completed').map((record) => record.event.data.object.id)).toEqual([
      created.id,
    ]);
    // The session left open can still be paid, on this run's page address, and redeems the same coupon.
    const reopened = await again.checkout.sessions.retrieve(open.id);
    expect(reopened.url).toBe(`${second.url}/pay/${open.id}`);
    expect((await fetch(reopened.url ?? '')).status).toBe(200);
    expect(logs).toContainEqual(expect.stringContaining('state: loaded'));
  });

  it('keeps deleted coupons apart from a later coupon with the same id', async () => {
    const first = await start();
    const stripe = client(first);
    await stripe.coupons.create({ id: 'REUSED', amount_off: 500, currency: 'usd' });
    const early = await stripe.checkout.sessions.create(sessionParams('REUSED'));
    await stripe.coupons.del('REUSED');
    await stripe.coupons.create({ id: 'REUSED', percent_off: 50 });
    await stop(first);

    const second = await start();
    second.completeSession(early.id);
    expect(second.state().coupons.map((c) => [c.coupon.id, c.deleted, c.coupon.times_redeemed])).toEqual([
      ['REUSED', true, 1],
      ['REUSED', false, 0],
    ]);
    await expect(client(second).coupons.retrieve('REUSED')).resolves.toMatchObject({ percent_off: 50 });
  });

  it('replays an idempotent request answered before the restart, and refuses its key for other parameters', async () => {
    const first = await start();
    const created = await client(first).coupons.create(
      { percent_off: 15 },
      { idempotencyKey: 'coupon-once' },
    );
    await stop(first);

    const second = await start();
    const stripe = client(second);
    const replayed = await stripe.coupons.create({ percent_off: 15 }, { idempotencyKey: 'coupon-once' });
    expect(replayed.id).toBe(created.id);
    expect(replayed.lastResponse.headers['idempotent-replayed']).toBe('true');
    await expect(
      stripe.coupons.create({ percent_off: 20 }, { idempotencyKey: 'coupon-once' }),
    ).rejects.toThrow(Stripe.errors.StripeIdempotencyError);
    expect(second.state().coupons).toHaveLength(1);
  });

  it('goes on naming objects where a seeded run left off, never reusing an id', async () => {
    const first = await start({ random: createSeededRandom(7) });
    const before = await client(first).checkout.sessions.create(sessionParams());
    await stop(first);
    const second = await start({ random: createSeededRandom(7) });
    const after = await client(second).checkout.sessions.create(sessionParams());

    const uninterrupted = await start({ random: createSeededRandom(7), stateFile: undefined });
    const stripe = client(uninterrupted);
    const one = await stripe.checkout.sessions.create(sessionParams());
    const two = await stripe.checkout.sessions.create(sessionParams());

    expect(after.id).not.toBe(before.id);
    expect([before.id, after.id]).toEqual([one.id, two.id]);
  });

  it('resumes a webhook delivery that was waiting for a retry, to the endpoint configured now', async () => {
    let clock = Date.parse('2026-11-27T10:00:00Z');
    const down = await startWebhookReceiver();
    const up = await startWebhookReceiver();
    try {
      down.failNext(1);
      const first = await start({
        now: () => clock,
        webhookUrl: down.url,
        delivery: { maxAttempts: 3, baseDelayMs: 60_000 },
      });
      const session = await client(first).checkout.sessions.create(sessionParams());
      first.completeSession(session.id);
      await expect.poll(() => first.events()[0]?.deliveries[0]?.attempts.length).toBe(1);
      await stop(first);

      clock += 61_000;
      const second = await start({
        now: () => clock,
        webhookUrl: up.url,
        delivery: { maxAttempts: 3, baseDelayMs: 60_000 },
      });
      await second.waitForDeliveries();

      expect(up.received).toHaveLength(1);
      expect(JSON.parse(up.received[0]?.body ?? '{}')).toMatchObject({ type: 'checkout.session.completed' });
      expect(second.events()[0]?.deliveries).toEqual([
        expect.objectContaining({
          url: up.url,
          status: 'delivered',
          attempts: [
            expect.objectContaining({ statusCode: 500 }),
            expect.objectContaining({ statusCode: 200 }),
          ],
        }),
      ]);
    } finally {
      await down.close();
      await up.close();
    }
  });

  it('gives up a waiting delivery when there is no endpoint after a restart, for good', async () => {
    const down = await startWebhookReceiver();
    const up = await startWebhookReceiver();
    try {
      down.failNext(1);
      const delivery = { maxAttempts: 3, baseDelayMs: 60_000 };
      const first = await start({ webhookUrl: down.url, delivery });
      first.completeSession((await client(first).checkout.sessions.create(sessionParams())).id);
      await expect.poll(() => first.events()[0]?.deliveries[0]?.attempts.length).toBe(1);
      await stop(first);

      const second = await start({ webhookUrl: null, delivery });
      expect(second.events()[0]?.deliveries[0]).toMatchObject({ status: 'failed', nextAttemptAt: null });
      expect(logs).toContainEqual(expect.stringContaining('no endpoint after restart, giving up'));
      await stop(second);

      const third = await start({ webhookUrl: up.url, delivery });
      await third.waitForDeliveries();
      expect(up.received).toEqual([]);
      expect(third.events()[0]?.deliveries[0]?.status).toBe('failed');
    } finally {
      await down.close();
      await up.close();
    }
  });

  it('is written shortly after a change, not only at close, without leaving temporary files', async () => {
    const emulator = await start();
    await client(emulator).coupons.create({ id: 'EARLY', percent_off: 5 });

    await expect
      .poll(() => existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes('EARLY'))
      .toBe(true);
    expect(readdirSync(dir)).toEqual(['stripe-emulator.json']);
  });

  it('never holds the secret key, even for idempotency records', async () => {
    const emulator = await start();
    await client(emulator).coupons.create({ percent_off: 5 }, { idempotencyKey: 'k1' });
    await stop(emulator);

    const text = readFileSync(stateFile, 'utf8');
    expect(text).toContain('k1');
    expect(text).not.toContain(SECRET_KEY);
  });

  it('starts empty and says so when there is no file yet', async () => {
    const emulator = await start({ stateFile: join(dir, 'nested', 'state.json') });

    expect(emulator.state().sessions).toEqual([]);
    expect(logs).toContainEqual(expect.stringMatching(/no file at .*state\.json yet; starting empty/));
    await client(emulator).coupons.create({ id: 'FIRST', percent_off: 5 });
    await stop(emulator);
    expect(readFileSync(join(dir, 'nested', 'state.json'), 'utf8')).toContain('FIRST');
  });

  it.each([
    ['is not JSON', '{"format": "stripe-emulator-st'],
    ['is some other JSON', '{"sessions": []}'],
    ['has a damaged section', '{"format": "stripe-emulator-state", "version": 1, "sessions": 3}'],
    ['has no format version', '{"format": "stripe-emulator-state", "sessions": []}'],
  ])('moves a file that %s aside and starts empty, with a log line', async (_case, content) => {
    writeFileSync(stateFile, content);

    const emulator = await start();

    expect(emulator.state()).toMatchObject({ sessions: [], coupons: [], events: [] });
    expect(logs).toContainEqual(
      expect.stringMatching(/is not usable state .*kept as .*\.corrupt-\d+; starting empty/),
    );
    const aside = readdirSync(dir).filter((name) => name.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] ?? ''), 'utf8')).toBe(content);
    await client(emulator).coupons.create({ id: 'AFTER', percent_off: 5 });
    await stop(emulator);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({
      version: 1,
      coupons: [{ coupon: { id: 'AFTER' } }],
    });
  });

  it('refuses to start from a newer format version, and leaves the file as it was', async () => {
    const newer = JSON.stringify({ format: 'stripe-emulator-state', version: 2, sessions: [] });
    writeFileSync(stateFile, newer);

    const failure = await start().catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(StateFileError);
    expect(failure).toMatchObject({
      code: 'state_version_unsupported',
      message: expect.stringMatching(/format version 2; this emulator reads version 1/),
    });
    expect(readFileSync(stateFile, 'utf8')).toBe(newer);
  });

  it('forgets the saved state on reset, as it forgets the state in memory', async () => {
    const first = await start();
    await client(first).coupons.create({ id: 'GONE', percent_off: 5 });
    first.reset();
    await stop(first);

    const second = await start();
    expect(second.state().coupons).toEqual([]);
    await expect(client(second).prices.retrieve(SEEDED_PRICE.id)).resolves.toMatchObject({
      unit_amount: 1800,
    });
  });
});

describe('without a state file', () => {
  it('keeps nothing between runs', async () => {
    const first = await start({ stateFile: undefined });
    await client(first).coupons.create({ id: 'MEMORY', percent_off: 5 });
    await stop(first);

    const second = await start({ stateFile: undefined });
    expect(second.coupon('MEMORY')).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the local stack with a data dir', () => {
  it('still finds a paid checkout after a restart (the success page no longer answers 404)', async () => {
    const options = {
      port: 0,
      stripePort: 0,
      dynamoPort: 0,
      dataDir: dir,
      env: {},
      telemetry: createRecordingTelemetry(),
    };
    const first = await startLocalStack(options);
    let sessionId: string;
    try {
      const origin = new URL(first.url).origin;
      const post = (path: string, body: unknown) =>
        fetch(`${first.url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: origin },
          body: JSON.stringify(body),
        });
      const items = [{ sku: 'TEE-LOGO-PNK-M', quantity: 1 }];
      const quoted = (await (await post('/cart/quote', { items })).json()) as { quoteSignature: string };
      const checkout = (await (
        await post('/checkout/create-session', {
          items,
          quoteSignature: quoted.quoteSignature,
          email: 'restart@example.com',
        })
      ).json()) as { checkoutUrl: string; sessionId: string };
      sessionId = checkout.sessionId;
      const paid = await fetch(checkout.checkoutUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'action=pay',
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      await first.stripe?.waitForDeliveries();
    } finally {
      await first.close();
    }

    const second = await startLocalStack(options);
    try {
      const status = await fetch(`${second.url}/checkout/session-status?session_id=${sessionId}`, {
        headers: { Origin: new URL(second.url).origin },
      });
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
      expect(second.summary).toContainEqual(expect.stringContaining(`state in ${stateFile}`));
    } finally {
      await second.close();
    }
  });
});
