import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createDynamoOrderLifeStore } from '../src/adapters/dynamodb/order-life-store';
import { createDynamoRefundAttemptStore } from '../src/adapters/dynamodb/refund-attempt-store';
import { createStripeRefunds } from '../src/adapters/stripe/refunds';
import {
  executeRefund,
  ORDER_FILTERS,
  type OrderFilter,
  planRefund,
  problemsOf,
  RefundOutcomeUnknownError,
  RefundRefusedError,
  shipOrder,
} from '../src/app/order-fulfilment';
import { type OrderLifeStore, REFUND_REASONS } from '../src/app/order-life-ports';
import { PaymentProviderError } from '../src/app/ports';
import { maskEmail } from '../src/domain/email';
import { type Currency, formatMoney } from '../src/domain/money';
import { normaliseCarrier, normaliseTracking } from '../src/domain/shipping';
import { createCliTelemetry } from '../src/ops/cli-telemetry';
import { showSession } from '../src/ops/orders';
import {
  daysEnding,
  formatOrderLivesTable,
  formatPackingSlip,
  listOrderLives,
  orderJson,
  ordersCsv,
} from '../src/ops/orders-life';
import { createOrderMail } from '../src/wiring/payments';
import { openTable, TABLE_OPTIONS, TABLE_USAGE } from './open-table';
import { type OrderLifeAccess, orderLifeAccess } from './order-life-access';

const USAGE = `Usage:
  npm run orders -- list [--status queue|shipped|refunded|disputed|all] [--date YYYY-MM-DD] [--days N] [--json]
  npm run orders -- show <sessionId> [--json]
  npm run orders -- ship <sessionId> [--carrier C --tracking T] [--force]
  npm run orders -- refund <sessionId> [--amount 12.50] [--reason requested_by_customer|duplicate|fraudulent] [--again] [--yes]
  npm run orders -- export --csv [--status …] [--date YYYY-MM-DD] [--days N]
  npm run orders -- slip <sessionId>
  (each also takes --stage <name> [--stages-dir <dir>] or --aws)

list: the packing queue by default (paid, not shipped, not refunded in full or disputed), over the
last 30 days (--days N), or N days ending --date (1 day when only --date is given).
ship: marks the order shipped and emails the customer once (a second ship with another carrier or
tracking updates it, keeping the one not given); refused for an order refunded (also in part),
disputed or with a lost dispute unless --force.
refund: refunds at Stripe (the whole remainder unless --amount, in dollars); asks to confirm unless
--yes. The refund is written down before Stripe is asked, so running the same command again after a
timeout or an error finishes that refund and never makes a second one; a second command for the
same order at the same time is refused. The same amount again within ten minutes of a refund needs
--again. A refund Stripe reported failed can be made again. The webhook records it on the order.

${TABLE_USAGE}
Without --stage, refund needs the local stack running (its Stripe emulator) and ship writes the
customer's mail to the outbox; with --stage, refund reads the stage's Stripe key from Secrets Manager
and ship mails through the stage's SES sender; with --aws, Stripe from STRIPE_SECRET_KEY and mail from
NOTIFIER/NOTIFY_FROM/NOTIFY_TO.`;

const COMMANDS = ['list', 'show', 'ship', 'refund', 'export', 'slip'] as const;
type Command = (typeof COMMANDS)[number];
const NEEDS_SESSION: ReadonlySet<Command> = new Set(['show', 'ship', 'refund', 'slip']);

/** A refusal of the command's input: printed as it is, exit code 2. */
class UsageError extends Error {}

