import type { DoNotShipAlert, ShippedNotice } from '../../app/order-life-ports';
import type { OrderRecord } from '../../app/ports';
import { type Currency, formatMoney } from '../../domain/money';
import type { PaymentState } from '../../domain/payment-state';
import { shipToLines } from './order-text';

const money = (amount: number, currency: string) => formatMoney(amount, currency as Currency);

const STATE_TEXT: Readonly<Record<PaymentState, string>> = {
  paid: 'paid',
  partially_refunded: 'PARTIALLY REFUNDED',
  refunded: 'REFUNDED IN FULL',
  disputed: 'DISPUTED by the cardholder',
  dispute_won: 'dispute won (the money stays with the shop)',
  dispute_lost: 'DISPUTE LOST (the money went back to the cardholder)',
};

/** A day and time for people, in UTC (where the operator's other tools also are). */
function when(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Subject of the operator's alert: what happened, and to which order. */
export function doNotShipSubject(alert: DoNotShipAlert): string {
  const { order, change } = alert;
  return `DO NOT SHIP — order ${order.sessionId.slice(-10)} ${STATE_TEXT[change.state]}`;
}

/** The operator's alert: the change, what is refunded, the dispute's deadline, and the order. */
export function formatDoNotShip(alert: DoNotShipAlert): string {
  const { order, change, payment } = alert;
  const dispute = payment.dispute;
  const lines = [
    `DO NOT SHIP order ${order.sessionId} before looking at it.`,
    '',
    `Its payment is now: ${STATE_TEXT[change.state]} (Stripe event ${change.eventId ?? '-'}, ${when(change.at)}).`,
    `Charged: ${money(order.amountTotal, order.currency)}; refunded so far: ${money(change.amountRefunded, order.currency)}.`,
    ...(dispute && (change.state === 'disputed' || change.state === 'dispute_lost')
      ? [
          `Dispute ${dispute.id}: ${dispute.status}${dispute.reason ? `, reason "${dispute.reason}"` : ''}, ${money(dispute.amount, order.currency)}.`,
          dispute.evidenceDueBy !== null
            ? `Evidence due by ${when(dispute.evidenceDueBy)} — answer it in the Stripe Dashboard (Payments → Disputes).`
            : 'No evidence deadline given.',
        ]
      : []),
    '',
    'Partially refunded: pack only what was not refunded, or hold it and ask the customer.',
    'Refunded or disputed: keep the parcel. `npm run orders -- show <session>` has the details;',
    '`orders -- ship <session> --force` ships it anyway.',
    '',
    ...orderLines(order),
  ];
  return `${lines.join('\n')}\n`;
}

function orderLines(order: OrderRecord): string[] {
  return [
    `Paid at: ${order.paidAt}`,
    'Items:',
    ...order.lines.map((l) => `  ${String(l.quantity).padStart(3)} × ${l.sku.padEnd(20)} ${l.name}`),
    `Customer: ${order.customerName ?? '(no name)'}`,
  ];
}

/** Subject of the customer's shipping confirmation. */
export function shippedSubject(notice: ShippedNotice): string {
  return notice.shipment.version > 1 ? 'Your order: updated tracking' : 'Your order has shipped';
}

/** The customer's shipping confirmation: what was shipped, with which carrier, and where to track it. */
export function formatShipped(notice: ShippedNotice): string {
  const { order, shipment, trackingUrl } = notice;
  const address = order.shippingAddress;
  const lines = [
    `Hello${order.customerName ? ` ${order.customerName}` : ''},`,
    '',
    notice.shipment.version > 1
      ? 'The tracking of your order has changed; here is the current one.'
      : 'Your order is on its way.',
    '',
    ...(shipment.carrier ? [`Carrier: ${shipment.carrier.toUpperCase()}`] : []),
    ...(shipment.tracking ? [`Tracking number: ${shipment.tracking}`] : []),
    ...(trackingUrl ? [`Track it: ${trackingUrl}`] : []),
    '',
    'In the parcel:',
    ...order.lines.map((l) => `  ${l.quantity} × ${l.name}`),
    ...(address ? ['', 'Shipping to:', ...shipToLines(order).map((l) => `  ${l}`)] : []),
    '',
    `Order reference: ${order.sessionId.slice(-10)}`,
  ];
  return `${lines.join('\n')}\n`;
}
