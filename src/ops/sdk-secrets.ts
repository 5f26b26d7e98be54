import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretResolver } from '../config';

/**
 * Secrets Manager for operator commands on a workstation: the official SDK, for its whole
 * credential chain (profiles, SSO, the region of `~/.aws/config`). The functions read their
 * secrets through `src/adapters/secrets-manager.ts`, which knows only a function's credentials.
 */
export function createSdkSecretResolver(): { readonly resolve: SecretResolver; destroy(): void } {
  const client = new SecretsManagerClient({});
  return {
    async resolve(arn) {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
      if (!SecretString) throw new Error('the secret has no string value');
      return SecretString.trim();
    },
    destroy: () => client.destroy(),
  };
}
