import type { OrderProblem, OrderRecord } from '../../app/ports';
import { type Currency, formatMoney } from '../../domain/money';

const PROBLEM_TEXT: Record<OrderProblem, string> = {
  amount_mismatch:
    'Stripe charged another amount or currency than this checkout was quoted for. Compare the payment in the Stripe Dashboard with the items below before packing.',
  short_stock:
    'Some items were sold beyond the stock on hand (a backorder, or a stock correction while the checkout held them). Check the shelf before promising a ship date; `npm run stock -- list` shows the counts.',
};

const money = (amount: number, currency: string) => formatMoney(amount, currency as Currency);

/** Subject line of an order notification. */
export function orderSubject(order: OrderRecord): string {
  const flag = order.problems.length > 0 ? 'CHECK BEFORE SHIPPING — ' : '';
  return `${flag}New order ${money(order.amountTotal, order.currency)} — ${order.sessionId.slice(-10)}`;
}

/** A plain-text order sheet for the person packing it: lines, totals, customer and address. */
export function formatOrderText(order: OrderRecord): string {
  const address = order.shippingAddress;
  const lines = [
    ...order.problems.map((problem) => `CHECK BEFORE SHIPPING: ${PROBLEM_TEXT[problem]}`),
    ...(order.problems.length > 0 ? [''] : []),
    `Paid order ${order.sessionId}`,
    `Paid at: ${order.paidAt} (${order.paymentStatus})`,
    '',
    'Items:',
    ...order.lines.map(
      (l) =>
        `  ${String(l.quantity).padStart(3)} × ${l.sku.padEnd(20)} ${l.name}  ${money(l.total, order.currency)}`,
    ),
    '',
    `Subtotal: ${money(order.amountSubtotal, order.currency)}`,
    `Bundle discount: -${money(order.amountDiscount, order.currency)}`,
    `Shipping: ${money(order.amountShipping, order.currency)}`,
    `Tax: ${money(order.amountTax, order.currency)}`,
    `Total charged: ${money(order.amountTotal, order.currency)}`,
    '',
    `Customer: ${order.customerName ?? '(no name)'} <${order.customerEmail ?? 'no email'}>`,
    'Ship to:',
    ...(address ? shipToLines(order).map((l) => `  ${l}`) : ['  (no shipping address collected)']),
  ];
  return `${lines.join('\n')}\n`;
}

/** The lines of an order's shipping address as a label has them (name, street, city, country). */
export function shipToLines(order: Pick<OrderRecord, 'customerName' | 'shippingAddress'>): string[] {
  const address = order.shippingAddress;
  if (!address) return [];
  return [
    order.customerName ?? '',
    address.line1 ?? '',
    address.line2 ?? '',
    [address.city, address.state, address.postal_code].filter(Boolean).join(', '),
    address.country ?? '',
  ].filter(Boolean);
}