/** `npm run orders`: the operator's packing queue, fulfilment and refunds. */
async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOrdersArgs>;
  try {
    parsed = parseOrdersArgs(argv);
  } catch (err: unknown) {
    // An unknown option or a missing value: a usage error like the others.
    console.error(`orders: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [name, sessionId] = positionals;
  const command = COMMANDS.find((c) => c === name);
  const expected = command && NEEDS_SESSION.has(command) ? 2 : 1;
  if (values.help || !command || positionals.length !== expected) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'export' && !values.csv) {
    console.error('orders export: say the format: --csv');
    return 2;
  }
  const table = await openTable('orders', values);
  const target: OpenTable = { ...table, ...orderLifeAccess(table.place) };
  const orders = createDynamoOrderLifeStore(target);
  try {
    switch (command) {
      case 'show': {
        const found = await showSession(target.client, target.tableName, String(sessionId));
        if (!found) {
          console.error(`No session ${sessionId} in ${target.tableName}.`);
          return 1;
        }
        const life = await orders.findOrder(String(sessionId));
        console.log(JSON.stringify({ ...found, order: life ? orderJson(life) : found.order }, null, 2));
        return 0;
      }
      case 'slip': {
        const life = await orders.findOrder(String(sessionId));
        if (!life) return noOrder(String(sessionId), target.tableName);
        process.stdout.write(formatPackingSlip(life));
        return 0;
      }
      case 'ship':
        return await ship(target, orders, String(sessionId), values);
      case 'refund':
        return await refund(target, orders, String(sessionId), values);
      case 'list':
      case 'export': {
        const filter = orderFilterOf(values.status);
        const { date, days } = dateRangeOf(values.date, values.days);
        const listed = await listOrderLives(orders, daysEnding(date, days), filter);
        for (const key of listed.unreadable)
          console.error(`orders: cannot read the order item ${key}; look at it`);
        if (command === 'export') process.stdout.write(ordersCsv(listed.orders));
        else if (values.json)
          process.stdout.write(`${JSON.stringify(listed.orders.map(orderJson), null, 2)}\n`);
        else {
          const empty = filter === 'queue' ? 'Nothing to pack.' : 'No orders.';
          process.stdout.write(formatOrderLivesTable(listed.orders, `${empty} (${days} day(s) to ${date})`));
        }
        return 0;
      }
    }
  } catch (err: unknown) {
    if (err instanceof UsageError) {
      console.error(`orders: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await target.close();
  }
}

function parseOrdersArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      date: { type: 'string' },
      days: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      carrier: { type: 'string' },
      tracking: { type: 'string' },
      force: { type: 'boolean', default: false },
      amount: { type: 'string' },
      reason: { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      again: { type: 'boolean', default: false },
      ...TABLE_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function noOrder(sessionId: string, tableName: string): number {
  console.error(`No paid order for session ${sessionId} in ${tableName}.`);
  return 1;
}

function orderFilterOf(status: string | undefined): OrderFilter {
  if (status === undefined) return 'queue';
  const filter = ORDER_FILTERS.find((f) => f === status);
  if (!filter) throw new UsageError(`--status must be one of ${ORDER_FILTERS.join(', ')} (got "${status}")`);
  return filter;
}

function dateRangeOf(dateOption: string | undefined, daysOption: string | undefined) {
  const date = dateOption ?? new Date().toISOString().slice(0, 10);
  // A day that exists: `2026-02-30` parses (as 2 March), so the day must read back as written.
  const parsed = Date.parse(`${date}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(parsed) ||
    new Date(parsed).toISOString().slice(0, 10) !== date
  ) {
    throw new UsageError(`--date must be a day of the calendar, YYYY-MM-DD (got "${date}")`);
  }
  const days = Number(daysOption ?? (dateOption ? 1 : 30));
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError('--days must be 1–366');
  return { date, days };
}

type Values = {
  carrier?: string | undefined;
  tracking?: string | undefined;
  force?: boolean | undefined;
  amount?: string | undefined;
  reason?: string | undefined;
  yes?: boolean | undefined;
  again?: boolean | undefined;
};

async function ship(
  target: OpenTable,
  orders: OrderLifeStore,
  sessionId: string,
  values: Values,
): Promise<number> {
  const carrier = values.carrier === undefined ? null : normaliseCarrier(values.carrier);
  const tracking = values.tracking === undefined ? null : normaliseTracking(values.tracking);
  if (values.carrier !== undefined && carrier === null)
    throw new UsageError('--carrier: letters, digits, spaces, . & - (up to 40)');
  if (values.tracking !== undefined && tracking === null) {
    throw new UsageError('--tracking: 4–40 letters, digits or dashes (spaces are dropped)');
  }
  const telemetry = createCliTelemetry();
  const mail = await createOrderMail(
    target.mail,
    telemetry,
    target.mail.kind === 'ses' ? await target.mailAws() : {},
  );
  const now = Math.floor(Date.now() / 1000);
  const result = await shipOrder(
    { orders, mail, telemetry },
    sessionId,
    { carrier, tracking, force: values.force ?? false },
    now,
  );
  switch (result.result) {
    case 'not_found':
      return noOrder(sessionId, target.tableName);
    case 'refused': {
      const problems = problemsOf(result.life);
      console.error(
        `Not shipped: order ${sessionId} is ${result.state} (${problems.join(', ')}). Look at it first ` +
          '(`npm run orders -- show`); ship it anyway with --force.',
      );
      return 1;
    }
    default: {
      const { shipment } = result;
      const what =
        [shipment.carrier?.toUpperCase(), shipment.tracking].filter(Boolean).join(' ') || 'no tracking';
      if (result.result === 'shipped') console.log(`Shipped ${sessionId} (${what}).`);
      else if (result.result === 'updated') {
        const before =
          [result.previous?.carrier?.toUpperCase(), result.previous?.tracking].filter(Boolean).join(' ') ||
          'no tracking';
        console.log(`Already shipped; tracking updated: ${before} → ${what}.`);
      } else console.log(`Already shipped (${what}); nothing changed.`);
      const to = result.customerEmail ? maskEmail(result.customerEmail) : null;
      const mailText: Record<typeof result.mail, string> = {
        sent: `Shipping confirmation sent to ${to} (${target.mailDescription}).`,
        nothing_owed: to
          ? 'The customer already has this shipping confirmation.'
          : 'The order has no customer email: no confirmation sent.',
        held: 'Another process is sending the shipping confirmation.',
        failed: 'The shipping confirmation could not be sent now; it is retried on schedule.',
      };
      console.log(mailText[result.mail]);
      return 0;
    }
  }
}

async function refund(
  target: OpenTable,
  orders: OrderLifeStore,
  sessionId: string,
  values: Values,
): Promise<number> {
  const amount = values.amount === undefined ? null : centsOf(values.amount);
  const reason = values.reason === undefined ? null : REFUND_REASONS.find((r) => r === values.reason);
  if (reason === undefined) throw new UsageError(`--reason must be one of ${REFUND_REASONS.join(', ')}`);
  const refunds = createStripeRefunds(await target.stripe());
  const deps = { orders, refunds, attempts: createDynamoRefundAttemptStore(target) };
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  try {
    const plan = await planRefund(
      deps,
      sessionId,
      { amount, reason, again: values.again ?? false },
      nowSeconds(),
    );
    const currency = plan.life.order.currency as Currency;
    const money = (minor: number) => formatMoney(minor, currency);
    if (plan.kind === 'made_earlier') return reportMadeEarlier(plan, money);
    const planned = plan.kind === 'new' ? plan.amount : plan.attempt.amount;
    const shown = `${money(planned)} of ${money(plan.life.order.amountTotal)}`;
    if (plan.kind === 'resume') {
      console.log(
        `A refund of ${money(planned)} of this order was started ${utcOf(plan.attempt.startedAt)} and Stripe never ` +
          'answered it; finishing that refund (it is made once, whatever happened to the earlier run).',
      );
    }
    if (!values.yes) {
      if (!process.stdin.isTTY)
        throw new UsageError('a refund needs confirming: run it in a terminal, or pass --yes');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`Refund ${shown} of order ${sessionId} to the customer? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        console.log('Not refunded.');
        return 1;
      }
    }
    const done = await executeRefund(deps, plan, nowSeconds());
    console.log(
      `Refund ${done.id} ${done.status}: ${money(done.amount)}. The order shows it once Stripe's event is processed.`,
    );
    return 0;
  } catch (err: unknown) {
    if (err instanceof RefundRefusedError) {
      console.error(`Not refunded: ${err.message}`);
      return 1;
    }
    if (err instanceof PaymentProviderError && err.kind === 'rejected') {
      console.error(`Stripe refused the refund: ${err.message}`);
      return 1;
    }
    if (err instanceof RefundOutcomeUnknownError) {
      const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
      console.error(
        `Stripe did not answer for certain whether it made the refund (${cause}). Run the same command ` +
          'again: it finds out at Stripe, and makes the refund only if it was not made.',
      );
      return 1;
    }
    throw err;
  }
}

