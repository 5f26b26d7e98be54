import { lazyHandler } from '../http/route';
import { sessionStatusHandlerOf } from '../wiring/payments';
import { buildSharedDeps } from '../wiring/shared';

/** Lambda: `GET /checkout/session-status` (and its `OPTIONS` preflight). */
export const handler = lazyHandler(async () => sessionStatusHandlerOf(await buildSharedDeps(process.env)));
