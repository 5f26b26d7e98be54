import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { TABLE_ACTIONS } from '../../../infra/lib/commerce-function';
import { HANDLERS, type HandlerSpec, SECRET_ENV, type SecretName } from '../../../infra/lib/handlers';
import { resolveHandler } from '../../../infra/lib/stage-config';
import { WEBHOOK_PATH_SUFFIX } from '../../../infra/lib/web-firewall';
import type { CfnJson, CloudFormationTemplate, SynthesizedStage } from './synth';

type Resource = CloudFormationTemplate['Resources'][string];
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

export function resourcesOfType(json: CloudFormationTemplate, type: string): [string, Resource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

function props(resource: Resource): CfnJson {
  return resource.Properties ?? {};
}

/** The Lambda function resource deployed for a handler (found by its description). */
export function functionOf(json: CloudFormationTemplate, spec: HandlerSpec): [string, Resource] {
  const found = resourcesOfType(json, 'AWS::Lambda::Function').filter(
    ([, r]) => props(r).Description === spec.description,
  );
  expect(found, `one function for ${spec.name}`).toHaveLength(1);
  return found[0]!;
}

/** Every IAM statement attached to the role of a handler's function. */
export function statementsOf(json: CloudFormationTemplate, spec: HandlerSpec): Statement[] {
  const [, fn] = functionOf(json, spec);
  const roleId = props(fn).Role['Fn::GetAtt'][0] as string;
  expect(props(json.Resources[roleId]!).ManagedPolicyArns ?? []).toEqual([]);
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, p]) => (props(p).Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => props(p).PolicyDocument.Statement as Statement[]);
}

export function secretIdOf(json: CloudFormationTemplate, stage: string, suffix: string): string {
  const found = resourcesOfType(json, 'AWS::SecretsManager::Secret').filter(
    ([, r]) => props(r).Name === `cart-checkout-${stage}/${suffix}`,
  );
  expect(found).toHaveLength(1);
  return found[0]![0];
}

const SECRET_SUFFIX: Record<SecretName, string> = {
  stripeSecretKey: 'stripe-secret-key',
  stripeWebhookSecret: 'stripe-webhook-secret',
  quoteSigningKeys: 'quote-signing-keys',
};

const asArray = (x: string | string[]) => (Array.isArray(x) ? x : [x]);

/** The id of the only resource of a type. */
function onlyId(json: CloudFormationTemplate, type: string): string {
  const found = resourcesOfType(json, type);
  expect(found, type).toHaveLength(1);
  return found[0]![0];
}

/** Walks the parent chain of an API Gateway resource back to the root, e.g. `/cart/quote`. */
function pathOf(json: CloudFormationTemplate, resourceId: string): string {
  const parts: string[] = [];
  let current: Resource | undefined = json.Resources[resourceId];
  while (current && current.Type === 'AWS::ApiGateway::Resource') {
    parts.unshift(props(current).PathPart);
    const parent = props(current).ParentId;
    current = parent?.Ref ? json.Resources[parent.Ref] : undefined;
  }
  return `/${parts.join('/')}`;
}

/** Methods by `METHOD /path`. */
export function methodsByRoute(json: CloudFormationTemplate): Map<string, Resource> {
  const methods = new Map<string, Resource>();
  for (const [, m] of resourcesOfType(json, 'AWS::ApiGateway::Method')) {
    const resourceRef = props(m).ResourceId.Ref as string;
    methods.set(`${props(m).HttpMethod} ${pathOf(json, resourceRef)}`, m);
  }
  return methods;
}

/**
 * The requirements that hold whichever way the API is provided; called inside a
 * `describe` with the shared synthesis of one stage.
 */
