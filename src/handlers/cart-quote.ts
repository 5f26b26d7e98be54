import { lazyHandler } from '../http/route';
import { buildSharedDeps, cartQuoteHandlerOf } from '../wiring';

/** Lambda: `POST /cart/quote` (and its `OPTIONS` preflight). */
export const handler = lazyHandler(async () => cartQuoteHandlerOf(await buildSharedDeps(process.env)));
