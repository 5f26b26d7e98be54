import { type AwsJsonClient, createAwsJsonClient } from '../aws/json-client';
import type { AwsCredentials } from '../aws/signature-v4';

/** Where and as whom mail is sent: the function's region and role unless told. */
export interface SesAccess {
  /** An SES-compatible endpoint (tests); AWS's regional endpoint when unset. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** The environment's (a function's role) unless given (an operator's, from the SDK's chain). */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>) | undefined;
}

/** Sends plain-text e-mail through Amazon SES (v2 `SendEmail`). */
export interface SesSender {
  send(mail: {
    readonly from: string;
    readonly to: readonly string[];
    readonly subject: string;
    readonly text: string;
  }): Promise<void>;
}

/**
 * An SES sender on the project's small AWS client (docs/decisions.md #183), bounded like every other
 * call of the webhook, which must answer Stripe within 10 s: two attempts, short connection and
 * request timeouts. The client is made on the first mail, so a function that sends none never makes it.
 */
export function createSesSender(access: SesAccess = {}): SesSender {
  let client: AwsJsonClient | undefined;
  return {
    async send(mail) {
      client ??= createAwsJsonClient({
        service: 'ses',
        endpointPrefix: 'email',
        endpoint: access.endpoint,
        region: access.region,
        credentials: access.credentials,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 2_000,
        maxAttempts: 2,
      });
      await client.rest('POST', '/v2/email/outbound-emails', {
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: [...mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
          },
        },
      });
    },
  };
}
