import { join, resolve } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type Stripe from 'stripe';
import { secretNameOf } from '../infra/lib/handlers';
import { LOCAL_STRIPE_KEY } from '../local/stack';
import { createStripeClient } from '../src/adapters/stripe/stripe-client';
import type { NotifierConfig } from '../src/config';
import { maskEmail } from '../src/domain/email';
import { type OperatorAws, operatorAws } from '../src/ops/operator-table';
import type { TablePlace } from './open-table';

/**
 * What `orders ship` and `orders refund` need beyond the table, for the place the table is: the
 * mailer's settings (the stage's SES sender, the local outbox) and the Stripe client refunds go through.
 */
export interface OrderLifeAccess {
  readonly mail: NotifierConfig;
  /** Where the mail goes, for people. */
  readonly mailDescription: string;
  /** The region and credentials SES mail is sent with: the operator's (read only when mail goes by SES). */
  mailAws(): Promise<OperatorAws>;
  /** The Stripe client (read only when a refund needs it). */
  stripe(): Promise<Stripe>;
}

export function orderLifeAccess(place: TablePlace): OrderLifeAccess {
  const mail = mailOf(place);
  return {
    mail,
    mailDescription: describeMail(mail),
    mailAws: () => operatorAws(place.kind === 'stage' ? place.config.region : process.env.AWS_REGION),
    stripe: () => stripeOf(place),
  };
}

function mailOf(place: TablePlace): NotifierConfig {
  switch (place.kind) {
    case 'stage': {
      const notifier = place.config.notifier;
      return notifier.kind === 'ses'
        ? { kind: 'ses', from: notifier.from, to: notifier.to }
        : { kind: 'log' };
    }
    case 'aws':
      return mailFromEnv({ kind: 'log' });
    case 'local':
      return mailFromEnv({
        kind: 'outbox',
        dir: resolve(process.env.OUTBOX_DIR ?? join(place.dataDir, 'outbox')),
      });
  }
}

/** Mail settings from NOTIFIER / OUTBOX_DIR / NOTIFY_FROM / NOTIFY_TO, or `fallback`. */
function mailFromEnv(fallback: NotifierConfig): NotifierConfig {
  const kind = process.env.NOTIFIER;
  if (kind === 'log') return { kind };
  if (kind === 'outbox') {
    return { kind, dir: resolve(process.env.OUTBOX_DIR ?? join(process.env.DATA_DIR ?? '.data', 'outbox')) };
  }
  if (kind === 'ses') {
    const from = process.env.NOTIFY_FROM;
    const to = (process.env.NOTIFY_TO ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    if (!from || to.length === 0) throw new Error('NOTIFIER=ses needs NOTIFY_FROM and NOTIFY_TO');
    return { kind, from, to };
  }
  return fallback;
}

function describeMail(config: NotifierConfig): string {
  switch (config.kind) {
    case 'log':
      return 'logged only: no mailer is configured';
    case 'outbox':
      return `written to ${config.dir}`;
    case 'ses':
      return `by SES from ${maskEmail(config.from)}`;
  }
}

function cliStripe(secretKey: string, apiBase: string | undefined): Stripe {
  return createStripeClient({ secretKey, apiBase, timeoutMs: 20_000, maxNetworkRetries: 2 });
}

/** STRIPE_SECRET_KEY (and STRIPE_API_BASE) win; else the stage's key, or the local stack's emulator. */
async function stripeOf(place: TablePlace): Promise<Stripe> {
  const key = process.env.STRIPE_SECRET_KEY;
  if (key) return cliStripe(key, process.env.STRIPE_API_BASE);
  switch (place.kind) {
    case 'stage': {
      // The stage's own key, read with the operator's credentials in the stage's region.
      const name = secretNameOf(place.stage, 'stripeSecretKey');
      const secrets = new SecretsManagerClient({ region: place.config.region });
      try {
        const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
        if (!SecretString) throw new Error(`the secret ${name} has no value`);
        return cliStripe(SecretString.trim(), undefined);
      } finally {
        secrets.destroy();
      }
    }
    case 'aws':
      throw new Error('--aws refunds need STRIPE_SECRET_KEY (or use --stage <name>)');
    case 'local':
      if (!place.stripeUrl) {
        throw new Error(
          "a local refund goes through the local stack's Stripe emulator: start it with npm start",
        );
      }
      return cliStripe(LOCAL_STRIPE_KEY, place.stripeUrl);
  }
}