export function itMeetsTheCommonRequirements(get: () => SynthesizedStage): void {
  const specs = () => HANDLERS.map((spec) => resolveHandler(spec, get().config));

  it('keeps one on-demand PK/SK table with TTL, point-in-time recovery and deletion protection, retained on delete', () => {
    const { template, config } = get();
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: config.tableName,
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        GlobalSecondaryIndexes: Match.absent(),
      },
    });
  });

  it('runs every handler on arm64 and Node.js 22 or newer with its memory, timeout, and concurrency only where the stage reserves it', () => {
    const { json } = get();
    expect(resourcesOfType(json, 'AWS::Lambda::Function')).toHaveLength(HANDLERS.length);
    for (const spec of specs()) {
      const [, fn] = functionOf(json, spec);
      const p = props(fn);
      expect(p.Architectures).toEqual(['arm64']);
      const major = Number(/^nodejs(\d+)\.x$/.exec(p.Runtime)?.[1]);
      expect(major, `${spec.name} runtime ${p.Runtime}`).toBeGreaterThanOrEqual(22);
      expect(p.Handler).toBe('index.handler');
      expect(p.MemorySize).toBe(spec.memoryMb);
      expect(p.Timeout).toBe(spec.timeoutSeconds);
      expect(p.ReservedConcurrentExecutions, spec.name).toBe(
        get().config.functions[spec.name]?.reservedConcurrency,
      );
    }
    const [, webhook] = functionOf(json, HANDLERS.find((h) => h.name === 'stripe-webhook')!);
    expect(props(webhook).Timeout).toBeLessThanOrEqual(10);
  });

  it('bundles every handler with the local esbuild into a minified ES module with a source map', () => {
    const { json, outdir } = get();
    for (const spec of specs()) {
      const [, fn] = functionOf(json, spec);
      const key = props(fn).Code.S3Key as string;
      const dir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(existsSync(path.join(dir, 'index.mjs.map')), `${spec.name} source map`).toBe(true);
      // The placeholder's `async () => ({ statusCode: 200 … })` comes out without spaces.
      expect(code).toContain('async()=>({statusCode:200');
      expect(code).toContain('sourceMappingURL=index.mjs.map');
    }
  });

  it('gives each function a log group with the stage retention, and writes logs only there', () => {
    const { json, config } = get();
    for (const spec of specs()) {
      const [, fn] = functionOf(json, spec);
      const logGroupId = props(fn).LoggingConfig.LogGroup.Ref as string;
      expect(props(json.Resources[logGroupId]!).RetentionInDays).toBe(config.logRetentionDays);
      const logStatements = statementsOf(json, spec).filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('logs:')),
      );
      expect(logStatements.length).toBeGreaterThan(0);
      for (const s of logStatements) expect(s.Resource).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    }
  });

  it('scopes each role to the table and to exactly the secrets its handler reads, with no wildcard resource', () => {
    const { json, config } = get();
    const tableId = onlyId(json, 'AWS::DynamoDB::Table');
    for (const spec of specs()) {
      const statements = statementsOf(json, spec);
      for (const s of statements) {
        expect(JSON.stringify(s.Resource), `${spec.name}: ${JSON.stringify(s)}`).not.toMatch(/"\*"|:\*"/);
        expect(
          asArray(s.Action).every((a) => !a.includes('*')),
          `${spec.name} action wildcard`,
        ).toBe(true);
      }
      const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
      if (spec.usesTable) {
        expect(dynamo).toHaveLength(1);
        expect(dynamo[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
        expect(asArray(dynamo[0]!.Action)).not.toContain('dynamodb:Scan');
      } else {
        expect(dynamo).toEqual([]);
      }
      const secretReads = statements.filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('secretsmanager:')),
      );
      expect(
        secretReads.flatMap((s) => asArray(s.Action)).every((a) => a === 'secretsmanager:GetSecretValue'),
      ).toBe(true);
      const readable = secretReads
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const expected = spec.secrets
        .map((name) => ({ Ref: secretIdOf(json, config.stage, SECRET_SUFFIX[name]) }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      expect(readable, spec.name).toEqual(expected);
      const ses = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('ses:')));
      if (spec.notifies && config.notifier.kind === 'ses') {
        expect(ses).toHaveLength(1);
        expect(JSON.stringify(ses[0]!.Resource)).toContain(`:identity/${config.notifier.identity}`);
      } else {
        expect(ses).toEqual([]);
      }
    }
  });

  it('passes secret ARNs, never secret values, through the environment', () => {
    const { json, config } = get();
    for (const [, secret] of resourcesOfType(json, 'AWS::SecretsManager::Secret')) {
      expect(props(secret).SecretString).toBeUndefined();
      expect(props(secret).GenerateSecretString).toBeDefined();
    }
    for (const spec of specs()) {
      const env = props(functionOf(json, spec)[1]).Environment.Variables as Record<string, unknown>;
      for (const [name, envName] of Object.entries(SECRET_ENV) as [SecretName, string][]) {
        if (spec.secrets.includes(name)) {
          expect(env[envName], `${spec.name} ${envName}`).toEqual({
            Ref: secretIdOf(json, config.stage, SECRET_SUFFIX[name]),
          });
        } else {
          expect(env[envName], `${spec.name} must not get ${envName}`).toBeUndefined();
        }
      }
      for (const [key, value] of Object.entries(env)) {
        if (typeof value !== 'string') continue;
        expect(value, `${spec.name} ${key}`).not.toMatch(
          /(sk|rk|pk)_(live|test)_|whsec_|^[\w-]+:[A-Za-z0-9+/]{16,}={0,2}(,|$)/,
        );
      }
      expect(env).toMatchObject({
        COMMERCE_TABLE: { Ref: onlyId(json, 'AWS::DynamoDB::Table') },
        ALLOWED_ORIGINS: config.allowedOrigins.join(','),
        QUOTE_SIGNING_KEY_ID: config.quote.signingKeyId,
        QUOTE_TTL_SECONDS: String(config.quote.ttlSeconds),
        POWERTOOLS_METRICS_NAMESPACE: 'CartCheckout',
        POWERTOOLS_SERVICE_NAME: `cart-checkout-${config.stage}`,
        CHECKOUT_SUCCESS_URL: config.checkout.successUrl,
        NOTIFIER: config.notifier.kind,
        SECRETS_REVISION: String(config.secretsRevision),
      });
    }
  });

  it('publishes each function behind a live alias that CodeDeploy shifts and rolls back on the error alarm', () => {
    const { json, template, config } = get();
    const expectedConfig = {
      canary10Percent5Minutes: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      linear10PercentEvery1Minute: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      allAtOnce: 'CodeDeployDefault.LambdaAllAtOnce',
    }[config.rollout];
    const groups = resourcesOfType(json, 'AWS::CodeDeploy::DeploymentGroup');
    expect(groups).toHaveLength(HANDLERS.length);
    for (const spec of specs()) {
      const [fnId] = functionOf(json, spec);
      const aliases = resourcesOfType(json, 'AWS::Lambda::Alias').filter(
        ([, a]) => props(a).FunctionName.Ref === fnId,
      );
      expect(aliases).toHaveLength(1);
      const [aliasId, alias] = aliases[0]!;
      expect(props(alias).Name).toBe('live');
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate).toBeDefined();
      const groupId = alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName.Ref;
      const group = props(json.Resources[groupId]!);
      expect(group.DeploymentConfigName).toBe(expectedConfig);
      expect(group.AutoRollbackConfiguration.Events).toEqual(
        expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      );
      const alarmName = `cart-checkout-${config.stage}-${spec.name}-errors`;
      expect(group.AlarmConfiguration.Alarms).toEqual([{ Name: { Ref: alarmIdByName(json, alarmName) } }]);
      // The error alarm watches the alias, i.e. the traffic the rollout is shifting.
      const alarm = props(json.Resources[alarmIdByName(json, alarmName)]!);
      expect(alarm.Dimensions).toEqual(
        expect.arrayContaining([{ Name: 'Resource', Value: expect.anything() }]),
      );
      expect(JSON.stringify(alarm.Dimensions)).toContain(':live');
      expect(aliasId).toBeTruthy();
    }
    template.resourceCountIs('AWS::CodeDeploy::Application', 1);
  });

  it('routes each path and method to its function alias through a Lambda proxy integration', () => {
    const { json } = get();
    const methods = methodsByRoute(json);
    for (const spec of specs()) {
      const method = methods.get(`${spec.route.method} ${spec.route.path}`);
      expect(method, `${spec.route.method} ${spec.route.path}`).toBeDefined();
      const integration = props(method!).Integration;
      expect(integration.Type).toBe('AWS_PROXY');
      expect(integration.IntegrationHttpMethod).toBe('POST');
      const [fnId] = functionOf(json, spec);
      const aliasId = resourcesOfType(json, 'AWS::Lambda::Alias').find(
        ([, a]) => props(a).FunctionName.Ref === fnId,
      )![0];
      expect(JSON.stringify(integration.Uri)).toContain(`"Ref":"${aliasId}"`);
    }
  });

  it('answers CORS preflight in API Gateway on the browser routes, naming only allowlisted origins, and not on the webhook', () => {
    const { json, config } = get();
    const methods = methodsByRoute(json);
    for (const spec of specs()) {
      const preflight = methods.get(`OPTIONS ${spec.route.path}`);
      if (!spec.browser) {
        expect(preflight, spec.route.path).toBeUndefined();
        continue;
      }
      expect(preflight, spec.route.path).toBeDefined();
      const integration = props(preflight!).Integration;
      expect(integration.Type).toBe('MOCK');
      const response = integration.IntegrationResponses[0];
      expect(response.StatusCode).toBe('204');
      expect(response.ResponseParameters).toEqual({
        'method.response.header.Access-Control-Allow-Methods': `'${spec.route.method},OPTIONS'`,
        'method.response.header.Access-Control-Allow-Headers': "'Content-Type'",
        'method.response.header.Access-Control-Max-Age': "'600'",
        'method.response.header.Vary': "'Origin'",
      });
      // No fixed Allow-Origin: only the template names the caller's origin, and only when listed.
      const template = response.ResponseTemplates['application/json'] as string;
      const condition =
        /#if\((\$origin == .*)\)\n#set\(\$context\.responseOverride\.header\.Access-Control-Allow-Origin = \$origin\)/.exec(
          template,
        )?.[1];
      expect(condition?.split(' || ')).toEqual(config.allowedOrigins.map((o) => `$origin == "${o}"`));
      expect(JSON.stringify(props(preflight!))).not.toContain("'*'");
    }
    expect(methods.size).toBe(HANDLERS.length + HANDLERS.filter((h) => h.browser).length);
  });

  it('throttles the stage at the configured rate and burst, the webhook at its own, with execution and JSON access logs', () => {
    const { template, config, json } = get();
    const stages = resourcesOfType(json, 'AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(1);
    const stage = props(stages[0]![1]);
    expect(stage.StageName).toBe(config.api.stageName);
    expect(stage.MethodSettings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: config.throttle.rateLimit,
          ThrottlingBurstLimit: config.throttle.burstLimit,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: false,
        }),
        expect.objectContaining({
          HttpMethod: 'POST',
          ResourcePath: '/~1stripe~1webhook',
          ThrottlingRateLimit: config.throttle.webhook.rateLimit,
          ThrottlingBurstLimit: config.throttle.webhook.burstLimit,
        }),
      ]),
    );
    const format = stage.AccessLogSetting.Format as string;
    // Valid JSON once API Gateway substitutes its variables (the error string comes quoted).
    const sample = JSON.parse(
      format.replace('$context.error.messageString', '"oops"').replace(/\$context\.[\w.]+/g, 'x'),
    );
    expect(Object.keys(sample)).toEqual(
      expect.arrayContaining(['requestId', 'status', 'resource', 'responseLatency']),
    );
    expect(format).not.toMatch(/sourceIp|X-Forwarded-For/i);
    const destination = JSON.stringify(stage.AccessLogSetting.DestinationArn);
    const logGroupId = /"Ref":"(\w+)"\}\]\]\}$/.exec(destination)?.[1];
    expect(destination).toContain(':log-group:');
    expect(json.Resources[logGroupId!]!.Type).toBe('AWS::Logs::LogGroup');
    // Execution logging needs the account's API Gateway logging role.
    template.hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: Match.anyValue() });
  });

  it('protects the stage with a WAF web ACL whose body and rate rules spare the Stripe webhook', () => {
    const { json, config } = get();
    const [aclId, acl] = resourcesOfType(json, 'AWS::WAFv2::WebACL')[0]!;
    const p = props(acl);
    expect(p.Scope).toBe('REGIONAL');
    expect(p.DefaultAction).toEqual({ Allow: {} });
    const rules = new Map((p.Rules as CfnJson[]).map((r) => [r.Name, r]));
    const spareWebhook = {
      NotStatement: {
        Statement: {
          ByteMatchStatement: expect.objectContaining({
            FieldToMatch: { UriPath: {} },
            PositionalConstraint: 'ENDS_WITH',
            SearchString: WEBHOOK_PATH_SUFFIX,
          }),
        },
      },
    };
    for (const group of ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']) {
      const statement = rules.get(group)?.Statement.ManagedRuleGroupStatement;
      expect(statement, group).toMatchObject({ VendorName: 'AWS', Name: group });
      expect(statement.ScopeDownStatement).toEqual(spareWebhook);
    }
    expect(
      rules.get('AWSManagedRulesAmazonIpReputationList')?.Statement.ManagedRuleGroupStatement,
    ).toMatchObject({
      VendorName: 'AWS',
    });
    const rate = rules.get('RatePerIp');
    expect(rate.Action).toEqual({ Block: {} });
    expect(rate.Statement.RateBasedStatement).toMatchObject({
      Limit: config.waf.ratePerIpPerFiveMinutes,
      AggregateKeyType: 'IP',
      ScopeDownStatement: spareWebhook,
    });
    const body = rules.get('BodySize');
    expect(body.Action).toEqual({ Block: {} });
    expect(body.Statement.AndStatement.Statements).toEqual([
      spareWebhook,
      {
        SizeConstraintStatement: expect.objectContaining({
          FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
          ComparisonOperator: 'GT',
          Size: config.waf.maxBodyBytes,
        }),
      },
    ]);
    const associations = resourcesOfType(json, 'AWS::WAFv2::WebACLAssociation');
    expect(associations).toHaveLength(1);
    const association = props(associations[0]![1]);
    expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    const [stageId, stage] = resourcesOfType(json, 'AWS::ApiGateway::Stage')[0]!;
    expect(props(stage).StageName).toBe(config.api.stageName);
    expect(JSON.stringify(association.ResourceArn)).toMatch(
      new RegExp(`/restapis/.*/stages/",\\{"Ref":"${stageId}"\\}`),
    );
  });

  it('sends every alarm, firing and recovering, to an SNS topic with an email subscription', () => {
    const { json, template, config } = get();
    const topicId = onlyId(json, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: config.alertEmail,
      TopicArn: { Ref: topicId },
    });
    const prefix = `cart-checkout-${config.stage}-`;
    const expected = [
      ...HANDLERS.flatMap((h) => [`${h.name}-errors`, `${h.name}-throttles`]),
      'api-4xx',
      'api-5xx',
      'waf-blocked',
      'table-throttles',
      'webhook-failed',
      'coupon-fallback',
      'order-amount-mismatch',
      'order-stock-short',
      'notification-failed',
      'payment-disputed',
      'webhook-signature-invalid',
      'rate-limiter-error',
    ].map((id) => prefix + id);
    const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm');
    expect(alarms.map(([, a]) => props(a).AlarmName).sort()).toEqual(expected.sort());
    for (const [, alarm] of alarms) {
      expect(props(alarm).AlarmActions, props(alarm).AlarmName).toEqual([{ Ref: topicId }]);
      expect(props(alarm).OKActions, props(alarm).AlarmName).toEqual([{ Ref: topicId }]);
      expect(props(alarm).AlarmDescription).toContain('docs/operations.md#');
    }
  });

  it('runs the notification retry every five minutes on the webhook function, and lets only that rule invoke it', () => {
    const { json, config } = get();
    const rules = resourcesOfType(json, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0]!;
    expect(props(rule)).toMatchObject({
      Name: `cart-checkout-${config.stage}-notification-retry`,
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
    });
    const targets = props(rule).Targets as { Arn: unknown; RetryPolicy?: unknown }[];
    expect(targets).toHaveLength(1);
    expect(JSON.stringify(targets[0]?.Arn)).toMatch(/Fnstripewebhook.*Live/);
    const fromEvents = resourcesOfType(json, 'AWS::Lambda::Permission').filter(
      ([, p]) => props(p).Principal === 'events.amazonaws.com',
    );
    expect(fromEvents).toHaveLength(1);
    expect(props(fromEvents[0]![1]).SourceArn).toEqual({ 'Fn::GetAtt': [ruleId, 'Arn'] });
  });

  it("watches the application's own metrics in the CartCheckout namespace for this stage's service", () => {
    const { json, config } = get();
    for (const [id, metricName] of [
      ['webhook-failed', 'WebhookFailed'],
      ['coupon-fallback', 'CouponFallback'],
      ['order-amount-mismatch', 'OrderAmountMismatch'],
      ['order-stock-short', 'OrderStockShort'],
      ['notification-failed', 'NotificationFailed'],
      ['payment-disputed', 'PaymentDisputed'],
      ['webhook-signature-invalid', 'WebhookSignatureInvalid'],
      ['rate-limiter-error', 'RateLimiterError'],
    ] as const) {
      const alarm = props(json.Resources[alarmIdByName(json, `cart-checkout-${config.stage}-${id}`)]!);
      expect(alarm).toMatchObject({
        Namespace: 'CartCheckout',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: `cart-checkout-${config.stage}` }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    const waf = props(json.Resources[alarmIdByName(json, `cart-checkout-${config.stage}-waf-blocked`)]!);
    expect(waf).toMatchObject({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests' });
    expect(waf.Dimensions).toEqual(
      expect.arrayContaining([{ Name: 'WebACL', Value: `cart-checkout-${config.stage}` }]),
    );
    const aclName = props(resourcesOfType(json, 'AWS::WAFv2::WebACL')[0]![1]).Name;
    expect(aclName).toBe(`cart-checkout-${config.stage}`);
    const table = props(
      json.Resources[alarmIdByName(json, `cart-checkout-${config.stage}-table-throttles`)]!,
    );
    // One metric per operation the functions may call, summed: the alarm follows TABLE_ACTIONS (the
    // IAM grant, which table-permissions.test.ts compares with the commands the code sends).
    const operations = (table.Metrics as CfnJson[])
      .filter((m) => m.MetricStat)
      .map((m) => {
        expect(m.MetricStat.Metric.MetricName).toBe('ThrottledRequests');
        return (m.MetricStat.Metric.Dimensions as { Name: string; Value: string }[]).find(
          (d) => d.Name === 'Operation',
        )?.Value;
      });
    expect(operations.sort()).toEqual(TABLE_ACTIONS.map((a) => a.slice('dynamodb:'.length)).sort());
    expect(table.Threshold).toBe(1);
    const signature = props(
      json.Resources[alarmIdByName(json, `cart-checkout-${config.stage}-webhook-signature-invalid`)]!,
    );
    // One bad signature within an hour: a small shop's few deliveries a day would never fill 5 minutes.
    expect(signature).toMatchObject({
      Period: 3600,
      Statistic: 'Sum',
      Threshold: config.alarms.webhookSignatureInvalidPerHour,
    });
  });
}

export function alarmIdByName(json: CloudFormationTemplate, name: string): string {
  const found = resourcesOfType(json, 'AWS::CloudWatch::Alarm').filter(
    ([, a]) => props(a).AlarmName === name,
  );
  expect(found, name).toHaveLength(1);
  return found[0]![0];
}
