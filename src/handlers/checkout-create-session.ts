import { lazyHandler } from '../http/route';
import { checkoutHandlerOf } from '../wiring/payments';
import { buildSharedDeps } from '../wiring/shared';

/** Lambda: `POST /checkout/create-session` (and its `OPTIONS` preflight). */
export const handler = lazyHandler(async () => checkoutHandlerOf(await buildSharedDeps(process.env)));
