import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmIdByName, itMeetsTheCommonRequirements, resourcesOfType } from './support/common-requirements';
import { type Synthesis, stageConfig, synthesize } from './support/synth';

const EXISTING = {
  mode: 'existing',
  restApiId: 'a2fps4r1la',
  rootResourceId: 'r00tres0ur',
  restApiName: 'shop-forms',
  stageName: 'commerce',
} as const;

// The plan's existing REST API extended with the routes, and SES notifications switched on.
let synthesis: Synthesis;
beforeAll(() => {
  synthesis = synthesize([
    stageConfig('prod', {
      api: EXISTING,
      environment: { COUPON_FALLBACK: 'none', SHIPPING_COUNTRIES: 'US,CA' },
      // Opted in for one function; the others reserve nothing.
      functions: { 'stripe-webhook': { reservedConcurrency: 5 } },
      notifier: {
        kind: 'ses',
        from: 'orders@shop.example.com',
        to: ['owner@shop.example.com', 'packing@shop.example.com'],
        identity: 'shop.example.com',
      },
    }),
  ]);
});
afterAll(() => synthesis?.cleanup());

describe('prod stage extending the existing REST API a2fps4r1la', () => {
  itMeetsTheCommonRequirements(() => synthesis.stage('prod'));

  it('adds the routes under the existing root resource instead of creating an API', () => {
    const { json } = synthesis.stage('prod');
    expect(resourcesOfType(json, 'AWS::ApiGateway::RestApi')).toEqual([]);
    const resources = resourcesOfType(json, 'AWS::ApiGateway::Resource');
    expect(resources.length).toBeGreaterThan(0);
    for (const [, r] of resources) expect(r.Properties.RestApiId).toBe(EXISTING.restApiId);
    const topLevel = resources.filter(([, r]) => r.Properties.ParentId === EXISTING.rootResourceId);
    expect(topLevel.map(([, r]) => r.Properties.PathPart).sort()).toEqual([
      'cart',
      'catalog',
      'checkout',
      'stripe',
    ]);
    for (const [, m] of resourcesOfType(json, 'AWS::ApiGateway::Method')) {
      expect(m.Properties.RestApiId).toBe(EXISTING.restApiId);
    }
  });

  it('leaves the existing API’s gateway answers alone (they would change every route of it)', () => {
    const { json } = synthesis.stage('prod');
    expect(resourcesOfType(json, 'AWS::ApiGateway::GatewayResponse')).toEqual([]);
  });

  it('publishes through a deployment and stage of its own that wait for every method', () => {
    const { json } = synthesis.stage('prod');
    const deployments = resourcesOfType(json, 'AWS::ApiGateway::Deployment');
    expect(deployments).toHaveLength(1);
    const [deploymentId, deployment] = deployments[0]!;
    expect(deployment.Properties.RestApiId).toBe(EXISTING.restApiId);
    const methodIds = resourcesOfType(json, 'AWS::ApiGateway::Method').map(([id]) => id);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(methodIds));
    const [, stage] = resourcesOfType(json, 'AWS::ApiGateway::Stage')[0]!;
    expect(stage.Properties).toMatchObject({
      RestApiId: EXISTING.restApiId,
      StageName: EXISTING.stageName,
      DeploymentId: { Ref: deploymentId },
    });
  });

  it('lets API Gateway invoke the aliases only from this API', () => {
    const { json } = synthesis.stage('prod');
    // (The notification retry's schedule has its own permission: see the common requirements.)
    const permissions = resourcesOfType(json, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal !== 'events.amazonaws.com',
    );
    expect(permissions.length).toBeGreaterThan(0);
    for (const [, p] of permissions) {
      expect(p.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(p.Properties.SourceArn)).toContain(`:${EXISTING.restApiId}/`);
      expect(JSON.stringify(p.Properties.FunctionName)).toContain('Live');
    }
  });

  it('associates WAF with the new stage and watches the API by its name', () => {
    const { json } = synthesis.stage('prod');
    const [, association] = resourcesOfType(json, 'AWS::WAFv2::WebACLAssociation')[0]!;
    const [stageId] = resourcesOfType(json, 'AWS::ApiGateway::Stage')[0]!;
    expect(JSON.stringify(association.Properties.ResourceArn)).toContain(
      `/restapis/${EXISTING.restApiId}/stages/",{"Ref":"${stageId}"}`,
    );
    const alarm = json.Resources[alarmIdByName(json, 'cart-checkout-prod-api-5xx')]!.Properties;
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ApiName', Value: EXISTING.restApiName },
        { Name: 'Stage', Value: { Ref: stageId } },
      ]),
    );
  });

  it('passes the SES sender, the recipients and the extra handler settings to the functions', () => {
    const { json } = synthesis.stage('prod');
    for (const [, fn] of resourcesOfType(json, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        NOTIFIER: 'ses',
        NOTIFY_FROM: 'orders@shop.example.com',
        NOTIFY_TO: 'owner@shop.example.com,packing@shop.example.com',
        COUPON_FALLBACK: 'none',
        SHIPPING_COUNTRIES: 'US,CA',
      });
    }
  });
});
