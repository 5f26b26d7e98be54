import type { Notifier } from '../../app/ports';
import { formatOrderText, orderSubject } from './order-text';
import { createSesSender, type SesAccess } from './ses-send';

/** Emails each paid order to the operator through Amazon SES (v2 API), from a verified identity. */
export function createSesNotifier(
  options: { readonly from: string; readonly to: readonly string[] } & SesAccess,
): Notifier {
  const sender = createSesSender(options);
  return {
    async notifyOrder(order) {
      await sender.send({
        from: options.from,
        to: options.to,
        subject: orderSubject(order),
        text: formatOrderText(order),
      });
    },
  };
}
