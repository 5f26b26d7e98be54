import type { RateLimits } from './app/ports';
import { parseSigningKeys, type SigningKeys } from './domain/quote-signature';

/** A configuration variable is missing or wrong; the message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Resolves a secret reference (a Secrets Manager ARN) to its value. */
export type SecretResolver = (reference: string) => Promise<string>;

const SECRET_ARN_PREFIX = 'arn:aws:secretsmanager:';

/** The resolver of a reader that was given none: a secret reference is a configuration error. */
const refuseSecretReferences: SecretResolver = async () => {
  throw new Error('this reader resolves no secret references');
};

/** Settings every route shares. */
export interface BaseConfig {
  readonly tableName: string;
  /** A DynamoDB-compatible endpoint (local stack); unset in AWS. */
  readonly dynamoEndpoint: string | undefined;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly quoteTtlSeconds: number;
  readonly signingKeys: SigningKeys;
  readonly rateLimits: {
    readonly quote: RateLimits;
    readonly sessionStatus: RateLimits;
    /** Codes looked up and not found, per client: guessing codes through quotes stops here. */
    readonly codeMisses: RateLimits;
  };
}

/**
 * Reads an environment once into typed values; every problem names its variable. Values that
 * reference a secret (a Secrets Manager ARN) are resolved once, through `resolveSecret`: the
 * wiring of routes that read secrets passes the Secrets Manager resolver
 * (`src/adapters/secrets-manager.ts`), made on the first secret read, so routes that read none never make it.
 */
export class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly resolveSecret: SecretResolver = refuseSecretReferences,
  ) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${name} is required`);
  }

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, bounds: { min: number; max: number }): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
      throw new ConfigError(
        `${name} must be a whole number from ${bounds.min} to ${bounds.max} (got "${raw}")`,
      );
    }
    return value;
  }

  list(name: string, fallback: readonly string[]): string[] {
    const raw = this.env[name]?.trim();
    if (!raw) return [...fallback];
    return raw
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(`${name} must be true or false (got "${raw}")`);
  }

  /** A secret: the variable's value, or the value of the secret its ARN names. */
  async secret(name: string): Promise<string> {
    const value = this.string(name);
    if (!value.startsWith(SECRET_ARN_PREFIX)) return value;
    try {
      return await this.resolveSecret(value);
    } catch (err: unknown) {
      throw new ConfigError(`${name}: could not read the secret it names (${(err as Error).name})`, {
        cause: err,
      });
    }
  }
}

/**
 * The CORS allowlist: exact origins, scheme and host (and port), no path. Required: there is no
 * shop whose origins could be a sensible default (the stack and the local stack always set it).
 */
export function readAllowedOrigins(reader: EnvReader): ReadonlySet<string> {
  const origins = reader.list('ALLOWED_ORIGINS', []);
  if (origins.length === 0) {
    throw new ConfigError(
      'ALLOWED_ORIGINS is required: the storefront origins, comma-separated (e.g. https://shop.example.com)',
    );
  }
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        `ALLOWED_ORIGINS: "${origin}" must be an origin like https://shop.example (no path)`,
      );
    }
  }
  return new Set(origins);
}

/** Reads the settings the quote and checkout routes share. */
export async function loadBaseConfig(reader: EnvReader): Promise<BaseConfig> {
  let signingKeys: SigningKeys;
  try {
    signingKeys = parseSigningKeys(
      await reader.secret('QUOTE_SIGNING_KEYS'),
      reader.string('QUOTE_SIGNING_KEY_ID'),
    );
  } catch (err: unknown) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError((err as Error).message, { cause: err });
  }
  return {
    tableName: reader.string('COMMERCE_TABLE'),
    dynamoEndpoint: reader.optional('DYNAMODB_ENDPOINT'),
    allowedOrigins: readAllowedOrigins(reader),
    // At most 84,000 s: a session expiring 31 min after its quote (decision #36) then still
    // falls within Stripe's 24 h when the quote is checked out at the last moment.
    quoteTtlSeconds: reader.int('QUOTE_TTL_SECONDS', 600, { min: 60, max: 84_000 }),
    signingKeys,
    rateLimits: {
      quote: {
        perHour: reader.int('RATE_LIMIT_QUOTE_PER_HOUR', 300, { min: 1, max: 1_000_000 }),
        perDay: reader.int('RATE_LIMIT_QUOTE_PER_DAY', 2_000, { min: 1, max: 10_000_000 }),
      },
      sessionStatus: {
        perHour: reader.int('RATE_LIMIT_STATUS_PER_HOUR', 600, { min: 1, max: 1_000_000 }),
        perDay: reader.int('RATE_LIMIT_STATUS_PER_DAY', 3_000, { min: 1, max: 10_000_000 }),
      },
      codeMisses: {
        perHour: reader.int('RATE_LIMIT_CODE_MISSES_PER_HOUR', 10, { min: 1, max: 1_000_000 }),
        perDay: reader.int('RATE_LIMIT_CODE_MISSES_PER_DAY', 30, { min: 1, max: 10_000_000 }),
      },
    },
  };
}

