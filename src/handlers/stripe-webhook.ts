import { lazyHandler } from '../http/route';
import { buildWebhookHandler } from '../wiring';

/** Lambda: `POST /stripe/webhook`. */
export const handler = lazyHandler(() => buildWebhookHandler(process.env));
