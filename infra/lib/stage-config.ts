import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { maskEmail } from '../../src/domain/email';
import {
  API_MAX_TIMEOUT_SECONDS,
  HANDLERS,
  type HandlerName,
  type HandlerSpec,
  WEBHOOK_MAX_TIMEOUT_SECONDS,
} from './handlers';

/** CloudWatch Logs accepts only these retention periods (days). */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** WAF sees at most this much of an API Gateway request body (its default inspection limit). */
export const WAF_BODY_INSPECTION_LIMIT = 16_384;

const STAGE_PATTERN = /^[a-z][a-z0-9-]{1,15}$/;
// An origin is scheme + host (+ port): no path, no trailing slash, or browsers never match it.
const ORIGIN_PATTERN = /^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?)$/;
const PAGE_URL_PATTERN = /^(https:\/\/[a-z0-9.-]+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?\/\S*$/;
const API_ID_PATTERN = /^[a-z0-9]{10}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Variables the stack sets, or that only make sense locally (and would be dangerous in Lambda). */
const RESERVED_VARIABLES = new Set([
  'COMMERCE_TABLE',
  'ALLOWED_ORIGINS',
  'QUOTE_TTL_SECONDS',
  'QUOTE_SIGNING_KEY_ID',
  'QUOTE_SIGNING_KEYS',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_WEBHOOK_TOLERANCE',
  'CHECKOUT_SUCCESS_URL',
  'CHECKOUT_CANCEL_URL',
  'NOTIFIER',
  'NOTIFY_FROM',
  'NOTIFY_TO',
  'SECRETS_REVISION',
  'NODE_OPTIONS',
  // Local stack only: in Lambda they would send data (and the Stripe key) somewhere else.
  'STRIPE_API_BASE',
  'DYNAMODB_ENDPOINT',
  'DATA_DIR',
  'OUTBOX_DIR',
  'PORT',
  'STRIPE_EMULATOR_PORT',
]);
const SECRET_VALUE_PATTERN = /(sk|rk)_(live|test)_|whsec_|^[\w-]+:[A-Za-z0-9+/]{20,}={0,2}(,|$)/;

function isReservedVariable(name: string): boolean {
  return RESERVED_VARIABLES.has(name) || name.startsWith('AWS_') || name.startsWith('POWERTOOLS_');
}

const Int = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const Rate = v.pipe(v.number('must be a number'), v.minValue(0.1, 'must be at least 0.1 requests/s'));
const Email = v.pipe(v.string(), v.regex(EMAIL_PATTERN, 'must be an email address'));
const StageName = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_]{1,64}$/, 'must be letters, digits or underscores (an API Gateway stage name)'),
);
const ApiId = (what: string) =>
  v.pipe(v.string(), v.regex(API_ID_PATTERN, `must be the ${what}: 10 lower-case letters or digits`));

const ThrottleSchema = v.strictObject({
  rateLimit: Rate,
  burstLimit: Int(0, 5_000),
});

const FunctionOverrideSchema = v.strictObject({
  memoryMb: v.optional(Int(128, 10_240)),
  timeoutSeconds: v.optional(Int(1, API_MAX_TIMEOUT_SECONDS)),
  reservedConcurrency: v.optional(Int(1, 1_000)),
});

const handlerNames = HANDLERS.map((h) => h.name);

