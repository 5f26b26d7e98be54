import type Stripe from 'stripe';
import { WEBHOOK_EVENTS } from '../../adapters/stripe/webhook-events';
import { verifyCatalogPrices } from '../catalog-verify';
import type { CheckResult, DoctorDeps, DoctorStage, DoctorStripe } from './ports';

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** What to say about a Stripe call that failed: never Stripe's message, which may quote the key. */
function describeStripeFailure(err: unknown, what: string): { summary: string; fix: string } {
  const status = statusOf(err);
  if (status === 401) {
    return {
      summary: `Stripe refused the key while ${what} (401: revoked, rolled or mistyped)`,
      fix: 'create or roll a key in the Stripe dashboard (Developers → API keys) and store it in the stripe-secret-key secret',
    };
  }
  if (status === 403) {
    return {
      summary: `the key may not do this (403 while ${what}): a restricted key without that permission`,
      fix: 'give the restricted key read access to this resource in the Stripe dashboard, or check it there by hand',
    };
  }
  return {
    summary: `Stripe did not answer while ${what} (${status ?? (err instanceof Error ? err.name : 'error')})`,
    fix: 'check your network and status.stripe.com, then run doctor again',
  };
}

/** The key works, and is a live key on a live stage (a test key on a test stage). */
export async function checkStripeKey(stage: DoctorStage, stripe: DoctorStripe): Promise<CheckResult> {
  try {
    const balance = await stripe.balance.retrieve();
    const mode = balance.livemode ? 'live' : 'test';
    if (mode !== stage.stripeMode) {
      return {
        id: 'stripe key',
        status: 'fail',
        summary: `the key works but belongs to Stripe's ${mode} mode; the stage takes ${stage.stripeMode} keys`,
        fix: `store a ${stage.stripeMode}-mode key in the stripe-secret-key secret, or set stripe.mode in the stage file`,
      };
    }
    return { id: 'stripe key', status: 'pass', summary: `Stripe accepts the key (${mode} mode)` };
  } catch (err: unknown) {
    const { summary, fix } = describeStripeFailure(err, 'reading the balance');
    // A restricted key without Balance access still says its mode in its prefix (checked with the secret).
    return { id: 'stripe key', status: statusOf(err) === 403 ? 'warn' : 'fail', summary, fix };
  }
}

/**
 * A webhook endpoint is registered at the stage's URL, enabled, for every event the webhook needs,
 * and renders events in the API version the code was tested with.
 */
export async function checkWebhookEndpoint(
  stripe: DoctorStripe,
  webhookUrl: string,
  apiVersion: string,
): Promise<CheckResult> {
  const register =
    `register it: Stripe dashboard → Developers → Webhooks → Add endpoint, URL ${webhookUrl}, ` +
    `API version ${apiVersion}, events ${WEBHOOK_EVENTS.join(', ')} (docs/deploy.md, step 7); ` +
    'then store its signing secret in the stripe-webhook-secret secret';
  let endpoints: Stripe.WebhookEndpoint[];
  try {
    endpoints = await stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
  } catch (err: unknown) {
    const { summary, fix } = describeStripeFailure(err, 'listing webhook endpoints');
    return { id: 'stripe webhook', status: statusOf(err) === 403 ? 'warn' : 'fail', summary, fix };
  }
  const here = endpoints.filter((e) => e.url === webhookUrl);
  if (here.length === 0) {
    const elsewhere = endpoints.filter((e) => e.url.endsWith('/stripe/webhook')).map((e) => e.url);
    return {
      id: 'stripe webhook',
      status: 'fail',
      summary:
        `no webhook endpoint at ${webhookUrl}` +
        (elsewhere.length > 0
          ? `; endpoints point at ${elsewhere.join(', ')} (did the API URL change?)`
          : ''),
      fix: elsewhere.length > 0 ? `change that endpoint's URL to ${webhookUrl}, or ${register}` : register,
    };
  }
  const enabled = here.filter((e) => e.status === 'enabled');
  if (enabled.length === 0) {
    return {
      id: 'stripe webhook',
      status: 'fail',
      summary: `the endpoint at ${webhookUrl} is disabled: Stripe delivers nothing to it`,
      fix: 'enable it in the Stripe dashboard (Developers → Webhooks → the endpoint → Enable)',
    };
  }
  const [endpoint] = enabled;
  if (!endpoint) throw new Error('unreachable: one enabled endpoint');
  const events = new Set(endpoint.enabled_events);
  const missing = events.has('*') ? [] : WEBHOOK_EVENTS.filter((e) => !events.has(e));
  if (missing.length > 0) {
    return {
      id: 'stripe webhook',
      status: 'fail',
      summary: `the endpoint at ${webhookUrl} does not receive ${missing.join(', ')}`,
      fix: `add ${missing.join(', ')} to its events in the Stripe dashboard (Developers → Webhooks → the endpoint → Update details)`,
    };
  }
  const notes: string[] = [];
  if (enabled.length > 1)
    notes.push(`${enabled.length} enabled endpoints share this URL: only one signing secret can be stored`);
  if (events.has('*')) notes.push('it receives every event type, which the webhook answers but ignores');
  if (endpoint.api_version !== null && endpoint.api_version !== apiVersion) {
    notes.push(
      `it renders events in API version ${endpoint.api_version}, the code was tested with ${apiVersion}`,
    );
  }
  return {
    id: 'stripe webhook',
    status: notes.length > 0 ? 'warn' : 'pass',
    summary:
      notes.length > 0
        ? notes.join('; ')
        : `registered at ${webhookUrl}, enabled, for ${WEBHOOK_EVENTS.length} events`,
    fix:
      notes.length > 0
        ? 'keep one endpoint, with exactly the events and API version of docs/deploy.md step 7'
        : undefined,
  };
}

