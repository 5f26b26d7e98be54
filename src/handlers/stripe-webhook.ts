import { lazyHandler } from '../http/route';
import { buildWebhookHandler } from '../wiring/payments';

/** Lambda: `POST /stripe/webhook`. */
export const handler = lazyHandler(() => buildWebhookHandler(process.env));
