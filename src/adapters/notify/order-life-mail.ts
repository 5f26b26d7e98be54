import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrderMail } from '../../app/order-life-ports';
import type { Log } from '../../app/telemetry';
import { maskEmail } from '../../domain/email';
import { doNotShipSubject, formatDoNotShip, formatShipped, shippedSubject } from './order-life-text';

/** Logs each mail (no full email, no address). */
export function createLogOrderMail(log: Log): OrderMail {
  return {
    async sendDoNotShip(alert) {
      log.warn('do not ship: the payment changed', {
        sessionId: alert.order.sessionId,
        state: alert.change.state,
        amountRefunded: alert.change.amountRefunded,
        evidenceDueBy: alert.payment.dispute?.evidenceDueBy ?? null,
      });
    },
    async sendShipped(notice) {
      log.info('shipping confirmation', {
        sessionId: notice.order.sessionId,
        to: notice.order.customerEmail ? maskEmail(notice.order.customerEmail) : null,
        carrier: notice.shipment.carrier,
        version: notice.shipment.version,
      });
    },
  };
}

/**
 * Writes each mail to the local outbox next to the order notifications:
 * `<paidAt>-<sessionId>.do-not-ship-<seq>.txt` and `….shipped-<version>.txt` (a repeat rewrites it).
 */
export function createOutboxOrderMail(dir: string): OrderMail {
  async function write(name: string, text: string) {
    await mkdir(dir, { recursive: true });
    const file = join(dir, name);
    await writeFile(`${file}.tmp`, text, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
  const base = (paidAt: string, sessionId: string) => `${paidAt.replaceAll(':', '-')}-${sessionId}`;
  return {
    async sendDoNotShip(alert) {
      await write(
        `${base(alert.order.paidAt, alert.order.sessionId)}.do-not-ship-${alert.change.seq}.txt`,
        `Subject: ${doNotShipSubject(alert)}\n\n${formatDoNotShip(alert)}`,
      );
    },
    async sendShipped(notice) {
      await write(
        `${base(notice.order.paidAt, notice.order.sessionId)}.shipped-${notice.shipment.version}.txt`,
        `To: ${notice.order.customerEmail ?? ''}\nSubject: ${shippedSubject(notice)}\n\n${formatShipped(notice)}`,
      );
    },
  };
}
