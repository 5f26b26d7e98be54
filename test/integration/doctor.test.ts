import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { doctorStageOf } from '../../infra/lib/doctor-stage';
import { loadStageConfig } from '../../infra/lib/stage-config';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { createStripeClient } from '../../src/adapters/stripe/stripe-client';
import { WEBHOOK_EVENTS } from '../../src/adapters/stripe/webhook-events';
import type { Catalog } from '../../src/domain/catalog';
import {
  type CheckResult,
  type DoctorDeps,
  type DoctorStage,
  doctorExitCode,
  formatDoctorReport,
  runDoctor,
} from '../../src/ops/doctor/doctor';
import type { EmailIdentityState, StackState } from '../../src/ops/doctor/ports';
import { CONFIG_DIR } from '../infra/support/synth';
import { loadSampleCatalog, makeCatalog } from '../support/catalog-factory';

// The deployed stage is played by the local stack: its API (the real handlers and their CORS),
// its dynalite table and its Stripe emulator, reached through the official SDKs. CloudFormation,
// Secrets Manager and SES are doubles behind doctor's ports.
const SHOP = 'https://shop.example.com';
const TABLE = 'cart-checkout-dev';
let stack: LocalStack;
let dynamo: DynamoDBClient;
beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    stripePort: 0,
    dynamoPort: 0,
    dataDir: null,
    env: { ALLOWED_ORIGINS: SHOP, COMMERCE_TABLE: TABLE, NOTIFIER: 'log' },
  });
  dynamo = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  dynamo?.destroy();
  await stack?.close();
});
beforeEach(() => stack.stripe?.reset());

const TEST_KEY = 'sk_test_doctor0123456789';
const WEBHOOK_SECRET = 'whsec_doctor0123456789abcdef';
const SIGNING_KEYS = `k1:${randomBytes(32).toString('base64')}`;

/** The example dev stage, moved onto the local stack's origin and table, emailing through SES. */
function devStage(changes: Partial<DoctorStage> = {}): DoctorStage {
  const base = doctorStageOf(loadStageConfig(CONFIG_DIR, 'dev'));
  return {
    ...base,
    tableName: TABLE,
    allowedOrigins: [SHOP],
    successUrl: `${SHOP}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${SHOP}/checkout/cancel`,
    notifier: {
      kind: 'ses',
      from: 'orders@shop.example.com',
      to: ['owner@shop.example.com'],
      identity: 'shop.example.com',
    },
    ...changes,
  };
}

interface World {
  stack?: StackState | null;
  secrets?: Record<string, string>;
  identities?: Record<string, EmailIdentityState>;
  productionAccess?: boolean;
  catalog?: Catalog;
}

function depsFor(stage: DoctorStage, world: World = {}): DoctorDeps {
  const deployed: StackState = {
    status: 'UPDATE_COMPLETE',
    outputs: {
      ApiUrl: `${stack.url}/`,
      WebhookUrl: `${stack.url}/stripe/webhook`,
      TableName: stage.tableName,
    },
  };
  const secrets = world.secrets ?? {
    [stage.secrets.stripeSecretKey]: TEST_KEY,
    [stage.secrets.stripeWebhookSecret]: WEBHOOK_SECRET,
    [stage.secrets.quoteSigningKeys]: SIGNING_KEYS,
  };
  const identities = world.identities ?? {
    'shop.example.com': { exists: true, verifiedForSending: true, status: 'SUCCESS' },
  };
  return {
    stacks: {
      describe: async (name) =>
        name === stage.stackName ? (world.stack === undefined ? deployed : world.stack) : null,
    },
    secrets: {
      read: async (name) =>
        name in secrets ? { kind: 'value', value: secrets[name] ?? '' } : { kind: 'missing' },
    },
    email: {
      identity: async (identity) => identities[identity] ?? { exists: false },
      account: async () => ({ productionAccess: world.productionAccess ?? true, sendingEnabled: true }),
    },
    dynamo,
    stripeFor: (secretKey) =>
      createStripeClient({ secretKey, apiBase: stack.stripe?.url, timeoutMs: 2_000, maxNetworkRetries: 0 }),
    fetch,
    catalog: world.catalog ?? loadSampleCatalog(),
    stripeApiVersion: Stripe.API_VERSION,
  };
}

