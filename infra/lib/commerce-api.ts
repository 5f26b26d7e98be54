import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  CfnAccount,
  Deployment,
  EndpointType,
  type IResource,
  type IRestApi,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  MockIntegration,
  PassthroughBehavior,
  ResponseType,
  RestApi,
  Stage,
  type StageOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HandlerSpec } from './handlers';
import type { StageConfig } from './stage-config';

export interface ApiRoute {
  readonly spec: HandlerSpec;
  /** What API Gateway invokes: the function's `live` alias. */
  readonly target: IFunction;
}

export interface CommerceApiProps {
  readonly config: StageConfig;
  readonly routes: readonly ApiRoute[];
  readonly logRetention: RetentionDays;
}

/**
 * One JSON object per request. Deliberately without the caller's IP address (no raw IPs in logs);
 * WAF's sampled requests show addresses when an incident needs them.
 */
export const ACCESS_LOG_FORMAT = `{${[
  '"requestId":"$context.requestId"',
  '"time":"$context.requestTime"',
  '"method":"$context.httpMethod"',
  '"resource":"$context.resourcePath"',
  '"status":"$context.status"',
  '"responseLength":"$context.responseLength"',
  '"responseLatency":"$context.responseLatency"',
  '"integrationStatus":"$context.integrationStatus"',
  '"integrationLatency":"$context.integrationLatency"',
  '"wafResponseCode":"$context.wafResponseCode"',
  '"error":$context.error.messageString',
  '"userAgent":"$context.identity.userAgent"',
].join(',')}}`;

/**
 * Answers API Gateway gives itself, before any handler runs (throttling, WAF, unknown paths, a
 * crashed or timed-out function), in the error contract, so a storefront reads `rate_limited`
 * rather than an opaque failure. Each: the status (kept when absent), the contract code, a message.
 */
export const GATEWAY_ERRORS: readonly {
  readonly type: ResponseType;
  readonly status?: string;
  readonly code: string;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}[] = [
  {
    type: ResponseType.THROTTLED,
    status: '429',
    code: 'rate_limited',
    message: 'Too many requests; try again in a moment.',
    headers: { 'Retry-After': "'1'" },
  },
  {
    type: ResponseType.WAF_FILTERED,
    status: '403',
    code: 'request_blocked',
    message: 'The request was blocked by the firewall.',
  },
  // API Gateway's answer to a path or method it has no route for.
  {
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: '404',
    code: 'not_found',
    message: 'No such route.',
  },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    status: '413',
    code: 'payload_too_large',
    message: 'The request body is too large.',
  },
  { type: ResponseType.DEFAULT_4XX, code: 'bad_request', message: 'The request could not be accepted.' },
  { type: ResponseType.DEFAULT_5XX, code: 'internal_error', message: 'Something went wrong; try again.' },
];

/** The contract body of a gateway answer (a mapping template: `$context.requestId` is filled in). */
export function gatewayErrorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message }, requestId: '$context.requestId' });
}

/**
 * The REST API routes, in one of two modes: a REST API of its own, or new resources on an existing
 * REST API (the plan's `a2fps4r1la`) published through a stage this stack owns, so that its
 * throttling, logging and WAF never change the existing API's other stages. Browser routes get a
 * CORS preflight answering only the configured origins.
 */
