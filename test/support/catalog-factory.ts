import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Catalog, parseCatalog } from '../../src/domain/catalog';

const catalogPath = fileURLToPath(new URL('../../catalog/catalog.json', import.meta.url));

/** The raw sample catalog file, as data (a fresh copy each call, safe to mutate). */
export function readSampleCatalogData(): Record<string, unknown> & {
  products: Record<string, unknown>[];
  bundles: Record<string, unknown>[];
} {
  return JSON.parse(readFileSync(catalogPath, 'utf8'));
}

/** The sample catalog, validated. */
export function loadSampleCatalog(): Catalog {
  return parseCatalog(readSampleCatalogData());
}

/** The sample catalog with some fields overridden (e.g. a new version or a changed price). */
export function makeCatalog(
  overrides: { version?: string; prices?: Record<string, number>; inactive?: string[] } = {},
): Catalog {
  const data = readSampleCatalogData();
  if (overrides.version) data.version = overrides.version;
  for (const product of data.products) {
    const sku = String(product.sku);
    const price = overrides.prices?.[sku];
    if (price !== undefined) product.unitAmount = price;
    if (overrides.inactive?.includes(sku)) product.active = false;
  }
  return parseCatalog(data);
}
