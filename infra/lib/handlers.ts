import { existsSync } from 'node:fs';
import path from 'node:path';

/** The Secrets Manager secrets the stack creates; each function names the ones it reads. */
export type SecretName = 'stripeSecretKey' | 'stripeWebhookSecret' | 'quoteSigningKeys';

/** The environment variable that carries each secret's ARN (the runtime resolves it at cold start). */
export const SECRET_ENV: Readonly<Record<SecretName, string>> = {
  stripeSecretKey: 'STRIPE_SECRET_KEY',
  stripeWebhookSecret: 'STRIPE_WEBHOOK_SECRET',
  quoteSigningKeys: 'QUOTE_SIGNING_KEYS',
};

/** Each secret's name in Secrets Manager is `cart-checkout-<stage>/<suffix>`. */
const SECRET_SUFFIX: Readonly<Record<SecretName, string>> = {
  stripeSecretKey: 'stripe-secret-key',
  stripeWebhookSecret: 'stripe-webhook-secret',
  quoteSigningKeys: 'quote-signing-keys',
};

/** A stage's secret name, e.g. `cart-checkout-prod/stripe-secret-key`: the stack, doctor and the docs use it. */
export function secretNameOf(stage: string, name: SecretName): string {
  return `cart-checkout-${stage}/${SECRET_SUFFIX[name]}`;
}

export type HandlerName =
  | 'cart-quote'
  | 'catalog'
  | 'checkout-create-session'
  | 'checkout-session-status'
  | 'stripe-webhook';

export interface HandlerSpec {
  readonly name: HandlerName;
  /** Entry file, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly route: { readonly path: string; readonly method: 'GET' | 'POST' };
  /**
   * Called by browsers on the storefront's origin: gets a CORS preflight for the allowlist. The
   * webhook is called server-to-server by Stripe and gets none.
   */
  readonly browser: boolean;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /**
   * Opt-in cap (and reservation) of concurrent executions; none by default. API Gateway's stage
   * throttle already bounds the load, and a reservation must leave 100 of the account's executions
   * unreserved, which a new account (quota 10) cannot: a default here would fail its first deploy.
   */
  readonly reservedConcurrency?: number | undefined;
  readonly secrets: readonly SecretName[];
  /** Whether the function reads and writes the commerce table. */
  readonly usesTable: boolean;
  /** Only these table actions instead of all the functions' (a read-only function). */
  readonly tableActions?: readonly string[];
  /** Runs order fulfilment, which notifies the operator (SES when configured). */
  readonly notifies: boolean;
}

/**
 * Every Lambda of the API, declared once. The stack synthesizes the ones whose entry file exists,
 * so the infrastructure follows the handlers as they land. Figures are defaults; a stage's config
 * may override memory and timeout, and reserve concurrency, per function.
 */
export const HANDLERS: readonly HandlerSpec[] = [
  {
    name: 'cart-quote',
    entry: 'src/handlers/cart-quote.ts',
    description: 'Prices a cart and returns a signed quote',
    route: { path: '/cart/quote', method: 'POST' },
    browser: true,
    memoryMb: 512,
    timeoutSeconds: 6,
    secrets: ['quoteSigningKeys'],
    usesTable: true,
    notifies: false,
  },
  {
    name: 'catalog',
    entry: 'src/handlers/catalog.ts',
    description: 'Serves the public catalog with stock availability',
    route: { path: '/catalog', method: 'GET' },
    browser: true,
    memoryMb: 256,
    timeoutSeconds: 3,
    secrets: [],
    // Reads the stock items (one query); writes nothing.
    usesTable: true,
    tableActions: ['dynamodb:Query'],
    notifies: false,
  },
  {
    name: 'checkout-create-session',
    entry: 'src/handlers/checkout-create-session.ts',
    description: 'Verifies a quote and creates the Stripe Checkout Session',
    route: { path: '/checkout/create-session', method: 'POST' },
    browser: true,
    memoryMb: 512,
    // Two Stripe calls (coupon, session) with their own retries sit inside this budget.
    timeoutSeconds: 15,
    secrets: ['stripeSecretKey', 'quoteSigningKeys'],
    usesTable: true,
    notifies: false,
  },
  {
    name: 'checkout-session-status',
    entry: 'src/handlers/checkout-session-status.ts',
    description: 'Reports a session to the success page and fulfils it when paid',
    route: { path: '/checkout/session-status', method: 'GET' },
    browser: true,
    memoryMb: 512,
    timeoutSeconds: 10,
    // The quote-signing key also keys the hash of client IPs for its rate limit.
    secrets: ['stripeSecretKey', 'quoteSigningKeys'],
    usesTable: true,
    notifies: true,
  },
  {
    name: 'stripe-webhook',
    entry: 'src/handlers/stripe-webhook.ts',
    description: "Verifies and processes Stripe's webhook events exactly once",
    route: { path: '/stripe/webhook', method: 'POST' },
    browser: false,
    memoryMb: 512,
    // Stripe expects an answer quickly; the plan asks for one within 10 seconds.
    timeoutSeconds: 10,
    secrets: ['stripeSecretKey', 'stripeWebhookSecret'],
    usesTable: true,
    notifies: true,
  },
];

/** The webhook's timeout may not exceed this, whatever a stage's config says. */
export const WEBHOOK_MAX_TIMEOUT_SECONDS = 10;
/** API Gateway gives up on an integration after 29 s; a longer Lambda timeout would be wasted. */
export const API_MAX_TIMEOUT_SECONDS = 29;

/** A handler the stack deploys has no entry file: synth stops instead of leaving a route out. */
export class MissingHandlerError extends Error {
  override readonly name = 'MissingHandlerError';
  readonly code = 'missing_handler';
}

/**
 * The handlers to deploy, each checked to have its entry file under `projectRoot`: a missing one
 * (a rename, a bad checkout) fails synth with its path instead of deploying an API without that
 * route. A stack that means to deploy only some handlers names them (`handlers` of the stack).
 */
export function requireHandlers(
  projectRoot: string,
  specs: readonly HandlerSpec[] = HANDLERS,
  exists: (file: string) => boolean = existsSync,
): HandlerSpec[] {
  const missing = specs.filter((spec) => !exists(path.join(projectRoot, spec.entry)));
  if (missing.length > 0) {
    throw new MissingHandlerError(
      `handler entry file(s) missing: ${missing.map((spec) => spec.entry).join(', ')} (under ${projectRoot})`,
    );
  }
  return [...specs];
}
