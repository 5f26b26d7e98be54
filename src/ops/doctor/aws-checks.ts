import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { maskEmail } from '../../domain/email';
import { parseSigningKeys } from '../../domain/quote-signature';
import type { CheckResult, DoctorDeps, DoctorStage, StackState } from './ports';

/** The stack's random placeholder (32 letters and digits) until the operator sets a secret. */
const PLACEHOLDER_PATTERN = /^[A-Za-z0-9]{32}$/;
const STRIPE_KEY_PATTERN = /^(sk|rk)_(live|test)_[A-Za-z0-9]{8,}$/;
const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/=]{8,}$/;

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : String(err);
}

/** The stack exists in the stage's region, finished its last change, and has an API. */
export async function checkStack(
  stage: DoctorStage,
  deps: Pick<DoctorDeps, 'stacks'>,
): Promise<{ result: CheckResult; stack: StackState | null }> {
  const deploy = `npx cdk deploy ${stage.stackName} -c stage=${stage.stage} (docs/deploy.md, step 5)`;
  let stack: StackState | null;
  try {
    stack = await deps.stacks.describe(stage.stackName);
  } catch (err: unknown) {
    return {
      stack: null,
      result: {
        id: 'stack',
        status: 'fail',
        summary: `could not read CloudFormation in ${stage.region} (${errorName(err)})`,
        fix: 'check your AWS credentials (aws sts get-caller-identity) and that they may call cloudformation:DescribeStacks',
      },
    };
  }
  if (!stack) {
    return {
      stack: null,
      result: {
        id: 'stack',
        status: 'fail',
        summary: `no stack ${stage.stackName} in ${stage.region}`,
        fix: `deploy it: ${deploy}; deployed elsewhere? the stage file's region is ${stage.region}`,
      },
    };
  }
  if (/FAILED|ROLLBACK/.test(stack.status) && stack.status !== 'UPDATE_ROLLBACK_COMPLETE') {
    return {
      stack,
      result: {
        id: 'stack',
        status: 'fail',
        summary: `${stage.stackName} is ${stack.status}`,
        fix: `read the stack's events in the CloudFormation console (${stage.region}), fix the cause, then ${deploy}`,
      },
    };
  }
  if (!stack.outputs.ApiUrl) {
    return {
      stack,
      result: {
        id: 'stack',
        status: 'fail',
        summary: `${stage.stackName} has no API (no ApiUrl output)`,
        fix: `deploy from a checkout with the handlers in src/handlers/: ${deploy}`,
      },
    };
  }
  const rolledBack = stack.status === 'UPDATE_ROLLBACK_COMPLETE';
  return {
    stack,
    result: {
      id: 'stack',
      status: rolledBack || stack.status.endsWith('_IN_PROGRESS') ? 'warn' : 'pass',
      summary: `${stage.stackName} is ${stack.status}; API ${stack.outputs.ApiUrl}`,
      fix: rolledBack
        ? 'the last deployment was rolled back (the previous version runs): see the stack events, fix, deploy again'
        : stack.status.endsWith('_IN_PROGRESS')
          ? 'a deployment is in progress: run doctor again when it has finished'
          : undefined,
    },
  };
}

