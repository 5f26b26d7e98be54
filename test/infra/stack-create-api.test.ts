import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ERRORS } from '../../infra/lib/commerce-api';
import { itMeetsTheCommonRequirements, resourcesOfType } from './support/common-requirements';
import { type Synthesis, stageConfig, synthesize } from './support/synth';

// Both example stages (a new shop's starting point), with all five handlers in place.
let synthesis: Synthesis;
beforeAll(() => {
  synthesis = synthesize([stageConfig('prod'), stageConfig('dev')]);
});
afterAll(() => synthesis?.cleanup());

describe('prod stage with an API of its own', () => {
  itMeetsTheCommonRequirements(() => synthesis.stage('prod'));

  it('creates a regional REST API for the stage and exports its URLs', () => {
    const { json, template, config } = synthesis.stage('prod');
    const apis = resourcesOfType(json, 'AWS::ApiGateway::RestApi');
    expect(apis).toHaveLength(1);
    expect(apis[0]![1].Properties.Name).toBe('cart-checkout-prod');
    expect(apis[0]![1].Properties.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain(`/${config.api.stageName}/`);
    expect(JSON.stringify(outputs.WebhookUrl?.Value)).toContain('stripe/webhook');
    expect(outputs.WebhookEvents?.Value).toBe(
      'checkout.session.completed,checkout.session.async_payment_succeeded,checkout.session.async_payment_failed,checkout.session.expired,' +
        'charge.refunded,refund.created,refund.updated,refund.failed,' +
        'charge.dispute.created,charge.dispute.updated,charge.dispute.closed',
    );
  });

  it('answers throttling, WAF blocks, unknown routes and gateway failures in the error contract', () => {
    const { json } = synthesis.stage('prod');
    const responses = new Map(
      resourcesOfType(json, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => [
        r.Properties.ResponseType as string,
        r.Properties,
      ]),
    );
    expect([...responses.keys()].sort()).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
      'REQUEST_TOO_LARGE',
      'THROTTLED',
      'WAF_FILTERED',
    ]);
    const throttled = responses.get('THROTTLED');
    expect(throttled.StatusCode).toBe('429');
    expect(throttled.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Retry-After': "'1'",
      'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
      'gatewayresponse.header.Vary': "'Origin'",
    });
    expect(responses.get('WAF_FILTERED').StatusCode).toBe('403');
    expect(responses.get('MISSING_AUTHENTICATION_TOKEN').StatusCode).toBe('404');
    for (const [type, props] of responses) {
      // What API Gateway sends once it fills in the request id: the contract's shape and code.
      const body = JSON.parse(
        String(props.ResponseTemplates['application/json']).replace('$context.requestId', 'req-1'),
      );
      const expected = GATEWAY_ERRORS.find((e) => e.type.responseType === type);
      expect(body, type).toEqual({
        error: { code: expected?.code, message: expect.any(String) },
        requestId: 'req-1',
      });
    }
  });

  it('allows only the shop’s production origin', () => {
    const { json } = synthesis.stage('prod');
    const fn = resourcesOfType(json, 'AWS::Lambda::Function')[0]![1];
    expect(fn.Properties.Environment.Variables.ALLOWED_ORIGINS).toBe('https://shop.example.com');
  });

  it('reserves no concurrency by default, so a new account (quota 10, 100 kept unreserved) can deploy it', () => {
    const { json } = synthesis.stage('prod');
    const functions = resourcesOfType(json, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(5);
    for (const [, fn] of functions) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('has as many alarm metrics as the deploy guide’s cost table charges for', () => {
    const { json } = synthesis.stage('prod');
    // CloudWatch bills each metric an alarm reads: one, or each metric of a math expression.
    const metrics = resourcesOfType(json, 'AWS::CloudWatch::Alarm').reduce(
      (sum, [, alarm]) =>
        sum +
        (alarm.Properties.Metrics
          ? (alarm.Properties.Metrics as { MetricStat?: unknown }[]).filter((m) => m.MetricStat).length
          : 1),
      0,
    );
    const guide = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    expect(Number(/CloudWatch alarms: (\d+) alarm metrics/.exec(guide)?.[1])).toBe(metrics);
  });

  it('rolls prod out as a 10 % canary for 5 minutes', () => {
    const { json } = synthesis.stage('prod');
    for (const [, group] of resourcesOfType(json, 'AWS::CodeDeploy::DeploymentGroup')) {
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
    }
  });
});

describe('dev stage from the same app', () => {
  itMeetsTheCommonRequirements(() => synthesis.stage('dev'));

  it('keeps its own table, secrets and names apart from prod', () => {
    const dev = synthesis.stage('dev').json;
    const prod = synthesis.stage('prod').json;
    const names = (json: typeof dev, type: string, key: string) =>
      resourcesOfType(json, type).map(([, r]) => r.Properties[key] as string);
    expect(names(dev, 'AWS::DynamoDB::Table', 'TableName')).toEqual(['cart-checkout-dev']);
    const devSecrets = names(dev, 'AWS::SecretsManager::Secret', 'Name');
    for (const name of names(prod, 'AWS::SecretsManager::Secret', 'Name'))
      expect(devSecrets).not.toContain(name);
    expect(devSecrets.every((n) => n.startsWith('cart-checkout-dev/'))).toBe(true);
  });
});
