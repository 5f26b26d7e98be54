/**
 * The one place that builds dependencies from configuration, for the Lambda handlers and the local
 * stack alike: the local server runs exactly the production code path.
 *
 * The parts live in `src/wiring/` and each handler imports only the part it runs, so a bundle holds
 * only the SDKs its route uses (the quote and catalog bundles carry no Stripe SDK): `catalog` (no
 * table, no secret), `shared` (the table-backed routes, and the quote route), `payments` (Stripe:
 * checkout, webhook, session status). This module gathers them for the local stack and tests.
 */
export {
  buildCatalogHandler,
  loadBundledCatalog,
  telemetryFor,
  type WiringOverrides,
} from './wiring/catalog';
export {
  buildWebhookFunction,
  buildWebhookHandler,
  checkoutHandlerOf,
  type FulfilOverrides,
  sessionStatusHandlerOf,
} from './wiring/payments';
export { buildSharedDeps, cartQuoteHandlerOf, type SharedDeps, type TableOverrides } from './wiring/shared';
