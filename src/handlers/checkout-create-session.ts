import { lazyHandler } from '../http/route';
import { buildSharedDeps, checkoutHandlerOf } from '../wiring';

/** Lambda: `POST /checkout/create-session` (and its `OPTIONS` preflight). */
export const handler = lazyHandler(async () => checkoutHandlerOf(await buildSharedDeps(process.env)));
