import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { OrderMail } from '../../app/order-life-ports';
import { doNotShipSubject, formatDoNotShip, formatShipped, shippedSubject } from './order-life-text';

/**
 * The mails of an order's life through Amazon SES (v2 API), from the shop's verified identity: the
 * "do not ship" alert to the operator's addresses, the shipping confirmation to the customer (which
 * needs SES production access: in the sandbox SES sends only to verified addresses).
 */
export function createSesOrderMail(options: {
  readonly from: string;
  readonly operator: readonly string[];
  readonly client?: Pick<SESv2Client, 'send'>;
}): OrderMail {
  const client =
    options.client ??
    new SESv2Client({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } });
  async function send(to: readonly string[], subject: string, text: string) {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: options.from,
        Destination: { ToAddresses: [...to] },
        Content: {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: { Text: { Data: text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
  }
  return {
    async sendDoNotShip(alert) {
      await send(options.operator, doNotShipSubject(alert), formatDoNotShip(alert));
    },
    async sendShipped(notice) {
      if (!notice.order.customerEmail) return;
      await send([notice.order.customerEmail], shippedSubject(notice), formatShipped(notice));
    },
  };
}
