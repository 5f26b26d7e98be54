import { buildCatalogHandler } from '../wiring/catalog';

/** Lambda: `GET /catalog` (and its `OPTIONS` preflight). */
export const handler = buildCatalogHandler(process.env);