const StageConfigSchema = v.strictObject({
  stage: v.pipe(v.string(), v.regex(STAGE_PATTERN, 'must be a short lower-case name like "dev" or "prod"')),
  /** The shop as its customers and its operator see it: the storefront's texts and the alert mails. */
  shop: v.strictObject({
    name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must name the shop'), v.maxLength(80)),
    /** A line under the name on the demo storefront. */
    tagline: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
  }),
  region: v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like "us-east-1"')),
  account: v.optional(v.pipe(v.string(), v.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  tableName: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3–255 of A–Z a–z 0–9 _ . -)'),
  ),
  allowedOrigins: v.pipe(
    v.array(
      v.pipe(
        v.string(),
        v.regex(
          ORIGIN_PATTERN,
          'must be an origin such as "https://shop.example.com": https, lower case, no path or trailing slash',
        ),
      ),
    ),
    v.minLength(1, 'must name at least one origin'),
  ),
  checkout: v.strictObject({
    successUrl: v.pipe(v.string(), v.regex(PAGE_URL_PATTERN, 'must be an https URL')),
    cancelUrl: v.pipe(v.string(), v.regex(PAGE_URL_PATTERN, 'must be an https URL')),
  }),
  quote: v.strictObject({
    ttlSeconds: Int(60, 86_400),
    signingKeyId: v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{1,16}$/, 'must be a short key id (letters, digits, _ or -)'),
    ),
  }),
  stripe: v.strictObject({
    /** Which Stripe keys the stage takes: `npm run doctor` refuses a test key on a live stage. */
    mode: v.picklist(['live', 'test'], 'must be "live" (real payments) or "test" (Stripe test mode)'),
    webhookToleranceSeconds: Int(30, 3_600),
  }),
  notifier: v.variant(
    'kind',
    [
      v.strictObject({ kind: v.literal('log') }),
      v.strictObject({
        kind: v.literal('ses'),
        from: Email,
        to: v.pipe(v.array(Email), v.minLength(1, 'must name at least one recipient')),
        /** The SES identity (domain or address) that `from` sends as; SendEmail is scoped to it. */
        identity: v.pipe(v.string(), v.minLength(3, 'must name the verified SES identity')),
      }),
    ],
    'must be { "kind": "log" } or { "kind": "ses", "from", "to", "identity" }',
  ),
  alertEmail: Email,
  api: v.variant(
    'mode',
    [
      v.strictObject({ mode: v.literal('create'), stageName: StageName }),
      v.strictObject({
        mode: v.literal('existing'),
        restApiId: ApiId('REST API id'),
        rootResourceId: ApiId("id of the API's root resource (/)"),
        /** API Gateway publishes REST API metrics by name, not id; the alarms need it. */
        restApiName: v.pipe(v.string(), v.minLength(1, 'must be the REST API name (for its metrics)')),
        stageName: StageName,
      }),
    ],
    'must be { "mode": "create", "stageName" } or { "mode": "existing", "restApiId", "rootResourceId", "restApiName", "stageName" }',
  ),
  throttle: v.strictObject({
    ...ThrottleSchema.entries,
    webhook: ThrottleSchema,
  }),
  waf: v.strictObject({
    /** Requests per IP per 5 minutes before the rate-based rule blocks the IP. */
    ratePerIpPerFiveMinutes: Int(10, 2_000_000_000),
    maxBodyBytes: Int(256, WAF_BODY_INSPECTION_LIMIT),
  }),
  functions: v.optional(
    v.strictObject(
      Object.fromEntries(handlerNames.map((name) => [name, v.optional(FunctionOverrideSchema)])) as Record<
        HandlerName,
        v.OptionalSchema<typeof FunctionOverrideSchema, undefined>
      >,
    ),
    {},
  ),
  /**
   * More settings for the handlers, as environment variables (e.g. COUPON_FALLBACK, AUTOMATIC_TAX,
   * SHIPPING_COUNTRIES, RATE_LIMIT_QUOTE_PER_HOUR; the README lists them). Not for secrets, nor for
   * what the stack sets itself.
   */
  environment: v.optional(
    v.record(
      v.pipe(
        v.string(),
        v.regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case variable name'),
        v.check((name) => !isReservedVariable(name), 'is set by the stack (or only locally); remove it here'),
      ),
      v.pipe(
        v.string('must be a string'),
        v.check(
          (value) => !SECRET_VALUE_PATTERN.test(value),
          'looks like a secret: secrets go to Secrets Manager',
        ),
      ),
    ),
    {},
  ),
  /**
   * Bump after changing a secret's value: the functions read secrets once per cold start, and a
   * changed environment publishes new versions, i.e. fresh execution environments.
   */
  secretsRevision: v.optional(Int(0, 1_000_000), 0),
  logRetentionDays: v.picklist(RETENTION_DAYS, `must be one of ${RETENTION_DAYS.join(', ')}`),
  rollout: v.picklist(
    ['canary10Percent5Minutes', 'linear10PercentEvery1Minute', 'allAtOnce'],
    'must be "canary10Percent5Minutes", "linear10PercentEvery1Minute" or "allAtOnce"',
  ),
  alarms: v.strictObject({
    api4xxPerFiveMinutes: Int(1, 1_000_000),
    api5xxPerFiveMinutes: Int(1, 1_000_000),
    wafBlockedPerFiveMinutes: Int(1, 1_000_000),
    /** Stripe signs every delivery: at a small shop's volume one bad signature an hour is a wrong secret. */
    webhookSignatureInvalidPerHour: Int(1, 1_000_000),
  }),
  /**
   * Deploy even though `catalog/catalog.json` is still the sample (`sampleData: true`): for a demo or
   * dev stage only. Synth refuses the sample everywhere else.
   */
  allowSampleCatalog: v.optional(v.boolean('must be true or false'), false),
});

export type StageConfig = v.InferOutput<typeof StageConfigSchema>;

