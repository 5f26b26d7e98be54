import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Notifier } from '../../app/ports';
import type { Log } from '../../app/telemetry';
import { maskEmail } from '../../domain/email';
import { formatOrderText, orderSubject } from './order-text';

/** Logs each paid order (no full email, no address: logs are not a place for personal data). */
export function createLogNotifier(log: Log): Notifier {
  return {
    async notifyOrder(order) {
      const fields = {
        sessionId: order.sessionId,
        paidAt: order.paidAt,
        amountTotal: order.amountTotal,
        currency: order.currency,
        lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        email: order.customerEmail ? maskEmail(order.customerEmail) : null,
        problems: order.problems,
      };
      if (order.problems.length > 0) log.warn('order paid; check before shipping', fields);
      else log.info('order ready for fulfilment', fields);
    },
  };
}

/**
 * Writes each paid order to `<dir>/<paidAt>-<sessionId>.txt` and `.json` — the local stack's
 * "inbox". Named by the session, so a repeated notification rewrites the same files.
 */
export function createOutboxNotifier(dir: string): Notifier {
  return {
    async notifyOrder(order) {
      await mkdir(dir, { recursive: true });
      const base = join(dir, `${order.paidAt.replaceAll(':', '-')}-${order.sessionId}`);
      await writeAtomically(`${base}.json`, `${JSON.stringify(order, null, 2)}\n`);
      await writeAtomically(`${base}.txt`, `Subject: ${orderSubject(order)}\n\n${formatOrderText(order)}`);
    },
  };
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, file);
}
