import { METRICS_NAMESPACE } from './alarms';
import type { StageConfig } from './stage-config';

/** Where each variable the stack sets comes from in the stage file, for messages that name the field. */
const STACK_VARIABLE_SOURCES: Readonly<Record<string, string>> = {
  COMMERCE_TABLE: 'tableName',
  ALLOWED_ORIGINS: 'allowedOrigins',
  QUOTE_TTL_SECONDS: 'quote.ttlSeconds',
  QUOTE_SIGNING_KEY_ID: 'quote.signingKeyId',
  STRIPE_WEBHOOK_TOLERANCE: 'stripe.webhookToleranceSeconds',
  CHECKOUT_SUCCESS_URL: 'checkout.successUrl',
  CHECKOUT_CANCEL_URL: 'checkout.cancelUrl',
  NOTIFIER: 'notifier.kind',
  NOTIFY_FROM: 'notifier.from',
  NOTIFY_TO: 'notifier.to',
  SECRETS_REVISION: 'secretsRevision',
};

/** The stack's own service name of a stage, in logs and metrics. */
export function serviceNameOf(stage: string): string {
  return `cart-checkout-${stage}`;
}

/**
 * The environment every function of a stage gets (secret ARNs are added per function). One
 * function for the stack, which deploys it, and the synth check, which parses it with the very
 * code the functions run, so the two cannot disagree. `tableName` is the table's name as the stack
 * knows it (a CloudFormation reference there, the configured name in the check).
 */
export function stageEnvironment(config: StageConfig, tableName: string): Record<string, string> {
  return {
    ...config.environment,
    COMMERCE_TABLE: tableName,
    ALLOWED_ORIGINS: config.allowedOrigins.join(','),
    QUOTE_TTL_SECONDS: String(config.quote.ttlSeconds),
    QUOTE_SIGNING_KEY_ID: config.quote.signingKeyId,
    STRIPE_WEBHOOK_TOLERANCE: String(config.stripe.webhookToleranceSeconds),
    CHECKOUT_SUCCESS_URL: config.checkout.successUrl,
    CHECKOUT_CANCEL_URL: config.checkout.cancelUrl,
    NOTIFIER: config.notifier.kind,
    ...(config.notifier.kind === 'ses'
      ? { NOTIFY_FROM: config.notifier.from, NOTIFY_TO: config.notifier.to.join(',') }
      : {}),
    // Changing it (config `secretsRevision`) rolls out new versions, which read the secrets anew.
    SECRETS_REVISION: String(config.secretsRevision),
    POWERTOOLS_SERVICE_NAME: serviceNameOf(config.stage),
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // No NODE_OPTIONS=--enable-source-maps: the logger maps the stacks it writes with the bundle's
    // map (src/adapters/source-mapped-stacks.ts), without the flag's ~50 ms per cold start.
  };
}

/** The stage-file field a variable comes from: `quote.ttlSeconds`, `environment.COUPON_FALLBACK`. */
export function sourceOfVariable(name: string): string {
  return STACK_VARIABLE_SOURCES[name] ?? `environment.${name}`;
}
