import path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type ILambdaApplication,
  type ILambdaDeploymentConfig,
  LambdaDeploymentGroup,
} from 'aws-cdk-lib/aws-codedeploy';
import { type ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { AlarmSpec } from './alarms';
import { nodejsBundlingOptions } from './bundling';
import { type HandlerSpec, SECRET_ENV, type SecretName } from './handlers';

/** Every handler runs on this runtime: the newest Node.js Lambda offers (20 is deprecated). */
export const HANDLER_RUNTIME = Runtime.NODEJS_24_X;
/** Name of the alias API Gateway invokes; CodeDeploy shifts it between versions. */
export const LIVE_ALIAS = 'live';

/**
 * What the functions do to the commerce table: single-item reads and writes and key-only queries.
 * No Scan, no batches, no transactions (docs/architecture.md), so none is granted. A test
 * compares this list with the commands the runtime code sends.
 */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:TransactWriteItems',
] as const;

/**
 * The same operations as CloudWatch names them (the `Operation` dimension of `ThrottledRequests`),
 * derived from {@link TABLE_ACTIONS} so the throttle alarm watches every call the functions can make.
 */
export const TABLE_OPERATIONS: Operation[] = TABLE_ACTIONS.map((action) => {
  const name = action.slice('dynamodb:'.length);
  const operation = Object.values(Operation).find((op) => op === name);
  if (!operation) throw new Error(`${action} has no CloudWatch operation`);
  return operation;
});

export interface CommerceFunctionProps {
  readonly spec: HandlerSpec;
  readonly projectRoot: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly table: ITable;
  readonly secrets: Readonly<Record<SecretName, ISecret>>;
  /** The SES identity ARN the function may send as, when it notifies through SES. */
  readonly sesIdentityArn: string | undefined;
  readonly logRetention: RetentionDays;
  readonly application: ILambdaApplication;
  readonly deploymentConfig: ILambdaDeploymentConfig;
  readonly addAlarm: (spec: AlarmSpec) => Alarm;
}

/**
 * One handler as deployed: a bundled `NodejsFunction` with its own role and log group, published
 * behind the `live` alias that CodeDeploy moves gradually and rolls back when the function's error
 * alarm fires. The role can touch only the commerce table (if the handler uses it), the secrets
 * the handler reads, and its own log group.
 */
export class CommerceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly alias: Alias;
  readonly errorAlarm: Alarm;
  readonly throttleAlarm: Alarm;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: CommerceFunctionProps) {
    super(scope, id);
    const { spec } = props;

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${spec.name} handler`,
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group in the account): this one only.
    logGroup.grantWrite(this.role);

    const secretEnvironment: Record<string, string> = {};
    for (const name of spec.secrets) {
      const secret = props.secrets[name];
      secretEnvironment[SECRET_ENV[name]] = secret.secretArn;
      this.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secret.secretArn],
        }),
      );
    }
    if (spec.usesTable) {
      this.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...(spec.tableActions ?? TABLE_ACTIONS)],
          resources: [props.table.tableArn],
        }),
      );
    }
    if (spec.notifies && props.sesIdentityArn) {
      this.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ses:SendEmail'],
          resources: [props.sesIdentityArn],
        }),
      );
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, spec.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      description: spec.description,
      runtime: HANDLER_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      // None unless the stage reserves some (see HandlerSpec.reservedConcurrency).
      ...(spec.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: spec.reservedConcurrency }
        : {}),
      role: this.role,
      logGroup,
      environment: { ...props.environment, ...secretEnvironment },
      bundling: nodejsBundlingOptions(),
    });

    this.alias = new Alias(this, 'Live', {
      aliasName: LIVE_ALIAS,
      version: this.function.currentVersion,
    });

    this.errorAlarm = props.addAlarm({
      id: `${spec.name}-errors`,
      metric: this.alias.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 1,
      description: `The ${spec.name} function failed (crash, timeout or init error); during a rollout this rolls the new version back.`,
    });
    this.throttleAlarm = props.addAlarm({
      id: `${spec.name}-throttles`,
      metric: this.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      description:
        spec.reservedConcurrency !== undefined
          ? `The ${spec.name} function hit its reserved concurrency of ${spec.reservedConcurrency} and refused invocations.`
          : `The ${spec.name} function was throttled: the account's concurrent executions were used up and Lambda refused invocations.`,
    });

    const deploymentGroup = new LambdaDeploymentGroup(this, 'Rollout', {
      application: props.application,
      alias: this.alias,
      deploymentConfig: props.deploymentConfig,
      alarms: [this.errorAlarm],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    Validations.of(deploymentGroup).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        "AWS's own minimal policy for CodeDeploy shifting Lambda aliases; writing it out by hand would only drift from it.",
    });
  }
}
