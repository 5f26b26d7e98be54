import { describe, expect, it } from 'vitest';
import { createLogOrderMail } from '../../src/adapters/notify/order-life-mail';
import { doNotShipSubject, formatDoNotShip, formatShipped } from '../../src/adapters/notify/order-life-text';
import { createSesOrderMail } from '../../src/adapters/notify/ses-order-mail';
import type { DoNotShipAlert, ShippedNotice } from '../../src/app/order-life-ports';
import { carrierTrackingUrl, normaliseCarrier, normaliseTracking } from '../../src/domain/shipping';
import { startSesStandIn } from '../support/aws-proxy';
import { makeOrder } from '../support/orders';
import { createRecordingTelemetry } from '../support/telemetry';

const order = makeOrder({ paymentIntentId: 'pi_3Example' });

const disputed: DoNotShipAlert = {
  order,
  change: {
    seq: 1,
    state: 'disputed',
    amountRefunded: 0,
    at: 1_795_000_000,
    eventId: 'evt_1',
    recordedAt: 1_795_000_001,
    alert: true,
  },
  payment: {
    state: 'disputed',
    amountRefunded: 0,
    refunds: [],
    dispute: {
      id: 'du_1',
      status: 'needs_response',
      amount: 7360,
      reason: 'fraudulent',
      evidenceDueBy: 1_795_604_800,
    },
    version: 1,
    updatedAt: 1_795_000_001,
  },
};

const shipped: ShippedNotice = {
  order,
  shipment: { carrier: 'usps', tracking: '9400111899223344556677', shippedAt: 1_795_000_000, version: 1 },
  trackingUrl: carrierTrackingUrl('usps', '9400111899223344556677'),
};

describe('order life mail', () => {
  it("tells the operator not to ship, with the dispute's evidence deadline", () => {
    expect(doNotShipSubject(disputed)).toBe('DO NOT SHIP — order D4e5F6g7H8 DISPUTED by the cardholder');
    const text = formatDoNotShip(disputed);
    expect(text).toContain('DO NOT SHIP order cs_test_a1B2c3D4e5F6g7H8');
    expect(text).toContain('Evidence due by 2026-11-25 11:06 UTC');
    expect(text).toContain('reason "fraudulent"');
    expect(text).toContain('2 × TEE-CLASSIC-BLK');
    expect(text).not.toContain('jane.doe');
  });

  it('tells the customer where the parcel is, with the tracking link', () => {
    const text = formatShipped(shipped);
    expect(text).toContain('Hello Jane Doe,');
    expect(text).toContain('Tracking number: 9400111899223344556677');
    expect(text).toContain(
      'Track it: https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223344556677',
    );
    expect(text).toContain('Portland, OR, 97201');
    expect(formatShipped({ ...shipped, shipment: { ...shipped.shipment, version: 2 } })).toContain(
      'The tracking of your order has changed',
    );
  });

  it('sends the alert to the operator and the confirmation to the customer through SES', async () => {
    const ses = await startSesStandIn();
    try {
      const mail = createSesOrderMail({
        from: 'shop@shop.example.com',
        operator: ['owner@shop.example.com'],
        ...ses.access,
      });
      await mail.sendDoNotShip(disputed);
      await mail.sendShipped(shipped);
      await mail.sendShipped({ ...shipped, order: { ...order, customerEmail: null } });
    } finally {
      await ses.proxy.close();
    }
    expect(ses.proxy.requests.every((r) => r.signatureValid)).toBe(true);
    expect(ses.sent.map((body) => body.Destination?.ToAddresses)).toEqual([
      ['owner@shop.example.com'],
      ['jane.doe@example.com'],
    ]);
    expect(ses.sent[1]?.Content?.Simple?.Subject?.Data).toBe('Your order has shipped');
  });

  it('logs without the full email address', async () => {
    const telemetry = createRecordingTelemetry();
    await createLogOrderMail(telemetry.log).sendShipped(shipped);
    const logged = JSON.stringify(telemetry.logs);
    expect(logged).toContain('j***@example.com');
    expect(logged).not.toContain('jane.doe');
  });

  it('reads carriers and tracking numbers as typed, and refuses what cannot be one', () => {
    expect(normaliseCarrier(' UPS ')).toBe('ups');
    expect(normaliseTracking('9400 1118 9922')).toBe('940011189922');
    expect(normaliseTracking('1z-999')).toBe('1Z-999');
    expect(normaliseTracking('a;b<c>')).toBeNull();
    expect(normaliseCarrier('<script>')).toBeNull();
    expect(carrierTrackingUrl('Pigeon Post', '1234')).toBeNull();
  });
});