/** An earlier run's refund that Stripe made though that run never heard the answer. */
function reportMadeEarlier(
  plan: Extract<Awaited<ReturnType<typeof planRefund>>, { kind: 'made_earlier' }>,
  money: (minor: number) => string,
): number {
  const { attempt, refund } = plan;
  const earlier = `The refund of ${money(refund.amount)} started ${utcOf(attempt.startedAt)} was made by Stripe (${refund.id}), though that run never heard so`;
  if (refund.status === 'failed' || refund.status === 'canceled') {
    console.error(
      `${earlier}; Stripe has since reported it ${refund.status}: the customer did not get the money. ` +
        'Run the command again to make a new refund.',
    );
    return 1;
  }
  if (plan.sameRequest) {
    console.log(
      `Refund ${refund.id} ${refund.status}: ${money(refund.amount)}. ${earlier}; nothing more refunded.`,
    );
    return 0;
  }
  console.error(
    `${earlier}. Nothing more refunded now: look at the order (npm run orders -- show ${attempt.sessionId}) ` +
      'and run the command again if another refund is wanted.',
  );
  return 1;
}

function utcOf(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `12.50` → 1250; whole cents only. */
function centsOf(amount: string): number {
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) throw new UsageError('--amount is in dollars, e.g. 12.50');
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (cents < 1) throw new UsageError('--amount must be more than zero');
  return cents;
}

/** The opened table with what ship and refund need for its place. */
type OpenTable = Awaited<ReturnType<typeof openTable>> & OrderLifeAccess;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`orders: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
