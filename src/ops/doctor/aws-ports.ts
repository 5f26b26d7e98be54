import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailPort, SecretsPort, StackPort } from './ports';

function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

/** CloudFormation's DescribeStacks: a missing stack is `null` (AWS answers it with a ValidationError). */
export function createCloudFormationStacks(region: string): StackPort & { destroy(): void } {
  const client = new CloudFormationClient({ region });
  return {
    async describe(stackName) {
      try {
        const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
        const stack = Stacks?.[0];
        if (!stack) return null;
        const outputs: Record<string, string> = {};
        for (const output of stack.Outputs ?? []) {
          if (output.OutputKey && output.OutputValue !== undefined)
            outputs[output.OutputKey] = output.OutputValue;
        }
        return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
      } catch (err: unknown) {
        if (nameOf(err) === 'ValidationError' && /does not exist/.test((err as Error).message)) return null;
        throw err;
      }
    },
    destroy: () => client.destroy(),
  };
}

/** Secrets Manager's GetSecretValue by name; the value goes only to the check that asked. */
export function createSecretsManagerSecrets(region: string): SecretsPort & { destroy(): void } {
  const client = new SecretsManagerClient({ region });
  return {
    async read(secretName) {
      try {
        const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
        if (SecretString === undefined) return { kind: 'unreadable', reason: 'it has no string value' };
        return { kind: 'value', value: SecretString };
      } catch (err: unknown) {
        if (nameOf(err) === 'ResourceNotFoundException') return { kind: 'missing' };
        return { kind: 'unreadable', reason: nameOf(err) || 'error' };
      }
    },
    destroy: () => client.destroy(),
  };
}

/** SES v2: an identity's verification, and the account's sandbox and sending state in the region. */
export function createSesEmail(region: string): EmailPort & { destroy(): void } {
  const client = new SESv2Client({ region });
  return {
    async identity(identity) {
      try {
        const found = await client.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
        return {
          exists: true,
          verifiedForSending: found.VerifiedForSendingStatus === true,
          status: found.VerificationStatus ?? 'UNKNOWN',
        };
      } catch (err: unknown) {
        if (nameOf(err) === 'NotFoundException') return { exists: false };
        throw err;
      }
    },
    async account() {
      const account = await client.send(new GetAccountCommand({}));
      return {
        productionAccess: account.ProductionAccessEnabled === true,
        sendingEnabled: account.SendingEnabled !== false,
      };
    },
    destroy: () => client.destroy(),
  };
}