/** The commerce table exists under the stage's name, is active and keyed PK/SK. */
export async function checkTable(stage: DoctorStage, deps: Pick<DoctorDeps, 'dynamo'>): Promise<CheckResult> {
  try {
    const { Table } = await deps.dynamo.send(new DescribeTableCommand({ TableName: stage.tableName }));
    const keys = (Table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
    if (keys !== 'PK:HASH,SK:RANGE') {
      return {
        id: 'table',
        status: 'fail',
        summary: `table ${stage.tableName} is keyed ${keys || 'unknown'}, not PK/SK`,
        fix: 'tableName names a table this stack does not own: pick another name in the stage file and deploy',
      };
    }
    const status = Table?.TableStatus ?? 'UNKNOWN';
    return {
      id: 'table',
      status: status === 'ACTIVE' ? 'pass' : 'warn',
      summary: `table ${stage.tableName} is ${status}`,
      fix: status === 'ACTIVE' ? undefined : 'wait for it to become ACTIVE, then run doctor again',
    };
  } catch (err: unknown) {
    const missing = errorName(err) === 'ResourceNotFoundException';
    return {
      id: 'table',
      status: 'fail',
      summary: missing
        ? `no table ${stage.tableName} in ${stage.region}`
        : `could not describe table ${stage.tableName} (${errorName(err)})`,
      fix: missing
        ? `the stack creates it: npx cdk deploy ${stage.stackName} -c stage=${stage.stage}`
        : 'check that your credentials may call dynamodb:DescribeTable in the stage region',
    };
  }
}

/** The command that stores a secret's value, typed at a prompt, in the stage's region. */
function putSecretCommand(stage: DoctorStage, name: string, prompt: string): string {
  return (
    `read -rs -p '${prompt}: ' VALUE; echo; aws secretsmanager put-secret-value --region ${stage.region} ` +
    `--secret-id ${name} --secret-string "$VALUE"; unset VALUE — then bump secretsRevision in the stage file and deploy`
  );
}

type SecretKind = keyof DoctorStage['secrets'];

const SECRET_LABELS: Readonly<Record<SecretKind, string>> = {
  stripeSecretKey: 'Stripe secret key',
  stripeWebhookSecret: 'Stripe webhook signing secret',
  quoteSigningKeys: 'quote-signing keys',
};

/**
 * The three secrets exist and hold values of the right shape: a Stripe key of the stage's mode,
 * a `whsec_…` signing secret, and quote-signing keys that include the stage's signing key id. Values
 * are never reported; `keys.stripeSecretKey` is handed to the Stripe checks when it is usable.
 */
export async function checkSecrets(
  stage: DoctorStage,
  deps: Pick<DoctorDeps, 'secrets'>,
): Promise<{ results: CheckResult[]; stripeSecretKey: string | null }> {
  const results: CheckResult[] = [];
  let stripeSecretKey: string | null = null;
  for (const kind of Object.keys(stage.secrets) as SecretKind[]) {
    const name = stage.secrets[kind];
    const id = `secret ${name.slice(name.indexOf('/') + 1)}`;
    const set =
      kind === 'quoteSigningKeys'
        ? `aws secretsmanager put-secret-value --region ${stage.region} --secret-id ${name} ` +
          `--secret-string "${stage.signingKeyId}:$(openssl rand -base64 32)" — then bump secretsRevision and ` +
          'deploy (replacing a key in use breaks open quotes: rotate as docs/deploy.md says)'
        : putSecretCommand(stage, name, SECRET_LABELS[kind]);
    let read: Awaited<ReturnType<DoctorDeps['secrets']['read']>>;
    try {
      read = await deps.secrets.read(name);
    } catch (err: unknown) {
      read = { kind: 'unreadable', reason: errorName(err) };
    }
    if (read.kind === 'missing') {
      results.push({
        id,
        status: 'fail',
        summary: `${name} does not exist in ${stage.region}`,
        fix: `deploy the stack, then ${set}`,
      });
      continue;
    }
    if (read.kind === 'unreadable') {
      results.push({
        id,
        status: 'fail',
        summary: `could not read ${name} (${read.reason})`,
        fix: 'check that your credentials may call secretsmanager:GetSecretValue on it',
      });
      continue;
    }
    const problem = secretProblem(kind, read.value.trim(), stage);
    if (problem) {
      results.push({
        id,
        status: 'fail',
        summary: problem,
        fix:
          kind === 'stripeWebhookSecret'
            ? `copy the endpoint's signing secret from Stripe (Developers → Webhooks → the endpoint), then ${set}`
            : set,
      });
      continue;
    }
    if (kind === 'stripeSecretKey') stripeSecretKey = read.value.trim();
    results.push({ id, status: 'pass', summary: `${name}: a well-formed ${SECRET_LABELS[kind]}` });
  }
  return { results, stripeSecretKey };
}

function secretProblem(kind: SecretKind, value: string, stage: DoctorStage): string | null {
  if (PLACEHOLDER_PATTERN.test(value)) return 'still holds the placeholder the stack created';
  switch (kind) {
    case 'stripeSecretKey': {
      const match = STRIPE_KEY_PATTERN.exec(value);
      if (!match) return 'is not a Stripe secret key (sk_live_…, rk_live_…, sk_test_… or rk_test_…)';
      if (match[2] !== stage.stripeMode) {
        return `holds a ${match[2]}-mode key, but the stage takes ${stage.stripeMode} keys (stripe.mode)`;
      }
      return null;
    }
    case 'stripeWebhookSecret':
      return WEBHOOK_SECRET_PATTERN.test(value) ? null : 'is not a webhook signing secret (whsec_…)';
    case 'quoteSigningKeys':
      try {
        parseSigningKeys(value, stage.signingKeyId);
        return null;
      } catch (err: unknown) {
        // The parser's messages name the variables and key ids, never the secret bytes.
        return err instanceof Error ? err.message : 'cannot be parsed';
      }
  }
}

/**
 * SES can send the order emails: the sender's identity is verified in the stage's region, and
 * outside the sandbox (or, inside it, every recipient is verified too).
 */
export async function checkEmail(
  stage: DoctorStage,
  deps: Pick<DoctorDeps, 'email'>,
): Promise<CheckResult[]> {
  if (stage.notifier.kind !== 'ses') {
    return [{ id: 'ses', status: 'skip', summary: 'paid orders are logged, not emailed (notifier: log)' }];
  }
  const { to } = stage.notifier;
  // An identity may be an address: shown masked, like every email this system prints.
  const identity = stage.notifier.identity.includes('@')
    ? maskEmail(stage.notifier.identity)
    : stage.notifier.identity;
  const verifyIdentity = `verify ${identity} in the SES console of ${stage.region} (Configuration → Identities; for a domain, add the DKIM records it shows to your DNS)`;
  try {
    const state = await deps.email.identity(stage.notifier.identity);
    const account = await deps.email.account();
    const results: CheckResult[] = [];
    if (!state.exists) {
      results.push({
        id: 'ses identity',
        status: 'fail',
        summary: `${identity} is not an SES identity in ${stage.region}`,
        fix: verifyIdentity,
      });
    } else if (!state.verifiedForSending) {
      results.push({
        id: 'ses identity',
        status: 'fail',
        summary: `${identity} is not verified for sending in ${stage.region} (${state.status})`,
        fix: verifyIdentity,
      });
    } else {
      results.push({
        id: 'ses identity',
        status: 'pass',
        summary: `${identity} is verified for sending in ${stage.region}`,
      });
    }
    if (!account.sendingEnabled) {
      results.push({
        id: 'ses account',
        status: 'fail',
        summary: `sending is paused for this account in ${stage.region}`,
        fix: 'see the SES console’s account dashboard for why (bounces, complaints) and ask AWS to resume it',
      });
    } else if (account.productionAccess) {
      results.push({
        id: 'ses account',
        status: 'pass',
        summary: `out of the SES sandbox in ${stage.region}`,
      });
    } else {
      const unverified: string[] = [];
      for (const address of to) {
        const recipient = await deps.email.identity(address);
        if (!recipient.exists || !recipient.verifiedForSending) unverified.push(address);
      }
      results.push({
        id: 'ses account',
        status: unverified.length > 0 ? 'fail' : 'warn',
        summary:
          unverified.length > 0
            ? `in the SES sandbox in ${stage.region}: mail to ${unverified.length} unverified recipient(s) would be refused`
            : `in the SES sandbox in ${stage.region}: mail reaches verified addresses only`,
        fix:
          'request production access (SES console → Account dashboard → Request production access), ' +
          'or verify each recipient in notifier.to as an identity',
      });
    }
    return results;
  } catch (err: unknown) {
    return [
      {
        id: 'ses',
        status: 'fail',
        summary: `could not read SES in ${stage.region} (${errorName(err)})`,
        fix: 'check that your credentials may call ses:GetEmailIdentity and ses:GetAccount',
      },
    ];
  }
}