export class CommerceApi extends Construct {
  readonly api: IRestApi;
  readonly stage: Stage;
  readonly methods: Method[] = [];
  /** The resources of the routes; their methods (the CORS preflights too) are their children. */
  private readonly routeResources: IResource[] = [];
  /** The base URL clients call, ending in `/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CommerceApiProps) {
    super(scope, id);
    const { config } = props;

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const account = this.configureAccountLogging();

    const stageOptions: StageOptions = {
      stageName: config.api.stageName,
      throttlingRateLimit: config.throttle.rateLimit,
      throttlingBurstLimit: config.throttle.burstLimit,
      methodOptions: {
        // Stripe retries in bursts after an outage; its own figures keep it from starving (or
        // being starved by) the storefront's traffic.
        '/stripe/webhook/POST': {
          throttlingRateLimit: config.throttle.webhook.rateLimit,
          throttlingBurstLimit: config.throttle.webhook.burstLimit,
        },
      },
      // ERROR, not INFO, and no data trace: execution logs must not hold bodies, emails or IPs.
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      // Per-method detailed metrics cost ~$0.30 each a month (dozens here); the alarms use the
      // stage's own 4XX/5XX metrics, which are free.
      metricsEnabled: false,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
    };

    if (config.api.mode === 'create') {
      const api = new RestApi(this, 'Api', {
        restApiName: `cart-checkout-${config.stage}`,
        description: 'Cart & checkout API (quotes, Stripe Checkout sessions, Stripe webhook)',
        endpointConfiguration: { types: [EndpointType.REGIONAL] },
        cloudWatchRole: false,
        deployOptions: stageOptions,
      });
      this.api = api;
      this.addRoutes(api.root, props);
      this.addGatewayErrors(api);
      this.stage = api.deploymentStage;
    } else {
      const api = RestApi.fromRestApiAttributes(this, 'Api', {
        restApiId: config.api.restApiId,
        rootResourceId: config.api.rootResourceId,
        restApiName: config.api.restApiName,
      });
      this.api = api;
      this.addRoutes(api.root, props);
      // An imported API does not redeploy itself when methods change: the deployment's logical id
      // carries the routes, so a changed route set makes a new deployment.
      const deployment = new Deployment(this, 'Deployment', {
        api,
        description: `cart-checkout ${config.stage}`,
      });
      deployment.addToLogicalId({
        routes: props.routes.map((r) => `${r.spec.route.method} ${r.spec.route.path} ${r.spec.browser}`),
        origins: config.allowedOrigins,
      });
      for (const resource of this.routeResources) deployment.node.addDependency(resource);
      this.stage = new Stage(this, 'Stage', { deployment, ...stageOptions });
    }
    // Execution logging is refused until the account's logging role is set.
    this.stage.node.addDependency(account);
    this.url = `https://${this.api.restApiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${config.api.stageName}/`;

    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Each handler validates its request with a schema and answers in the API error contract (validation_error with details); an API Gateway validator would answer in a different shape.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'A public storefront API: guests price carts and start checkout without an account. The webhook is authenticated by the Stripe signature the handler verifies. Abuse is bounded by WAF, throttling and per-IP rate limits.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'No user pool: guest checkout has no users to authenticate (see APIG4).',
      },
    );
  }

  /**
   * Gateway answers in the error contract, readable by the storefront: API Gateway cannot check
   * the allowlist here, so these answers (a fixed message and the request id, never data or
   * credentials) allow the calling origin. Only on an API of our own: on an existing API they would
   * change every other route's answers too.
   */
  private addGatewayErrors(api: RestApi): void {
    for (const { type, status, code, message, headers } of GATEWAY_ERRORS) {
      api.addGatewayResponse(`Gateway${type.responseType}`, {
        type,
        ...(status ? { statusCode: status } : {}),
        responseHeaders: {
          'Access-Control-Allow-Origin': 'method.request.header.Origin',
          'Access-Control-Expose-Headers': "'Retry-After'",
          Vary: "'Origin'",
          'Cache-Control': "'no-store'",
          ...headers,
        },
        templates: { 'application/json': gatewayErrorBody(code, message) },
      });
    }
  }

  private addRoutes(root: RestApi['root'], props: CommerceApiProps): void {
    for (const { spec, target } of props.routes) {
      const resource = root.resourceForPath(spec.route.path);
      this.routeResources.push(resource);
      if (spec.browser) addPreflight(resource, spec.route.method, props.config.allowedOrigins);
      this.methods.push(resource.addMethod(spec.route.method, new LambdaIntegration(target)));
    }
  }

  /**
   * Execution logging needs the account-wide API Gateway CloudWatch role. Setting it again is
   * harmless; it is retained on stack deletion because other APIs in the account may rely on it.
   */
  private configureAccountLogging(): CfnAccount {
    const role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level logging role needs to create log groups named after APIs it does not know in advance; AWS's managed policy is the documented minimum.",
    });
    return account;
  }
}

/** How long browsers may cache a preflight answer; the handlers' own preflight says the same. */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * Answers `OPTIONS` in API Gateway (no Lambda invocation) for an exact-match allowlist: an allowed
 * origin gets `Access-Control-Allow-Origin` naming it; any other origin gets none, so its browser
 * refuses the call. (CDK's `addCorsPreflight` would answer other origins with the first allowed
 * origin, which browsers also refuse, but which names the shop's origin to anyone who asks.)
 */
function addPreflight(resource: IResource, method: string, allowedOrigins: readonly string[]): void {
  const staticHeaders: Record<string, string> = {
    'method.response.header.Access-Control-Allow-Methods': `'${method},OPTIONS'`,
    'method.response.header.Access-Control-Allow-Headers': "'Content-Type'",
    'method.response.header.Access-Control-Max-Age': `'${PREFLIGHT_MAX_AGE_SECONDS}'`,
    'method.response.header.Vary': "'Origin'",
  };
  const condition = allowedOrigins.map((origin) => `$origin == "${origin}"`).join(' || ');
  const template = [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
    `#if(${condition})`,
    '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    '#end',
  ].join('\n');
  resource.addMethod(
    'OPTIONS',
    new MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 204}' },
      passthroughBehavior: PassthroughBehavior.NEVER,
      integrationResponses: [
        {
          statusCode: '204',
          responseParameters: staticHeaders,
          responseTemplates: { 'application/json': template },
        },
      ],
    }),
    {
      methodResponses: [
        {
          statusCode: '204',
          responseParameters: Object.fromEntries(
            [...Object.keys(staticHeaders), 'method.response.header.Access-Control-Allow-Origin'].map((h) => [
              h,
              true,
            ]),
          ),
        },
      ],
    },
  );
}
