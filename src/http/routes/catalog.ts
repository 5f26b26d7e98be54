import type { Telemetry } from '../../app/telemetry';
import { type Catalog, maxQuantityOf } from '../../domain/catalog';
import { headerOf } from '../request';
import { type ApiHandler, createRoute } from '../route';

const CACHE_SECONDS = 300;

/** The catalog as storefronts see it: active products and bundles, no internal fields. */
export function publicCatalog(catalog: Catalog): Record<string, unknown> {
  return {
    version: catalog.version,
    currency: catalog.currency,
    sampleData: catalog.sampleData ?? false,
    products: catalog.products
      .filter((p) => p.active)
      .map((p) => ({
        sku: p.sku,
        name: p.name,
        description: p.description ?? null,
        unitAmount: p.unitAmount,
        currency: p.currency,
        maxQuantity: maxQuantityOf(catalog, p),
        collections: p.collections,
        tags: p.tags,
        bundleIds: catalog.activeBundles
          .filter((b) =>
            b.kind === 'set' ? b.items.some((i) => i.sku === p.sku) : p.collections.includes(b.collection),
          )
          .map((b) => b.id),
      })),
    bundles: catalog.activeBundles.map(({ active: _active, ...bundle }) => bundle),
  };
}

/** `GET /catalog`: public, cacheable, with an ETag of the catalog version. */
export function createCatalogRoute(deps: {
  readonly catalog: Catalog;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly telemetry: Telemetry;
}): ApiHandler {
  const body = JSON.stringify(publicCatalog(deps.catalog));
  const etag = `"${deps.catalog.version}"`;
  const caching = { 'Cache-Control': `public, max-age=${CACHE_SECONDS}`, ETag: etag };
  return createRoute({
    name: 'catalog',
    methods: ['GET'],
    allowedOrigins: deps.allowedOrigins,
    telemetry: deps.telemetry,
    async handle({ event }) {
      if (headerOf(event, 'if-none-match') === etag) return { statusCode: 304, body: '', headers: caching };
      return { statusCode: 200, body, headers: caching };
    },
  });
}
