import type { SecretResolver } from '../config';

/**
 * Reads a secret's string from AWS Secrets Manager. The SDK client is loaded on the first call
 * only, so a process whose secrets are pinned in its environment (tests, the local stack) never
 * loads it.
 */
export const resolveSecretsManagerValue: SecretResolver = async (arn) => {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ maxAttempts: 3 });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('the secret has no string value');
    return SecretString.trim();
  } finally {
    client.destroy();
  }
};
