import { createHash } from 'node:crypto';
import type { StockStore } from '../../app/ports';
import { describeError, type Telemetry } from '../../app/telemetry';
import { type Catalog, maxQuantityOf, type Sellable } from '../../domain/catalog';
import { type Availability, availabilityOf } from '../../domain/stock';
import { headerOf } from '../request';
import { type ApiHandler, createRoute } from '../route';

/** Stock changes with every sale, so the answer is cached briefly (browsers and API Gateway alike). */
const CACHE_SECONDS = 15;

/**
 * The catalog as storefronts see it: active products with their images, options and variants (each
 * variant a SKU a cart may name, with its availability), and active bundles; no internal fields. A
 * product without variants has one variant: itself.
 */
export function publicCatalog(
  catalog: Catalog,
  availability: (sellable: Sellable) => Availability | null,
): Record<string, unknown> {
  return {
    version: catalog.version,
    currency: catalog.currency,
    sampleData: catalog.sampleData ?? false,
    products: catalog.products
      .filter((p) => p.active)
      .map((p) => {
        const variants = catalog.sellables.filter((s) => s.productSku === p.sku && s.active);
        return {
          sku: p.sku,
          name: p.name,
          description: p.description ?? null,
          unitAmount: p.unitAmount,
          currency: p.currency,
          maxQuantity: maxQuantityOf(catalog, p),
          collections: p.collections,
          tags: p.tags,
          images: p.images,
          options: p.options,
          variants: variants.map((s) => ({
            sku: s.sku,
            label: s.label,
            options: s.options,
            unitAmount: s.unitAmount,
            images: s.images,
            availability: availability(s),
          })),
          bundleIds: catalog.activeBundles
            .filter((b) =>
              b.kind === 'set' ? b.items.some((i) => i.sku === p.sku) : p.collections.includes(b.collection),
            )
            .map((b) => b.id),
        };
      }),
    bundles: catalog.activeBundles.map(({ active: _active, ...bundle }) => bundle),
  };
}

/**
 * `GET /catalog`: public, cached for 15 s, with an ETag of the catalog version and the stock it
 * shows. The stock is one query of its partition; when it cannot be read the catalog is still
 * served, every tracked SKU's availability `null` (checkout's hold decides), and not cached.
 */
export function createCatalogRoute(deps: {
  readonly catalog: Catalog;
  readonly stock: Pick<StockStore, 'allLevels'> | null;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly telemetry: Telemetry;
}): ApiHandler {
  const { catalog } = deps;
  const tracksStock = catalog.sellables.some((s) => s.inventory.tracked);
  return createRoute({
    name: 'catalog',
    methods: ['GET'],
    allowedOrigins: deps.allowedOrigins,
    telemetry: deps.telemetry,
    async handle({ event }) {
      let levels: Map<string, number> | null = new Map();
      if (tracksStock && deps.stock) {
        try {
          levels = new Map((await deps.stock.allLevels()).map((l) => [l.sku, l.available]));
        } catch (err: unknown) {
          deps.telemetry.log.error('stock read failed; serving the catalog without availability', {
            error: describeError(err),
          });
          levels = null;
        }
      }
      const body = JSON.stringify(
        publicCatalog(catalog, (s) =>
          !s.inventory.tracked || levels ? availabilityOf(catalog, s, levels?.get(s.sku)) : null,
        ),
      );
      if (levels === null) return { statusCode: 200, body, headers: { 'Cache-Control': 'no-store' } };
      const etag = `"${catalog.version}-${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
      const caching = { 'Cache-Control': `public, max-age=${CACHE_SECONDS}`, ETag: etag };
      if (headerOf(event, 'if-none-match') === etag) return { statusCode: 304, body: '', headers: caching };
      return { statusCode: 200, body, headers: caching };
    },
  });
}
