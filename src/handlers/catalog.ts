import { buildCatalogHandler } from '../wiring';

/** Lambda: `GET /catalog` (and its `OPTIONS` preflight). */
export const handler = buildCatalogHandler(process.env);
