import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import featureFlags from '../feature-flags.json' with { type: 'json' };
import { CommerceStack } from './commerce-stack';
import type { HandlerSpec } from './handlers';
import type { StageConfig } from './stage-config';
import { stackIdFor } from './stage-location';

export interface BuildAppOptions {
  readonly configs: readonly StageConfig[];
  readonly projectRoot: string;
  /** Cloud assembly folder; the CDK CLI's `CDK_OUTDIR` or `cdk.out` when unset. */
  readonly outdir?: string;
  /** Which handlers to deploy; by default all of them (each must have its entry file). */
  readonly handlers?: readonly HandlerSpec[];
}

/**
 * Builds the CDK app with one stack per stage and the cdk-nag AwsSolutions checks registered, so
 * that synthesis fails on any finding that is neither fixed nor acknowledged with a reason.
 */
export function buildApp(options: BuildAppOptions): { app: App; stacks: CommerceStack[] } {
  // The feature flags CDK recommended when this app was written, frozen in a file: the templates do
  // not change when aws-cdk-lib is upgraded, and tests synthesize with exactly what deploys.
  const app = new App({ context: featureFlags, ...(options.outdir ? { outdir: options.outdir } : {}) });
  const stacks = options.configs.map(
    (config) =>
      new CommerceStack(app, stackIdFor(config.stage), {
        config,
        projectRoot: options.projectRoot,
        env: { region: config.region, ...(config.account ? { account: config.account } : {}) },
        description: `Cart & checkout API, stage ${config.stage}`,
        ...(options.handlers ? { handlers: options.handlers } : {}),
      }),
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
}
