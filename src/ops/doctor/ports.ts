import type { DescribeTableCommand, DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import type Stripe from 'stripe';
import type { Catalog } from '../../domain/catalog';

/** What doctor knows of a stage from its stage file (the CLI maps the file onto this). */
export interface DoctorStage {
  readonly stage: string;
  readonly region: string;
  /** The CloudFormation stack, `CartCheckout-<stage>`. */
  readonly stackName: string;
  readonly tableName: string;
  readonly allowedOrigins: readonly string[];
  readonly successUrl: string;
  readonly cancelUrl: string;
  /** Which Stripe keys the stage takes. */
  readonly stripeMode: 'live' | 'test';
  readonly signingKeyId: string;
  readonly allowSampleCatalog: boolean;
  /**
   * The API's public base URL when it is not the stack's `ApiUrl` (a custom domain): the webhook
   * endpoint and CORS are checked there.
   */
  readonly publicApiUrl?: string | undefined;
  readonly notifier:
    | { readonly kind: 'log' }
    | {
        readonly kind: 'ses';
        readonly from: string;
        readonly to: readonly string[];
        readonly identity: string;
      };
  /** Secret names in Secrets Manager, by what they hold. */
  readonly secrets: {
    readonly stripeSecretKey: string;
    readonly stripeWebhookSecret: string;
    readonly quoteSigningKeys: string;
  };
}

/** A deployed CloudFormation stack as doctor needs it: its status and outputs. */
export interface StackState {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** CloudFormation, read-only. `null`: no such stack in the stage's region. */
export interface StackPort {
  describe(stackName: string): Promise<StackState | null>;
}

/** A secret as read from Secrets Manager; the value never leaves the check that reads it. */
export type SecretRead =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Secrets Manager, read-only. */
export interface SecretsPort {
  read(secretName: string): Promise<SecretRead>;
}

/** An SES identity (domain or address) in the stage's region. */
export type EmailIdentityState =
  | { readonly exists: false }
  | { readonly exists: true; readonly verifiedForSending: boolean; readonly status: string };

/** SES (v2), read-only. */
export interface EmailPort {
  identity(identity: string): Promise<EmailIdentityState>;
  /** Whether the account left the SES sandbox in this region, and may send at all. */
  account(): Promise<{ readonly productionAccess: boolean; readonly sendingEnabled: boolean }>;
}

/** The parts of the Stripe SDK doctor calls, all reads. */
export interface DoctorStripe {
  readonly balance: Pick<Stripe['balance'], 'retrieve'>;
  readonly webhookEndpoints: Pick<Stripe['webhookEndpoints'], 'list'>;
  readonly prices: Pick<Stripe['prices'], 'retrieve'>;
}

/** The DynamoDB client, only to describe the table. */
export interface DoctorDynamo {
  send(command: DescribeTableCommand): Promise<DescribeTableCommandOutput>;
}

/** Everything doctor reads through: AWS behind ports, Stripe and DynamoDB through their SDKs. */
export interface DoctorDeps {
  readonly stacks: StackPort;
  readonly secrets: SecretsPort;
  readonly email: EmailPort;
  readonly dynamo: DoctorDynamo;
  /** A Stripe client for the stage's own key (read from its secret). */
  readonly stripeFor: (secretKey: string) => DoctorStripe;
  readonly fetch: typeof fetch;
  /** The catalog the functions were deployed with (this checkout's `catalog/catalog.json`). */
  readonly catalog: Catalog;
  /** The Stripe API version the code pins (`Stripe.API_VERSION`): webhook events should be rendered in it. */
  readonly stripeApiVersion: string;
}

/** One check's outcome. `fix` says what to do, whenever the status is not `pass`. */
export interface CheckResult {
  readonly id: string;
  readonly status: 'pass' | 'warn' | 'fail' | 'skip';
  readonly summary: string;
  readonly fix?: string | undefined;
}
