import { shipToLines } from '../adapters/notify/order-text';
import { matchesFilter, type OrderFilter, paymentStateOf, problemsOf } from '../app/order-fulfilment';
import type { OrderLife, OrderLifeStore } from '../app/order-life-ports';
import { type Currency, formatMoney } from '../domain/money';
import { carrierTrackingUrl } from '../domain/shipping';
import { DAY_SECONDS } from '../domain/time';
import { formatTextTable } from './text-table';

/** The days a list or export covers: `days` UTC days ending with `date` (`YYYY-MM-DD`), oldest first. */
export function daysEnding(date: string, days: number): string[] {
  const end = Date.parse(`${date}T00:00:00Z`) / 1000;
  return Array.from({ length: days }, (_, i) =>
    new Date((end - (days - 1 - i) * DAY_SECONDS) * 1000).toISOString().slice(0, 10),
  );
}

/** How many day partitions are read at once. */
const DAY_READS_AT_ONCE = 8;

/**
 * The orders of `days` that pass `filter`, oldest first, and the keys of items that could not be
 * read back (listed, never hiding the others). One query per day, a few days at a time.
 */
export async function listOrderLives(
  store: Pick<OrderLifeStore, 'listOrders'>,
  days: readonly string[],
  filter: OrderFilter,
): Promise<{ orders: OrderLife[]; unreadable: string[] }> {
  const results: { orders: OrderLife[]; unreadable: string[] }[] = [];
  for (let i = 0; i < days.length; i += DAY_READS_AT_ONCE) {
    const batch = days.slice(i, i + DAY_READS_AT_ONCE);
    results.push(
      ...(await Promise.all(
        batch.map(async (day) => {
          const listed = await store.listOrders(day);
          return { orders: [...listed.orders], unreadable: [...listed.unreadable] };
        }),
      )),
    );
  }
  return {
    orders: results.flatMap((r) => r.orders).filter((life) => matchesFilter(life, filter)),
    unreadable: results.flatMap((r) => r.unreadable),
  };
}

/** An order as `--json` shows it: the order, its payment, its fulfilment and its problems. */
export function orderJson(life: OrderLife) {
  const shipment = life.shipment;
  return {
    ...life.order,
    payment: {
      state: paymentStateOf(life),
      amountRefunded: life.payment?.amountRefunded ?? 0,
      refunds: life.payment?.refunds ?? [],
      dispute: life.payment?.dispute ?? null,
      history: life.history,
    },
    fulfilment: shipment
      ? {
          status: 'shipped' as const,
          carrier: shipment.carrier,
          tracking: shipment.tracking,
          trackingUrl: carrierTrackingUrl(shipment.carrier, shipment.tracking),
          shippedAt: new Date(shipment.shippedAt * 1000).toISOString(),
          confirmationSent: life.shipMailedVersion >= shipment.version,
        }
      : { status: 'unshipped' as const },
    problems: problemsOf(life),
  };
}

const money = (amount: number, currency: string) => formatMoney(amount, currency as Currency);

function shipTo(life: OrderLife): string {
  const { order } = life;
  const address = order.shippingAddress;
  if (!address) return '-';
  return [order.customerName, address.line1, address.city, address.postal_code, address.country]
    .filter(Boolean)
    .join(', ');
}

/** `paid`, `partially_refunded (-$10.00)`, `disputed (needs_response, evidence by 2026-12-05)`. */
function paymentCell(life: OrderLife): string {
  const state = paymentStateOf(life);
  const refunded = life.payment?.amountRefunded ?? 0;
  const dispute = life.payment?.dispute ?? null;
  const notes = [
    ...(refunded > 0 ? [`-${money(refunded, life.order.currency)}`] : []),
    ...(dispute
      ? [
          `dispute ${dispute.status}${
            dispute.evidenceDueBy === null
              ? ''
              : `, evidence by ${new Date(dispute.evidenceDueBy * 1000).toISOString().slice(0, 10)}`
          }`,
        ]
      : []),
  ];
  return notes.length > 0 ? `${state} (${notes.join('; ')})` : state;
}

