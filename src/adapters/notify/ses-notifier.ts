import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Notifier } from '../../app/ports';
import { formatOrderText, orderSubject } from './order-text';

/** Emails each paid order to the operator through Amazon SES (v2 API), from a verified identity. */
export function createSesNotifier(options: {
  readonly from: string;
  readonly to: readonly string[];
  readonly client?: Pick<SESv2Client, 'send'>;
}): Notifier {
  // Bounded like every other call of the webhook, which must answer Stripe within 10 s.
  const client =
    options.client ??
    new SESv2Client({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } });
  return {
    async notifyOrder(order) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [...options.to] },
          Content: {
            Simple: {
              Subject: { Data: orderSubject(order), Charset: 'UTF-8' },
              Body: { Text: { Data: formatOrderText(order), Charset: 'UTF-8' } },
            },
          },
        }),
      );
    },
  };
}
