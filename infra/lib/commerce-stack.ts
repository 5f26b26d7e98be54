import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaApplication, LambdaDeploymentConfig } from 'aws-cdk-lib/aws-codedeploy';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { WEBHOOK_EVENTS } from '../../src/adapters/stripe/webhook-events';
import { applicationMetric, createAlarmFactory } from './alarms';
import { CommerceApi } from './commerce-api';
import { CommerceFunction, TABLE_OPERATIONS } from './commerce-function';
import {
  type HandlerName,
  type HandlerSpec,
  requireHandlers,
  type SecretName,
  secretNameOf,
} from './handlers';
import { resolveHandler, type StageConfig } from './stage-config';
import { serviceNameOf, stageEnvironment } from './stage-environment';
import { WebFirewall } from './web-firewall';

export interface CommerceStackProps extends StackProps {
  readonly config: StageConfig;
  /** Where `package-lock.json` and the handlers' entry files (`src/handlers/…`) live. */
  readonly projectRoot: string;
  /** Which handlers to deploy; by default all of them (each must have its entry file). */
  readonly handlers?: readonly HandlerSpec[];
}

const ROLLOUTS = {
  canary10Percent5Minutes: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  linear10PercentEvery1Minute: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  allAtOnce: LambdaDeploymentConfig.ALL_AT_ONCE,
} as const;

const SECRET_DESCRIPTIONS: Readonly<Record<SecretName, { suffix: string; description: string }>> = {
  stripeSecretKey: {
    suffix: 'stripe-secret-key',
    description: 'Stripe secret API key (sk_live_… or a restricted rk_live_… key). Set it: docs/deploy.md.',
  },
  stripeWebhookSecret: {
    suffix: 'stripe-webhook-secret',
    description: "Signing secret of this stage's Stripe webhook endpoint (whsec_…). Set it: docs/deploy.md.",
  },
  quoteSigningKeys: {
    suffix: 'quote-signing-keys',
    description: 'Quote signing keys as "kid:base64secret,kid2:base64secret". Set it: docs/deploy.md.',
  },
};

/**
 * One stage of the cart & checkout API: the commerce table, the secrets, one function per built
 * handler behind a gradually deployed alias, the REST API with WAF, and the alarms that page the
 * operator. Everything a stage needs comes from its config file; nothing is looked up in AWS.
 */
export class CommerceStack extends Stack {
  readonly table: Table;
  readonly functions: ReadonlyMap<HandlerName, CommerceFunction>;
  readonly api: CommerceApi | undefined;
  readonly alertTopic: Topic;