/** A fixed-width table of orders for the terminal. */
export function formatOrderLivesTable(orders: readonly OrderLife[], emptyText: string): string {
  if (orders.length === 0) return `${emptyText}\n`;
  const rows = orders.map((life) => {
    const o = life.order;
    const problems = problemsOf(life);
    return [
      `${o.paidAt.slice(5, 10)} ${o.paidAt.slice(11, 16)}`,
      o.sessionId,
      o.customerEmail ?? '-',
      o.lines.map((l) => `${l.quantity}× ${l.sku}`).join(', '),
      `${money(o.amountTotal, o.currency)}${o.code ? ` (code ${o.code})` : ''}`,
      paymentCell(life),
      life.shipment ? `shipped${life.shipment.tracking ? ` ${life.shipment.tracking}` : ''}` : '-',
      shipTo(life),
      problems.length > 0 ? `CHECK: ${problems.join(', ')}` : '',
    ];
  });
  return formatTextTable(
    ['paid (UTC)', 'session', 'email', 'items', 'total', 'payment', 'shipped', 'ship to', 'problems'],
    rows,
  );
}

/** One CSV field: quoted when it holds a comma, quote or line break; formula starts neutralised. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  // A spreadsheet would run a cell starting with = + - @ as a formula (a name typed at checkout).
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_COLUMNS = [
  'paid_at',
  'session_id',
  'payment',
  'amount_total',
  'amount_refunded',
  'currency',
  'code',
  'code_discount',
  'fulfilment',
  'carrier',
  'tracking',
  'customer_name',
  'email',
  'address_line1',
  'address_line2',
  'city',
  'state',
  'postal_code',
  'country',
  'items',
  'problems',
] as const;

/**
 * The orders as CSV (RFC 4180, CRLF line ends) for spreadsheets and label printing: one row per
 * order, amounts in the currency's major unit, the address in its own columns.
 */
export function ordersCsv(orders: readonly OrderLife[]): string {
  const decimal = (amount: number) => (amount / 100).toFixed(2);
  const rows = orders.map((life) => {
    const o = life.order;
    const a = o.shippingAddress ?? {};
    return [
      o.paidAt,
      o.sessionId,
      paymentStateOf(life),
      decimal(o.amountTotal),
      decimal(life.payment?.amountRefunded ?? 0),
      o.currency.toUpperCase(),
      o.code ?? null,
      o.code ? decimal(o.codeDiscount) : null,
      life.shipment ? 'shipped' : 'unshipped',
      life.shipment?.carrier ?? null,
      life.shipment?.tracking ?? null,
      o.customerName,
      o.customerEmail,
      a.line1 ?? null,
      a.line2 ?? null,
      a.city ?? null,
      a.state ?? null,
      a.postal_code ?? null,
      a.country ?? null,
      o.lines.map((l) => `${l.quantity} x ${l.sku}`).join('; '),
      problemsOf(life).join('; '),
    ].map(csvField);
  });
  return [CSV_COLUMNS.join(','), ...rows.map((r) => r.join(','))].map((line) => `${line}\r\n`).join('');
}

/** A packing slip to print and put in the parcel's pick tray: address, items to tick, warnings. */
export function formatPackingSlip(life: OrderLife): string {
  const o = life.order;
  const address = o.shippingAddress;
  const problems = problemsOf(life);
  const lines = [
    `PACKING SLIP — order ${o.sessionId.slice(-10)}`,
    `Session: ${o.sessionId}`,
    `Paid: ${o.paidAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    ...(problems.length > 0
      ? [
          `!! CHECK BEFORE PACKING: ${problems.join(', ')} (payment ${paymentCell(life)})`,
          ...(life.payment?.dispute?.evidenceDueBy
            ? [
                `!! Dispute evidence due ${new Date(life.payment.dispute.evidenceDueBy * 1000).toISOString().slice(0, 10)}`,
              ]
            : []),
          '',
        ]
      : []),
    'Ship to:',
    ...(address ? shipToLines(o).map((l) => `  ${l}`) : ['  (no shipping address collected)']),
    '',
    "Items (size and colour are part of each item's name and SKU):",
    ...o.lines.map((l) => `  [ ] ${String(l.quantity).padStart(3)} × ${l.name}   (${l.sku})`),
    '',
    `Items: ${o.lines.reduce((n, l) => n + l.quantity, 0)}`,
    ...(life.shipment
      ? [
          '',
          `Shipped ${new Date(life.shipment.shippedAt * 1000).toISOString().slice(0, 10)}${life.shipment.carrier ? ` with ${life.shipment.carrier.toUpperCase()}` : ''}${life.shipment.tracking ? ` (${life.shipment.tracking})` : ''}`,
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}
