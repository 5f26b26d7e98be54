import type { OrderMail } from '../../app/order-life-ports';
import { doNotShipSubject, formatDoNotShip, formatShipped, shippedSubject } from './order-life-text';
import { createSesSender, type SesAccess } from './ses-send';

/**
 * The mails of an order's life through Amazon SES (v2 API), from the shop's verified identity: the
 * "do not ship" alert to the operator's addresses, the shipping confirmation to the customer (which
 * needs SES production access: in the sandbox SES sends only to verified addresses).
 */
export function createSesOrderMail(
  options: { readonly from: string; readonly operator: readonly string[] } & SesAccess,
): OrderMail {
  const sender = createSesSender(options);
  return {
    async sendDoNotShip(alert) {
      await sender.send({
        from: options.from,
        to: options.operator,
        subject: doNotShipSubject(alert),
        text: formatDoNotShip(alert),
      });
    },
    async sendShipped(notice) {
      if (!notice.order.customerEmail) return;
      await sender.send({
        from: options.from,
        to: [notice.order.customerEmail],
        subject: shippedSubject(notice),
        text: formatShipped(notice),
      });
    },
  };
}
