import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogNotifier, createOutboxNotifier } from '../../src/adapters/notify/notifiers';
import { formatOrderText, orderSubject } from '../../src/adapters/notify/order-text';
import { createSesNotifier } from '../../src/adapters/notify/ses-notifier';
import { startSesStandIn } from '../support/aws-proxy';
import { makeOrder } from '../support/orders';
import { createRecordingTelemetry } from '../support/telemetry';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('order notifications', () => {
  it('shows the discount code and what it took off, apart from the bundles', () => {
    const text = formatOrderText(makeOrder({ amountDiscount: 1416, code: 'BABES10', codeDiscount: 576 }));
    expect(text).toContain('Bundle discount: -$8.40');
    expect(text).toContain('Code BABES10: -$5.76');
  });

  it('formats an order sheet with lines, totals, customer and address', () => {
    const text = formatOrderText(makeOrder());
    expect(text).toContain('3 × STICKER-HEART');
    expect(text).toContain('$57.60');
    expect(text).toContain('Total charged: $73.60');
    expect(text).toContain('Bundle discount: -$8.40');
    expect(text).not.toContain('Code ');
    expect(text).toContain('Jane Doe <jane.doe@example.com>');
    expect(text).toContain('Portland, OR, 97201');
    expect(orderSubject(makeOrder())).toBe('New order $73.60 — D4e5F6g7H8');
    expect(formatOrderText(makeOrder({ shippingAddress: null }))).toContain(
      '(no shipping address collected)',
    );
  });

  it('tells the packer to check an order whose paid amount differs from the quote, in subject and sheet', () => {
    const flagged = makeOrder({ problems: ['amount_mismatch'] });
    expect(orderSubject(flagged)).toBe('CHECK BEFORE SHIPPING — New order $73.60 — D4e5F6g7H8');
    expect(formatOrderText(flagged).split('\n')[0]).toMatch(
      /^CHECK BEFORE SHIPPING: Stripe charged another amount/,
    );
    expect(formatOrderText(makeOrder())).not.toContain('CHECK BEFORE SHIPPING');
  });

  it('logs an order without the full email or the address', async () => {
    const telemetry = createRecordingTelemetry();
    await createLogNotifier(telemetry.log).notifyOrder(makeOrder());
    const logged = JSON.stringify(telemetry.logs);
    expect(logged).toContain('cs_test_a1B2c3D4e5F6g7H8');
    expect(logged).toContain('j***@example.com');
    expect(logged).not.toContain('jane.doe');
    expect(logged).not.toContain('Main St');
  });

  it('writes the outbox files once per session, however often it is told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    dirs.push(dir);
    const notifier = createOutboxNotifier(join(dir, 'outbox'));
    await notifier.notifyOrder(makeOrder());
    await notifier.notifyOrder(makeOrder());
    const files = readdirSync(join(dir, 'outbox')).sort();
    expect(files).toEqual([
      '2026-11-26T18-04-05.000Z-cs_test_a1B2c3D4e5F6g7H8.json',
      '2026-11-26T18-04-05.000Z-cs_test_a1B2c3D4e5F6g7H8.txt',
    ]);
    const json = JSON.parse(readFileSync(join(dir, 'outbox', files[0] as string), 'utf8'));
    expect(json).toEqual(makeOrder());
  });

  it('sends the operator an SES email from the configured identity (SES v2 SendEmail, signed, retried)', async () => {
    const ses = await startSesStandIn();
    try {
      const notifier = createSesNotifier({
        from: 'shop@shop.example.com',
        to: ['orders@shop.example.com', 'owner@shop.example.com'],
        ...ses.access,
      });
      ses.proxy.inject({ kind: 'error', status: 429, code: 'TooManyRequestsException' });
      await notifier.notifyOrder(makeOrder());
      expect(ses.proxy.requests.map((r) => [r.operation, r.signatureValid, r.fault])).toEqual([
        ['POST /v2/email/outbound-emails', true, 'error'],
        ['POST /v2/email/outbound-emails', true, null],
      ]);
    } finally {
      await ses.proxy.close();
    }
    expect(ses.sent).toHaveLength(1);
    const input = ses.sent[0];
    expect(input?.FromEmailAddress).toBe('shop@shop.example.com');
    expect(input?.Destination?.ToAddresses).toEqual(['orders@shop.example.com', 'owner@shop.example.com']);
    expect(input?.Content?.Simple?.Subject?.Data).toBe(orderSubject(makeOrder()));
    expect(input?.Content?.Simple?.Body?.Text?.Data).toBe(formatOrderText(makeOrder()));
  });
});
