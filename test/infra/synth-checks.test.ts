import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/lib/build-app';
import { resourcesOfType } from './support/common-requirements';
import { createFixtureProject, type FixtureProject } from './support/fixture-project';
import { type Synthesis, stageConfig, synthesize } from './support/synth';

describe('cdk-nag in the synth', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'infra-nag-'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('fails the synthesis on an AwsSolutions finding nobody acknowledged', () => {
    let project: FixtureProject | undefined;
    try {
      project = createFixtureProject([]);
      const { app, stacks } = buildApp({
        configs: [stageConfig('dev')],
        projectRoot: project.root,
        outdir,
        handlers: [],
      });
      // A table without point-in-time recovery: AwsSolutions-DDB3.
      new Table(stacks[0]!, 'Unprotected', { partitionKey: { name: 'id', type: AttributeType.STRING } });
      expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
    } finally {
      project?.remove();
    }
  });
});

describe('a stack that deploys only some handlers', () => {
  let synthesis: Synthesis;
  beforeAll(() => {
    synthesis = synthesize([stageConfig('dev')], ['cart-quote', 'catalog']);
  });
  afterAll(() => synthesis?.cleanup());

  it('deploys and routes only the handlers the stack names', () => {
    const { json } = synthesis.stage('dev');
    expect(resourcesOfType(json, 'AWS::Lambda::Function')).toHaveLength(2);
    const parts = resourcesOfType(json, 'AWS::ApiGateway::Resource')
      .map(([, r]) => r.Properties.PathPart)
      .sort();
    expect(parts).toEqual(['cart', 'catalog', 'quote']);
  });

  it('still watches the application metrics of the handlers to come', () => {
    const { json } = synthesis.stage('dev');
    const names = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining(['cart-checkout-dev-webhook-failed', 'cart-checkout-dev-coupon-fallback']),
    );
  });
});

describe('a project with no handler yet', () => {
  it('synthesizes the table, secrets and alarms without an API', () => {
    const synthesis = synthesize([stageConfig('dev')], []);
    try {
      const { json } = synthesis.stage('dev');
      expect(resourcesOfType(json, 'AWS::DynamoDB::Table')).toHaveLength(1);
      expect(resourcesOfType(json, 'AWS::ApiGateway::RestApi')).toEqual([]);
      expect(resourcesOfType(json, 'AWS::WAFv2::WebACL')).toEqual([]);
    } finally {
      synthesis.cleanup();
    }
  });
});