/** A country a shipping address may be in (ISO 3166-1 alpha-2, upper case). */
export type CountryCode = string;

/** Two upper-case letters; Stripe itself refuses a code it does not ship to. */
function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code);
}

/** A shipping option offered at checkout. */
export interface ShippingOption {
  readonly name: string;
  /** Cents. */
  readonly amount: number;
  readonly minDays?: number;
  readonly maxDays?: number;
}

/** Settings of the checkout route. */
export interface CheckoutConfig {
  readonly stripeSecretKey: string;
  /** A Stripe-compatible server (the emulator); Stripe itself when unset. */
  readonly stripeApiBase: string | undefined;
  readonly successUrl: string;
  readonly cancelUrl: string;
  /** What to do when Stripe refuses the quote's coupon. */
  readonly couponFallback: 'inline' | 'none';
  /** Charge catalog products by their Stripe Price IDs (when they have one) instead of `price_data`. */
  readonly usePriceIds: boolean;
  readonly automaticTax: boolean;
  readonly shippingOptions: readonly ShippingOption[];
  /** Orders whose quoted total reaches this (cents) are offered free shipping; `null`: never. */
  readonly freeShippingThreshold: number | null;
  /** Countries a shipping address may be in (ISO codes); empty: no address is collected. */
  readonly shippingCountries: readonly CountryCode[];
  /** Checkout Session lifetime (Stripe: 30 min – 24 h). */
  readonly sessionTtlSeconds: number;
  readonly rateLimits: { readonly perClient: RateLimits; readonly perQuote: RateLimits };
}

/** Reads the checkout settings; secrets are resolved through `reader`. */
export async function loadCheckoutConfig(reader: EnvReader): Promise<CheckoutConfig> {
  const fallback = reader.string('COUPON_FALLBACK', 'inline');
  if (fallback !== 'inline' && fallback !== 'none')
    throw new ConfigError('COUPON_FALLBACK must be "inline" or "none"');
  const successUrl = reader.string('CHECKOUT_SUCCESS_URL');
  const cancelUrl = reader.string('CHECKOUT_CANCEL_URL');
  for (const [name, url] of [
    ['CHECKOUT_SUCCESS_URL', successUrl],
    ['CHECKOUT_CANCEL_URL', cancelUrl],
  ] as const) {
    if (!/^https?:\/\/\S+$/.test(url)) throw new ConfigError(`${name} must be an absolute http(s) URL`);
  }
  const threshold = reader.int('FREE_SHIPPING_THRESHOLD', -1, { min: -1, max: 100_000_000 });
  const countries = reader.list('SHIPPING_COUNTRIES', ['US']).map((c) => c.toUpperCase());
  const shippingCountries = countries.filter(isCountryCode);
  const invalid = countries.find((c) => !isCountryCode(c));
  if (invalid !== undefined) {
    throw new ConfigError(`SHIPPING_COUNTRIES: "${invalid}" is not a two-letter country code`);
  }
  return {
    stripeSecretKey: await reader.secret('STRIPE_SECRET_KEY'),
    stripeApiBase: reader.optional('STRIPE_API_BASE'),
    successUrl,
    cancelUrl,
    couponFallback: fallback,
    usePriceIds: reader.bool('STRIPE_USE_PRICE_IDS', false),
    automaticTax: reader.bool('AUTOMATIC_TAX', false),
    shippingOptions: parseShippingOptions(reader.optional('SHIPPING_OPTIONS')),
    freeShippingThreshold: threshold < 0 ? null : threshold,
    shippingCountries,
    // Also the end of the session's stock hold: an hour by default.
    sessionTtlSeconds: reader.int('CHECKOUT_SESSION_TTL_SECONDS', 3_600, { min: 1_860, max: 86_000 }),
    rateLimits: {
      perClient: {
        perHour: reader.int('RATE_LIMIT_CHECKOUT_PER_HOUR', 30, { min: 1, max: 1_000_000 }),
        perDay: reader.int('RATE_LIMIT_CHECKOUT_PER_DAY', 200, { min: 1, max: 10_000_000 }),
      },
      perQuote: {
        perHour: reader.int('RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_HOUR', 10, { min: 1, max: 1_000_000 }),
        perDay: reader.int('RATE_LIMIT_CHECKOUT_PER_QUOTE_PER_DAY', 30, { min: 1, max: 10_000_000 }),
      },
    },
  };
}