/** A stage's config file is missing or invalid; `problems` names each offending field. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
  readonly code = 'invalid_stage_config';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid stage config ${source}:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Validates a stage config (the parsed JSON) and returns it typed. Rejects, naming each field:
 * schema violations, and the cross-field rules the schema cannot express (the webhook's 10-second
 * budget, the stage name matching the file).
 */
export function parseStageConfig(data: unknown, source: string, expectedStage?: string): StageConfig {
  const result = v.safeParse(StageConfigSchema, data);
  if (!result.success) {
    throw new StageConfigError(
      source,
      result.issues.map((issue) => {
        const field = v.getDotPath(issue) ?? '(root)';
        return `${field}: ${describeIssue(field, issue)}`;
      }),
    );
  }
  const config = result.output;
  const problems: string[] = [];
  if (expectedStage !== undefined && config.stage !== expectedStage) {
    problems.push(`stage: is "${config.stage}" but the file is for stage "${expectedStage}"`);
  }
  const webhookTimeout = config.functions['stripe-webhook']?.timeoutSeconds;
  if (webhookTimeout !== undefined && webhookTimeout > WEBHOOK_MAX_TIMEOUT_SECONDS) {
    problems.push(
      `functions.stripe-webhook.timeoutSeconds: must be at most ${WEBHOOK_MAX_TIMEOUT_SECONDS} (Stripe expects a quick answer)`,
    );
  }
  if (new Set(config.allowedOrigins).size !== config.allowedOrigins.length) {
    problems.push('allowedOrigins: lists an origin twice');
  }
  if (config.notifier.kind === 'ses') {
    const { from, identity } = config.notifier;
    const domain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
    const sendsAs = identity.toLowerCase();
    // The functions may send only as the identity (IAM): its own address, or its domain's (and subdomains').
    if (sendsAs !== from.toLowerCase() && sendsAs !== domain && !domain.endsWith(`.${sendsAs}`)) {
      const shown = identity.includes('@') ? maskEmail(identity) : identity;
      problems.push(
        `notifier.identity: notifier.from is neither "${shown}" nor an address at its domain, so SES would refuse every order email`,
      );
    }
  }
  if (problems.length > 0) throw new StageConfigError(source, problems);
  return config;
}

/** What to write for a required field that is missing (fields added since a stage file was made). */
const REQUIRED_FIELD_HINTS: Readonly<Record<string, string>> = {
  shop: '{ "name": "<the shop’s name>" }',
  'shop.name': 'the shop’s name as customers see it',
  'stripe.mode': '"live" (real payments) or "test" (Stripe test mode)',
  'alarms.webhookSignatureInvalidPerHour': '1 (one bad signature an hour means a wrong webhook secret)',
};
/** Fields that were renamed: their new name and meaning. */
const RENAMED_FIELDS: Readonly<Record<string, string>> = {
  'alarms.webhookSignatureInvalidPerFiveMinutes':
    'was replaced by alarms.webhookSignatureInvalidPerHour (counted over an hour; 1 is the advice)',
};

/** Valibot's message for a missing or unknown key of a strict object, in the config's own words. */
function describeIssue(field: string, issue: v.BaseIssue<unknown>): string {
  if (issue.type !== 'strict_object') return issue.message;
  if (issue.input === undefined) {
    const hint = REQUIRED_FIELD_HINTS[field];
    return `is required${hint ? `: ${hint}` : ''}`;
  }
  return RENAMED_FIELDS[field] ?? 'is not a field of a stage config (a typo?)';
}

/** Reads and validates `<configDir>/<stage>.json`. */
export function loadStageConfig(configDir: string, stage: string): StageConfig {
  const file = path.join(configDir, `${stage}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err: unknown) {
    const known = listStages(configDir);
    throw new StageConfigError(file, [
      `cannot read the file (${err instanceof Error ? err.message : String(err)}); known stages: ${known.join(', ') || 'none'}`,
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err: unknown) {
    throw new StageConfigError(file, [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseStageConfig(data, file, stage);
}

/** The stages that have a config file, sorted. */
export function listStages(configDir: string): string[] {
  try {
    return readdirSync(configDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** A handler's figures after the stage's overrides. */
export function resolveHandler(spec: HandlerSpec, config: StageConfig): HandlerSpec {
  const override = config.functions[spec.name] ?? {};
  return {
    ...spec,
    memoryMb: override.memoryMb ?? spec.memoryMb,
    timeoutSeconds: override.timeoutSeconds ?? spec.timeoutSeconds,
    reservedConcurrency: override.reservedConcurrency ?? spec.reservedConcurrency,
  };
}
