import type { Notifier } from '../../app/ports';
import { type AwsJsonClient, createAwsJsonClient } from '../aws/json-client';
import type { AwsCredentials } from '../aws/signature-v4';
import { formatOrderText, orderSubject } from './order-text';

/**
 * Emails each paid order to the operator through Amazon SES (v2 API, `SendEmail`), from a verified
 * identity, through the project's small AWS client (docs/decisions.md #183): the webhook's bundle
 * carries no SES SDK to load on every cold start.
 */
export function createSesNotifier(options: {
  readonly from: string;
  readonly to: readonly string[];
  /** An SES-compatible endpoint (tests); AWS's regional endpoint when unset. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: AwsCredentials;
}): Notifier {
  let client: AwsJsonClient | undefined;
  return {
    async notifyOrder(order) {
      // Bounded like every other call of the webhook, which must answer Stripe within 10 s.
      client ??= createAwsJsonClient({
        service: 'ses',
        endpointPrefix: 'email',
        endpoint: options.endpoint,
        region: options.region,
        credentials: options.credentials,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 2_000,
        maxAttempts: 2,
      });
      await client.rest('POST', '/v2/email/outbound-emails', {
        FromEmailAddress: options.from,
        Destination: { ToAddresses: [...options.to] },
        Content: {
          Simple: {
            Subject: { Data: orderSubject(order), Charset: 'UTF-8' },
            Body: { Text: { Data: formatOrderText(order), Charset: 'UTF-8' } },
          },
        },
      });
    },
  };
}