function parseShippingOptions(raw: string | undefined): ShippingOption[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'SHIPPING_OPTIONS must be JSON: [{"name":"Standard","amount":600,"minDays":3,"maxDays":7}]',
    );
  }
  if (!Array.isArray(parsed) || parsed.length > 4) {
    throw new ConfigError(
      'SHIPPING_OPTIONS must be an array of at most 4 options (a 5th is the free-shipping option)',
    );
  }
  return parsed.map((option: unknown, index) => {
    const o = option as Partial<ShippingOption> | null;
    const days = (d: unknown) =>
      d === undefined || (Number.isInteger(d) && (d as number) >= 1 && (d as number) <= 60);
    if (
      !o ||
      typeof o.name !== 'string' ||
      !o.name.trim() ||
      !Number.isInteger(o.amount) ||
      (o.amount as number) < 0 ||
      !days(o.minDays) ||
      !days(o.maxDays)
    ) {
      throw new ConfigError(
        `SHIPPING_OPTIONS[${index}] needs a name, a whole non-negative amount in cents and optional minDays/maxDays`,
      );
    }
    return {
      name: o.name.trim(),
      amount: o.amount as number,
      ...(o.minDays !== undefined ? { minDays: o.minDays } : {}),
      ...(o.maxDays !== undefined ? { maxDays: o.maxDays } : {}),
    };
  });
}

/** Where paid-order notifications go. */
export type NotifierConfig =
  | { readonly kind: 'log' }
  | { readonly kind: 'outbox'; readonly dir: string }
  | { readonly kind: 'ses'; readonly from: string; readonly to: readonly string[] };

/** Settings of fulfilment: the webhook and the success page's status route. */
export interface FulfilmentConfig {
  readonly tableName: string;
  readonly dynamoEndpoint: string | undefined;
  readonly stripeSecretKey: string;
  readonly stripeApiBase: string | undefined;
  readonly notifier: NotifierConfig;
}

export interface WebhookConfig extends FulfilmentConfig {
  readonly webhookSecret: string;
  /** How old a signed event may be (seconds); Stripe's SDK default is 300. */
  readonly toleranceSeconds: number;
}

/** Reads the fulfilment settings (Stripe key, table, notifier). */
export async function loadFulfilmentConfig(reader: EnvReader): Promise<FulfilmentConfig> {
  return {
    tableName: reader.string('COMMERCE_TABLE'),
    dynamoEndpoint: reader.optional('DYNAMODB_ENDPOINT'),
    stripeSecretKey: await reader.secret('STRIPE_SECRET_KEY'),
    stripeApiBase: reader.optional('STRIPE_API_BASE'),
    notifier: readNotifier(reader),
  };
}

/** Reads the webhook's settings. */
export async function loadWebhookConfig(reader: EnvReader): Promise<WebhookConfig> {
  const [fulfilment, webhookSecret] = await Promise.all([
    loadFulfilmentConfig(reader),
    reader.secret('STRIPE_WEBHOOK_SECRET'),
  ]);
  return {
    ...fulfilment,
    webhookSecret,
    toleranceSeconds: reader.int('STRIPE_WEBHOOK_TOLERANCE', 300, { min: 1, max: 3_600 }),
  };
}

function readNotifier(reader: EnvReader): NotifierConfig {
  const kind = reader.string('NOTIFIER', 'log');
  switch (kind) {
    case 'log':
      return { kind };
    case 'outbox':
      return { kind, dir: reader.string('OUTBOX_DIR', `${reader.string('DATA_DIR', '.data')}/outbox`) };
    case 'ses': {
      const to = reader.list('NOTIFY_TO', []);
      if (to.length === 0) throw new ConfigError('NOTIFY_TO is required when NOTIFIER=ses');
      return { kind, from: reader.string('NOTIFY_FROM'), to };
    }
    default:
      throw new ConfigError(`NOTIFIER must be log, outbox or ses (got "${kind}")`);
  }
}