/** The deployed catalog is the shop's own, and its Stripe Price IDs agree with Stripe. */
export async function checkCatalog(
  stage: DoctorStage,
  stripe: DoctorStripe,
  deps: Pick<DoctorDeps, 'catalog'>,
): Promise<CheckResult> {
  const { catalog } = deps;
  if (catalog.sampleData && !stage.allowSampleCatalog) {
    return {
      id: 'catalog',
      status: 'fail',
      summary: `catalog ${catalog.version} is the sample catalog`,
      fix: 'replace catalog/catalog.json with your own products and Stripe Price IDs (npm run catalog -- pull --write fetches them from Stripe), then deploy',
    };
  }
  try {
    const { checked, differences } = await verifyCatalogPrices(catalog, stripe.prices);
    if (differences.length === 0) {
      const unpriced = catalog.sellables.length - checked;
      return {
        id: 'catalog',
        status: 'pass',
        summary:
          `catalog ${catalog.version}: ${checked} Stripe price(s) agree` +
          (unpriced > 0 ? `; ${unpriced} SKU(s) without a Price ID are charged by amount` : ''),
      };
    }
    const shown = differences
      .slice(0, 5)
      .map((d) => `${d.sku} ${d.field} (catalog ${d.catalog}, Stripe ${d.stripe})`)
      .join('; ');
    return {
      id: 'catalog',
      status: 'fail',
      summary: `catalog ${catalog.version}: ${differences.length} difference(s) with Stripe: ${shown}`,
      fix: 'make catalog/catalog.json and the Stripe prices agree (npm run catalog -- verify lists them all), then deploy',
    };
  } catch (err: unknown) {
    const { summary, fix } = describeStripeFailure(err, 'reading prices');
    return { id: 'catalog', status: statusOf(err) === 403 ? 'warn' : 'fail', summary, fix };
  }
}

/** Runs the Stripe checks with the stage's own key. */
export async function checkStripe(
  stage: DoctorStage,
  deps: Pick<DoctorDeps, 'stripeFor' | 'catalog' | 'stripeApiVersion'>,
  secretKey: string,
  webhookUrl: string | null,
): Promise<CheckResult[]> {
  const stripe = deps.stripeFor(secretKey);
  const key = await checkStripeKey(stage, stripe);
  if (key.status === 'fail') return [key];
  return [
    key,
    webhookUrl
      ? await checkWebhookEndpoint(stripe, webhookUrl, deps.stripeApiVersion)
      : { id: 'stripe webhook', status: 'skip', summary: 'needs the stack’s WebhookUrl' },
    await checkCatalog(stage, stripe, deps),
  ];
}