/** Registers an endpoint on the emulator exactly as a shop would, through the SDK. */
async function registerEndpoint(params: Partial<Stripe.WebhookEndpointCreateParams> = {}) {
  const stripe = createStripeClient({
    secretKey: TEST_KEY,
    apiBase: stack.stripe?.url,
    timeoutMs: 2_000,
    maxNetworkRetries: 0,
  });
  return stripe.webhookEndpoints.create({
    url: `${stack.url}/stripe/webhook`,
    enabled_events: [...WEBHOOK_EVENTS],
    api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
    ...params,
  });
}

const byId = (results: readonly CheckResult[], id: string) => results.filter((r) => r.id === id);

describe('npm run doctor', () => {
  it('finds nothing wrong with a stage deployed and registered as docs/deploy.md says', async () => {
    await registerEndpoint();
    const stage = devStage();
    const results = await runDoctor(stage, depsFor(stage));
    expect(
      results.filter((r) => r.status !== 'pass'),
      formatDoctorReport(stage, results),
    ).toEqual([]);
    expect(results.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'stack',
        'table',
        'stripe key',
        'stripe webhook',
        'catalog',
        'ses identity',
        'ses account',
        'cors',
      ]),
    );
    expect(byId(results, 'cors')).toHaveLength(2); // the shop's origin, and a foreign one refused
    expect(doctorExitCode(results)).toBe(0);
    const report = formatDoctorReport(stage, results);
    for (const secret of [TEST_KEY, WEBHOOK_SECRET, SIGNING_KEYS.slice(3)])
      expect(report).not.toContain(secret);
    expect(report).not.toMatch(/owner@shop\.example\.com/);
  });

  it('names what a first deployment gets wrong with its secrets, SES and origins, and what to do', async () => {
    const stage = devStage({
      stripeMode: 'live',
      allowedOrigins: [SHOP, 'https://www.shop.example.com'],
    });
    const results = await runDoctor(
      stage,
      depsFor(stage, {
        secrets: {
          [stage.secrets.stripeSecretKey]: TEST_KEY,
          [stage.secrets.stripeWebhookSecret]: 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
          [stage.secrets.quoteSigningKeys]: `k2:${randomBytes(32).toString('base64')}`,
        },
        identities: { 'shop.example.com': { exists: true, verifiedForSending: false, status: 'PENDING' } },
        productionAccess: false,
      }),
    );
    const failed = (id: string) => byId(results, id).find((r) => r.status === 'fail');
    expect(failed('secret stripe-secret-key')).toMatchObject({
      summary: 'holds a test-mode key, but the stage takes live keys (stripe.mode)',
      fix: expect.stringContaining(
        `aws secretsmanager put-secret-value --region ${stage.region} --secret-id cart-checkout-dev/stripe-secret-key`,
      ),
    });
    expect(failed('secret stripe-webhook-secret')).toMatchObject({
      summary: 'still holds the placeholder the stack created',
      fix: expect.stringMatching(/^copy the endpoint's signing secret from Stripe/),
    });
    expect(failed('secret quote-signing-keys')?.summary).toMatch(
      /QUOTE_SIGNING_KEY_ID: "k1" is not one of the keys/,
    );
    expect(byId(results, 'stripe')).toEqual([expect.objectContaining({ status: 'skip' })]);
    expect(failed('ses identity')).toMatchObject({
      summary: `shop.example.com is not verified for sending in ${stage.region} (PENDING)`,
      fix: expect.stringMatching(/^verify shop\.example\.com in the SES console of us-west-2/),
    });
    expect(failed('ses account')).toMatchObject({
      summary: expect.stringMatching(/^in the SES sandbox in us-west-2: mail to 1 unverified recipient/),
      fix: expect.stringMatching(/request production access/),
    });
    expect(failed('cors')).toMatchObject({
      summary: expect.stringMatching(/^https:\/\/www\.shop\.example\.com gets no preflight permission/),
      fix: expect.stringMatching(/does not allow https:\/\/www\.shop\.example\.com/),
    });
    expect(byId(results, 'cors').filter((r) => r.status === 'pass')).toHaveLength(2);
    expect(doctorExitCode(results)).toBe(1);
    for (const result of results.filter((r) => r.status === 'fail'))
      expect(result.fix, result.id).toBeTruthy();
  });

  it('finds the webhook endpoint missing, at an old URL, disabled, or without an event', async () => {
    const stage = devStage();
    const webhook = async () => byId(await runDoctor(stage, depsFor(stage)), 'stripe webhook')[0];

    expect(await webhook()).toMatchObject({
      status: 'fail',
      summary: `no webhook endpoint at ${stack.url}/stripe/webhook`,
      fix: expect.stringContaining(`events ${WEBHOOK_EVENTS.join(', ')}`),
    });

    const old = await registerEndpoint({
      url: 'https://old1234567.execute-api.us-west-2.amazonaws.com/dev/stripe/webhook',
    });
    expect((await webhook())?.summary).toMatch(
      /endpoints point at https:\/\/old1234567\..* \(did the API URL change\?\)/,
    );

    const stripe = createStripeClient({
      secretKey: TEST_KEY,
      apiBase: stack.stripe?.url,
      timeoutMs: 2_000,
      maxNetworkRetries: 0,
    });
    await stripe.webhookEndpoints.update(old.id, { url: `${stack.url}/stripe/webhook`, disabled: true });
    expect(await webhook()).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/is disabled: Stripe delivers nothing/),
    });

    await stripe.webhookEndpoints.update(old.id, {
      disabled: false,
      enabled_events: ['checkout.session.completed', 'checkout.session.async_payment_succeeded'],
    });
    const missing = WEBHOOK_EVENTS.filter((e) => !e.startsWith('checkout.session.async_payment_succ'))
      .filter((e) => e !== 'checkout.session.completed')
      .join(', ');
    expect(missing).toMatch(
      /^checkout\.session\.async_payment_failed, checkout\.session\.expired, charge\.refunded/,
    );
    expect(await webhook()).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(new RegExp(`does not receive ${missing.replaceAll('.', '\\.')}$`)),
    });
  });

  it('finds catalog prices that differ from Stripe, and a key Stripe refuses', async () => {
    await registerEndpoint();
    const stage = devStage();
    const changed = makeCatalog({ prices: { 'TEE-CLASSIC-BLK': 3300 } });
    const catalog = byId(await runDoctor(stage, depsFor(stage, { catalog: changed })), 'catalog')[0];
    expect(catalog).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('TEE-CLASSIC-BLK-M unit_amount (catalog 3300, Stripe 3200)'),
    });

    // A live key on a live stage: well-formed, but this Stripe (test mode only) refuses it.
    const live = devStage({ stripeMode: 'live' });
    const results = await runDoctor(
      live,
      depsFor(live, {
        secrets: {
          [live.secrets.stripeSecretKey]: 'sk_live_doctor0123456789',
          [live.secrets.stripeWebhookSecret]: WEBHOOK_SECRET,
          [live.secrets.quoteSigningKeys]: SIGNING_KEYS,
        },
      }),
    );
    expect(byId(results, 'stripe key')).toEqual([
      expect.objectContaining({
        status: 'fail',
        summary: expect.stringMatching(/^Stripe refused the key while reading the balance \(401/),
      }),
    ]);
    expect(formatDoctorReport(live, results)).not.toContain('sk_live_doctor0123456789');
  });

  it('checks the webhook endpoint and CORS at the public URL when a custom domain fronts the API', async () => {
    await registerEndpoint();
    const stage = devStage({ publicApiUrl: stack.url });
    const elsewhere: StackState = {
      status: 'UPDATE_COMPLETE',
      outputs: {
        ApiUrl: 'https://abcdefghij.execute-api.us-west-2.amazonaws.com/dev/',
        WebhookUrl: 'https://abcdefghij.execute-api.us-west-2.amazonaws.com/dev/stripe/webhook',
        TableName: TABLE,
      },
    };
    const results = await runDoctor(stage, depsFor(stage, { stack: elsewhere }));
    expect(byId(results, 'stripe webhook')[0]).toMatchObject({
      status: 'pass',
      summary: expect.stringContaining(`${stack.url}/stripe/webhook`),
    });
    expect(byId(results, 'cors').every((r) => r.status === 'pass')).toBe(true);
  });

  it('reports a stage that was never deployed, or whose table is not there, without failing twice', async () => {
    const stage = devStage({ tableName: 'cart-checkout-missing' });
    const results = await runDoctor(stage, depsFor(stage, { stack: null }));
    expect(byId(results, 'stack')[0]).toMatchObject({
      status: 'fail',
      summary: `no stack CartCheckout-dev in ${stage.region}`,
      fix: expect.stringContaining('npx cdk deploy CartCheckout-dev -c stage=dev'),
    });
    expect(byId(results, 'table')[0]).toMatchObject({
      status: 'fail',
      summary: `no table cart-checkout-missing in ${stage.region}`,
    });
    expect(byId(results, 'cors')).toEqual([expect.objectContaining({ status: 'skip' })]);
    expect(byId(results, 'stripe webhook')).toEqual([expect.objectContaining({ status: 'skip' })]);
  });
});
