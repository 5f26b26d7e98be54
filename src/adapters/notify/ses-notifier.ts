import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Notifier } from '../../app/ports';
import { formatOrderText, orderSubject } from './order-text';
import { boundedSesClient, sendTextEmail } from './ses-send';

/** Emails each paid order to the operator through Amazon SES (v2 API), from a verified identity. */
export function createSesNotifier(options: {
  readonly from: string;
  readonly to: readonly string[];
  readonly client?: Pick<SESv2Client, 'send'>;
}): Notifier {
  const client = options.client ?? boundedSesClient();
  return {
    async notifyOrder(order) {
      await sendTextEmail(client, {
        from: options.from,
        to: options.to,
        subject: orderSubject(order),
        text: formatOrderText(order),
      });
    },
  };
}
