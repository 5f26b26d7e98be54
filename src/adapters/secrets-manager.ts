import type { SecretResolver } from '../config';
import { type AwsJsonClient, createAwsJsonClient } from './aws/json-client';
import type { AwsCredentials } from './aws/signature-v4';

/**
 * Reads secrets' strings from AWS Secrets Manager (`GetSecretValue`) through the project's small
 * AWS JSON client (docs/decisions.md #183): a cold start that reads its secrets pays a few
 * milliseconds for the client, not the SDK's tens. One client serves every secret of a process
 * (one connection), made on the first read, so a process whose secrets are pinned in its
 * environment (tests, the local stack) never makes it.
 */
export function createSecretsManagerResolver(
  options: {
    readonly endpoint?: string;
    readonly region?: string;
    readonly credentials?: AwsCredentials;
  } = {},
): SecretResolver {
  let client: AwsJsonClient | undefined;
  return async (arn) => {
    client ??= createAwsJsonClient({
      service: 'secretsmanager',
      json: { targetPrefix: 'secretsmanager', version: '1.1' },
      endpoint: options.endpoint,
      region: options.region,
      credentials: options.credentials,
      connectTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
      maxAttempts: 3,
    });
    const { SecretString } = await client.call('GetSecretValue', { SecretId: arn });
    if (typeof SecretString !== 'string' || !SecretString) throw new Error('the secret has no string value');
    return SecretString.trim();
  };
}

/** The functions' resolver: Secrets Manager in the function's region, with the function's role. */
export const resolveSecretsManagerValue: SecretResolver = createSecretsManagerResolver();
