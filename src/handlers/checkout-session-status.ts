import { lazyHandler } from '../http/route';
import { buildSharedDeps, sessionStatusHandlerOf } from '../wiring';

/** Lambda: `GET /checkout/session-status` (and its `OPTIONS` preflight). */
export const handler = lazyHandler(async () => sessionStatusHandlerOf(await buildSharedDeps(process.env)));
