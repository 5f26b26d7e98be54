import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets the local stack generates on its first run and keeps under `DATA_DIR`. */
export interface DevSecrets {
  readonly quoteSigningKeys: string;
  readonly quoteSigningKeyId: string;
  readonly stripeWebhookSecret: string;
}

/**
 * Reads the dev secrets from `<dataDir>/dev-secrets.json`, generating them on first use (file mode
 * 0600). They are for the laptop only; production secrets live in Secrets Manager.
 */
export function loadOrCreateDevSecrets(dataDir: string): { secrets: DevSecrets; created: boolean } {
  const file = join(dataDir, 'dev-secrets.json');
  if (existsSync(file))
    return { secrets: JSON.parse(readFileSync(file, 'utf8')) as DevSecrets, created: false };
  mkdirSync(dataDir, { recursive: true });
  const secrets = createDevSecrets();
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return { secrets, created: true };
}

/** Fresh random dev secrets. */
export function createDevSecrets(): DevSecrets {
  return {
    quoteSigningKeyId: 'dev1',
    quoteSigningKeys: `dev1:${randomBytes(32).toString('base64')}`,
    stripeWebhookSecret: `whsec_${randomBytes(24).toString('hex')}`,
  };
}
