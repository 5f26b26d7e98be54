import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { formatMoney } from '../../src/domain/money';
import { testDynamoEndpoint, uniqueTableName } from '../support/dynamo';
import { UNLIMITED_RATE_LIMITS } from '../support/env';
import { createRecordingTelemetry } from '../support/telemetry';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'orders-cli-'));
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    stripePort: 0,
    dynamoEndpoint: testDynamoEndpoint(),
    dataDir,
    env: { COMMERCE_TABLE: uniqueTableName('orders-cli'), ...UNLIMITED_RATE_LIMITS },
    telemetry: createRecordingTelemetry(),
  });
});
afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run orders -- …` against the running local stack (found through DATA_DIR). */
async function orders(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/orders.ts', ...args], {
      env: { ...process.env, DATA_DIR: dataDir, NOTIFIER: '' },
      cwd: process.cwd(),
    });
    return { code: 0, stdout, stderr };
  } catch (err: unknown) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function json(...args: string[]): Promise<Record<string, any>[]> {
  const result = await orders(...args, '--json');
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, any>[];
}

let cart = 0;
/** A paid order through the stack's HTTP API and its emulator, its events delivered. */
async function buy(email = 'cli.buyer@example.com'): Promise<{ sessionId: string; total: number }> {
  cart += 1;
  const origin = new URL(stack.url).origin;
  const items = [
    { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
    { sku: 'STICKER-HEART', quantity: cart },
  ];
  const post = (path: string, body: unknown) =>
    fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, any>>);
  const quoted = await post('/cart/quote', { items });
  const session = await post('/checkout/create-session', {
    items,
    quoteSignature: quoted.quoteSignature,
    email,
  });
  const paid = stack.stripe?.completeSession(String(session.sessionId), { email });
  await stack.stripe?.waitForDeliveries();
  return { sessionId: String(session.sessionId), total: Number(paid?.amount_total) };
}

async function settled() {
  await stack.stripe?.waitForDeliveries();
}

function outbox(sessionId: string): string[] {
  return readdirSync(join(dataDir, 'outbox')).filter((f) => f.includes(sessionId));
}

// Each command is a process of its own (tsx): minutes, not seconds, on a busy machine.
describe('npm run orders', { timeout: 240_000 }, () => {
  it('pay → refund half → ship refused → listed partially_refunded with its problem → refund the rest → out of the queue', async () => {
    const { sessionId, total } = await buy();
    const queue = await json('list');
    expect(queue.find((o) => o.sessionId === sessionId)).toMatchObject({
      payment: { state: 'paid' },
      fulfilment: { status: 'unshipped' },
      problems: [],
    });

    const half = Math.floor(total / 2);
    const refunded = await orders('refund', sessionId, '--amount', (half / 100).toFixed(2), '--yes');
    expect(refunded.code).toBe(0);
    expect(refunded.stdout).toMatch(/^Refund re_\w+ succeeded: \$/);
    await settled();

    const refused = await orders('ship', sessionId, '--carrier', 'usps', '--tracking', '9400 1118 9922 3344');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Not shipped: order ${sessionId} is partially_refunded (partially_refunded)`,
    );
    expect(refused.stderr).toContain('--force');

    const listed = (await json('list')).find((o) => o.sessionId === sessionId);
    expect(listed).toMatchObject({
      payment: { state: 'partially_refunded', amountRefunded: half },
      fulfilment: { status: 'unshipped' },
      problems: ['partially_refunded'],
    });
    expect(listed?.payment.history).toEqual([
      expect.objectContaining({ seq: 1, state: 'partially_refunded', amountRefunded: half, alert: true }),
    ]);
    expect((await orders('list')).stdout).toMatch(new RegExp(`${sessionId}.*CHECK: partially_refunded`));
    // The operator was told not to ship, once, by the webhook (the local outbox).
    expect(outbox(sessionId).filter((f) => f.includes('do-not-ship'))).toHaveLength(1);

    const rest = await orders('refund', sessionId, '--yes');
    expect(rest.code).toBe(0);
    await settled();
    expect((await json('list')).map((o) => o.sessionId)).not.toContain(sessionId);
    expect((await json('list', '--status', 'refunded')).find((o) => o.sessionId === sessionId)).toMatchObject(
      {
        payment: { state: 'refunded', amountRefunded: total },
        problems: ['refunded'],
      },
    );
    const shown = JSON.parse((await orders('show', sessionId)).stdout) as Record<string, any>;
    expect(shown.session).toMatchObject({ status: 'complete' });
    expect(shown.order.payment.history.map((h: { state: string }) => h.state)).toEqual([
      'partially_refunded',
      'refunded',
    ]);
    const again = await orders('refund', sessionId, '--yes');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('refunded in full already');
  });

  it('ships once with tracking (one confirmation mail), says so on a repeat, updates other tracking', async () => {
    const { sessionId } = await buy('ship.me@example.com');
    const first = await orders('ship', sessionId, '--carrier', 'UPS', '--tracking', '1z999aa10123456784');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Shipped ${sessionId} (UPS 1Z999AA10123456784).`);
    expect(first.stdout).toContain('Shipping confirmation sent to s***@example.com');
    const mails = outbox(sessionId).filter((f) => f.includes('.shipped-'));
    expect(mails).toHaveLength(1);
    const mail = readFileSync(join(dataDir, 'outbox', mails[0] ?? ''), 'utf8');
    expect(mail).toContain('To: ship.me@example.com');
    expect(mail).toContain('https://www.ups.com/track?tracknum=1Z999AA10123456784');

    const repeat = await orders('ship', sessionId, '--carrier', 'ups', '--tracking', '1Z999AA10123456784');
    expect(repeat.stdout).toContain('Already shipped (UPS 1Z999AA10123456784); nothing changed.');
    expect(outbox(sessionId).filter((f) => f.includes('.shipped-'))).toHaveLength(1);

    const updated = await orders(
      'ship',
      sessionId,
      '--carrier',
      'usps',
      '--tracking',
      '9400111899223344556677',
    );
    expect(updated.stdout).toContain(
      'tracking updated: UPS 1Z999AA10123456784 → USPS 9400111899223344556677',
    );
    expect(outbox(sessionId).filter((f) => f.includes('.shipped-'))).toHaveLength(2);

    expect((await json('list')).map((o) => o.sessionId)).not.toContain(sessionId);
    expect((await json('list', '--status', 'shipped')).find((o) => o.sessionId === sessionId)).toMatchObject({
      fulfilment: {
        status: 'shipped',
        carrier: 'usps',
        tracking: '9400111899223344556677',
        confirmationSent: true,
      },
    });
  });

  it('ships a disputed order only with --force; refuses bad input with a clear message', async () => {
    const { sessionId } = await buy();
    const paymentIntent = String(stack.stripe?.session(sessionId)?.payment_intent);
    stack.stripe?.openDispute(paymentIntent);
    await settled();
    expect((await json('list', '--status', 'disputed')).find((o) => o.sessionId === sessionId)).toMatchObject(
      {
        payment: { state: 'disputed', dispute: { status: 'needs_response' } },
        problems: ['disputed'],
      },
    );
    expect((await orders('ship', sessionId)).stderr).toContain('is disputed');
    const forced = await orders('ship', sessionId, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`Shipped ${sessionId} (no tracking).`);

    const badTracking = await orders('ship', sessionId, '--tracking', 'no;way');
    expect(badTracking.code).toBe(2);
    expect(badTracking.stderr).toContain('--tracking: 4–40 letters');
    const badStatus = await orders('list', '--status', 'lost');
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('--status must be one of queue, shipped, refunded, disputed, all');
    const [noSuchDay, unknownOption, extra] = await Promise.all([
      orders('list', '--date', '2026-02-30'),
      orders('list', '--colour', 'red'),
      orders('list', 'extra'),
    ]);
    expect(noSuchDay).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--date must be a day of the calendar'),
    });
    expect(unknownOption).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--colour'"),
    });
    expect(extra).toMatchObject({ code: 2, stdout: expect.stringContaining('npm run orders --') });
    const badAmount = await orders('refund', sessionId, '--amount', '12,50', '--yes');
    expect(badAmount.stderr).toContain('--amount is in dollars');
    const unknown = await orders('ship', 'cs_test_a1NoSuchSession');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No paid order for session cs_test_a1NoSuchSession');
  });

  it('refuses a refund larger than what is left, and one without confirmation when not in a terminal', async () => {
    const { sessionId, total } = await buy();
    const tooMuch = await orders('refund', sessionId, '--amount', ((total + 100) / 100).toFixed(2), '--yes');
    expect(tooMuch.code).toBe(1);
    expect(tooMuch.stderr).toContain(
      `At most ${formatMoney(total, 'usd')} of order ${sessionId} can still be refunded (${formatMoney(total, 'usd')} paid, $0.00 refunded); ${formatMoney(total + 100, 'usd')} was asked.`,
    );
    const unconfirmed = await orders('refund', sessionId, '--amount', '1.00');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes');
    await settled();
    expect(
      stack.stripe
        ?.state()
        .refunds.filter((r) => r.payment_intent === stack.stripe?.session(sessionId)?.payment_intent),
    ).toEqual([]);
  });

  it('a refund whose answer was lost is made once by running it again, however many run at once; a failed one is made again', async () => {
    const { sessionId } = await buy();
    const intent = String(stack.stripe?.session(sessionId)?.payment_intent);
    const refunds = () => (stack.stripe?.state().refunds ?? []).filter((r) => r.payment_intent === intent);
    // Stripe makes the refund; every answer to the command (and its retries) is lost.
    stack.stripe?.faults.add({
      method: 'POST',
      path: '/v1/refunds',
      afterProcessing: true,
      disconnect: true,
      times: 8,
    });
    const lost = await orders('refund', sessionId, '--amount', '10', '--yes');
    stack.stripe?.faults.clear();
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain('Run the same command again');
    await settled(); // the webhook records the refund
    expect(refunds().map((r) => r.amount)).toEqual([1000]);

    // Three terminals run the same command again at once: the refund stays one.
    const again = await Promise.all(
      [1, 2, 3].map(() => orders('refund', sessionId, '--amount', '10', '--yes')),
    );
    expect(refunds().map((r) => r.amount)).toEqual([1000]);
    // Each run that finds the earlier attempt's refund at Stripe reports that one refund (two may
    // find it at the same moment); the others are refused. None refunds anything more.
    const found = again.filter((r) => r.code === 0);
    expect(found.length).toBeGreaterThanOrEqual(1);
    for (const run of found) {
      expect(run.stdout).toMatch(
        new RegExp(`^Refund ${refunds()[0]?.id} succeeded: \\$10\\.00\\. .*nothing more refunded`),
      );
    }
    for (const refused of again.filter((r) => r.code !== 0)) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Not refunded: (The same refund of order|Another command is refunding)/);
    }

    // Stripe reports the refund failed: the same command makes a new one.
    const first = refunds()[0];
    stack.stripe?.failRefund(String(first?.id));
    await settled();
    const redo = await orders('refund', sessionId, '--amount', '10', '--yes');
    expect(redo.code).toBe(0);
    expect(redo.stdout).toMatch(/^Refund re_\w+ succeeded: \$10\.00\./);
    expect(refunds().map((r) => [r.id === first?.id, r.status])).toEqual([
      [true, 'failed'],
      [false, 'succeeded'],
    ]);
  });

  it('refuses to refund an order whose dispute was lost', async () => {
    const { sessionId } = await buy();
    const intent = String(stack.stripe?.session(sessionId)?.payment_intent);
    const dispute = stack.stripe?.openDispute(intent);
    stack.stripe?.closeDispute(String(dispute?.id), 'lost');
    await settled();
    const refused = await orders('refund', sessionId, '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Not refunded: Order ${sessionId} lost its dispute`);
    expect((stack.stripe?.state().refunds ?? []).filter((r) => r.payment_intent === intent)).toEqual([]);
  });

  it('exports CSV with the same filters, and prints a packing slip', async () => {
    const { sessionId } = await buy('=cmd|@example.com');
    const csv = await orders('export', '--csv', '--status', 'all');
    expect(csv.code).toBe(0);
    const rows = csv.stdout.split('\r\n');
    expect(rows[0]).toBe(
      'paid_at,session_id,payment,amount_total,amount_refunded,currency,code,code_discount,fulfilment,carrier,tracking,customer_name,email,address_line1,address_line2,city,state,postal_code,country,items,problems',
    );
    const row = rows.find((r) => r.includes(sessionId));
    expect(row).toContain(',paid,');
    expect(row).toContain("'=cmd|@example.com");
    expect(row).toContain('1 x HOODIE-LOGO-BLK-M');
    const noDays = await orders('export', '--csv', '--date', '2020-01-01');
    expect(noDays.stdout.split('\r\n').filter(Boolean)).toHaveLength(1);
    expect((await orders('export')).code).toBe(2);

    const slip = await orders('slip', sessionId);
    expect(slip.code).toBe(0);
    expect(slip.stdout).toContain(`PACKING SLIP — order ${sessionId.slice(-10)}`);
    expect(slip.stdout).toMatch(/\[ \] {3}1 × Logo Hoodie — Black, M {3}\(HOODIE-LOGO-BLK-M\)/);
    expect(slip.stdout).toContain('1 Emulator Way');
  });
});
