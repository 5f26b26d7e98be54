import type {
  GetSecretValueCommand as GetSecretValueCommandType,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretResolver } from '../config';

let sdk:
  | Promise<{ client: SecretsManagerClient; GetSecretValueCommand: typeof GetSecretValueCommandType }>
  | undefined;

/**
 * Reads a secret's string from AWS Secrets Manager. The SDK is loaded on the first call only, so a
 * process whose secrets are pinned in its environment (tests, the local stack) never loads it, and
 * one client serves every secret of a cold start (one connection set-up, not one per secret).
 */
export const resolveSecretsManagerValue: SecretResolver = async (arn) => {
  sdk ??= import('@aws-sdk/client-secrets-manager')
    .then(({ SecretsManagerClient, GetSecretValueCommand }) => ({
      client: new SecretsManagerClient({
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
      }),
      GetSecretValueCommand,
    }))
    .catch((err: unknown) => {
      sdk = undefined; // a failed load is not cached: the next cold-start step tries again
      throw err;
    });
  const { client, GetSecretValueCommand } = await sdk;
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error('the secret has no string value');
  return SecretString.trim();
};
