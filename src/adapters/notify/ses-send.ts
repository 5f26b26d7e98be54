import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

/**
 * An SES (v2) client bounded like every other call of the webhook, which must answer Stripe within
 * 10 s: two attempts, short connection and request timeouts.
 */
export function boundedSesClient(): SESv2Client {
  return new SESv2Client({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
}

/** Sends one plain-text e-mail from a verified identity. */
export async function sendTextEmail(
  client: Pick<SESv2Client, 'send'>,
  mail: {
    readonly from: string;
    readonly to: readonly string[];
    readonly subject: string;
    readonly text: string;
  },
): Promise<void> {
  await client.send(
    new SendEmailCommand({
      FromEmailAddress: mail.from,
      Destination: { ToAddresses: [...mail.to] },
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
        },
      },
    }),
  );
}