  constructor(scope: Construct, id: string, props: CommerceStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = `cart-checkout-${config.stage}`;
    const serviceName = serviceNameOf(config.stage);
    const logRetention = config.logRetentionDays as RetentionDays;
    Tags.of(this).add('app', 'cart-checkout');
    Tags.of(this).add('stage', config.stage);

    this.table = new Table(this, 'CommerceTable', {
      tableName: config.tableName,
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const secrets = Object.fromEntries(
      (Object.keys(SECRET_DESCRIPTIONS) as SecretName[]).map((name) => {
        const { suffix, description } = SECRET_DESCRIPTIONS[name];
        const secret = new Secret(this, `Secret-${suffix}`, {
          secretName: secretNameOf(config.stage, name),
          description,
          // A random placeholder until the operator sets the real value; the handlers reject it
          // loudly (it is neither a Stripe key nor a "kid:secret" list).
          generateSecretString: { passwordLength: 32, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason:
            name === 'quoteSigningKeys'
              ? 'Rotated by hand: a new kid is added next to the old one and becomes QUOTE_SIGNING_KEY_ID, so quotes signed with the old key still verify during their TTL (docs/deploy.md).'
              : "The value is issued by Stripe and rotated in Stripe's dashboard, then stored here (docs/deploy.md); Secrets Manager cannot rotate it.",
        });
        return [name, secret];
      }),
    ) as Record<SecretName, Secret>;

    this.alertTopic = new Topic(this, 'Alerts', {
      displayName: `Cart checkout ${config.stage} alerts`,
      enforceSSL: true,
    });
    this.alertTopic.addSubscription(new EmailSubscription(config.alertEmail));
    const addAlarm = createAlarmFactory(this, { topic: this.alertTopic, namePrefix: prefix });

    const environment = stageEnvironment(config, this.table.tableName);
    const sesIdentityArn =
      config.notifier.kind === 'ses'
        ? this.formatArn({ service: 'ses', resource: 'identity', resourceName: config.notifier.identity })
        : undefined;

    const application = new LambdaApplication(this, 'Rollouts', { applicationName: prefix });
    const handlers = (props.handlers ?? requireHandlers(props.projectRoot)).map((spec) =>
      resolveHandler(spec, config),
    );
    const functions = new Map<HandlerName, CommerceFunction>();
    for (const spec of handlers) {
      functions.set(
        spec.name,
        new CommerceFunction(this, `Fn-${spec.name}`, {
          spec,
          projectRoot: props.projectRoot,
          environment,
          table: this.table,
          secrets,
          sesIdentityArn,
          logRetention,
          application,
          deploymentConfig: ROLLOUTS[config.rollout],
          addAlarm,
        }),
      );
    }
    this.functions = functions;

    // Order notifications and order mail (do-not-ship alerts, shipping confirmations) that failed
    // (SES down, not yet verified) or whose sender died are sent by the webhook's function on this
    // schedule; the webhook itself never waits for the e-mail.
    const webhook = functions.get('stripe-webhook');
    if (webhook) {
      new Rule(this, 'NotificationRetry', {
        ruleName: `${prefix}-notification-retry`,
        description: 'Sends the order notifications still owed (docs/operations.md#notification-failed).',
        schedule: Schedule.rate(Duration.minutes(5)),
        targets: [new LambdaFunction(webhook.alias, { retryAttempts: 0 })],
      });
    }

    // A REST API needs at least one method: until a handler exists there is no API to deploy.
    if (handlers.length > 0) {
      const api = new CommerceApi(this, 'Api', {
        config,
        logRetention,
        routes: handlers.map((spec) => ({ spec, target: functions.get(spec.name)!.alias })),
      });
      this.api = api;
      const firewall = new WebFirewall(this, 'Firewall', {
        name: prefix,
        stageArn: api.stage.stageArn,
        ratePerIpPerFiveMinutes: config.waf.ratePerIpPerFiveMinutes,
        maxBodyBytes: config.waf.maxBodyBytes,
      });

      addAlarm({
        id: 'api-4xx',
        metric: api.stage.metricClientError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: config.alarms.api4xxPerFiveMinutes,
        description: 'Unusually many 4XX answers: a broken storefront release, a scraper, or an attack.',
      });
      addAlarm({
        id: 'api-5xx',
        metric: api.stage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: config.alarms.api5xxPerFiveMinutes,
        description: 'The API answered 5XX: a handler failed or Stripe/DynamoDB are unavailable.',
      });
      addAlarm({
        id: 'waf-blocked',
        metric: new Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: prefix, Region: this.region, Rule: 'ALL' },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: config.alarms.wafBlockedPerFiveMinutes,
        description: 'WAF blocked unusually many requests: an attack, or a rule blocking real customers.',
      });
      new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the API (ends in /)' });
      new CfnOutput(this, 'WebhookUrl', {
        value: `${api.url}stripe/webhook`,
        description: 'Register this URL as the Stripe webhook endpoint',
      });
      new CfnOutput(this, 'WebhookEvents', {
        value: WEBHOOK_EVENTS.join(','),
        description: 'The events to enable on the Stripe webhook endpoint',
      });
      new CfnOutput(this, 'WebAclArn', { value: firewall.webAcl.attrArn });
    }

    addAlarm({
      id: 'table-throttles',
      // Every operation the functions may call (BatchWriteItem included): any throttle is worth a look.
      metric: this.table.metricThrottledRequestsForOperations({
        operations: TABLE_OPERATIONS,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      description: 'DynamoDB throttled requests to the commerce table.',
    });
    addAlarm({
      id: 'webhook-failed',
      metric: applicationMetric('WebhookFailed', serviceName),
      threshold: 1,
      description:
        'A Stripe event could not be processed; Stripe will retry it, but an order may be waiting.',
    });
    addAlarm({
      id: 'coupon-fallback',
      metric: applicationMetric('CouponFallback', serviceName),
      threshold: 1,
      description: 'Stripe refused a bundle coupon and checkout fell back (inline discount or none).',
    });
    addAlarm({
      id: 'notification-failed',
      metric: applicationMetric('NotificationFailed', serviceName),
      threshold: 1,
      description:
        'An order notification could not be sent (SES or the notifier failing); the order is recorded and the notification is retried every five minutes.',
    });
    addAlarm({
      id: 'order-amount-mismatch',
      metric: applicationMetric('OrderAmountMismatch', serviceName),
      threshold: 1,
      description:
        'Stripe charged an order another amount or currency than its quote: check it before shipping (orders list shows amount_mismatch).',
    });
    addAlarm({
      id: 'payment-disputed',
      metric: applicationMetric('PaymentDisputed', serviceName),
      threshold: 1,
      description:
        'A cardholder disputed a payment: do not ship the order, and answer the dispute in the Stripe Dashboard before its evidence deadline.',
    });
    addAlarm({
      id: 'order-stock-short',
      metric: applicationMetric('OrderStockShort', serviceName),
      threshold: 1,
      description:
        'A paid order has items beyond the stock on hand (a backorder, or stock corrected while held): check the shelf before shipping (orders list shows short_stock; stock list shows the counts).',
    });
    addAlarm({
      id: 'webhook-signature-invalid',
      // Counted over an hour: a shop with a few dozen events a day would never fill a 5-minute window,
      // and one refused Stripe delivery already means a wrong secret.
      metric: applicationMetric('WebhookSignatureInvalid', serviceName, Duration.hours(1)),
      threshold: config.alarms.webhookSignatureInvalidPerHour,
      description:
        'Webhook calls with a bad signature: a wrong webhook secret (new endpoint, rotation, test-mode secret), or forged calls.',
    });
    addAlarm({
      id: 'rate-limiter-error',
      metric: applicationMetric('RateLimiterError', serviceName),
      threshold: 1,
      description: 'The rate limiter could not reach its table; quotes are served without the per-IP limit.',
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topicArn });
    for (const [name, secret] of Object.entries(secrets)) {
      new CfnOutput(this, `SecretArn-${SECRET_DESCRIPTIONS[name as SecretName].suffix}`, {
        value: secret.secretArn,
      });
    }
  }
}
